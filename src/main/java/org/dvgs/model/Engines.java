package org.dvgs.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DeviceKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the PyTorch engine, picks the compute device and sets intra-op threads. */
public final class Engines {
  private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
  private static final String ENGINE = "PyTorch";

  private Engines() {}

  /**
   * The MKL conditional numerical reproducibility mode under which values are the same bit for bit at any thread
   * count, operand alignment and process history: strict CNR makes MKL's matrix products (every linear layer on
   * the CPU) round the same way whatever the number of threads. MKL reads it from the environment variable
   * {@code MKL_CBWR} once, when it loads, so it must be set before the JVM starts: the launchers in
   * {@code submit/} set it for the driver, and the Spark sessions dvgs creates pass it
   * to executors as {@code spark.executorEnv.MKL_CBWR}.
   */
  public static final String MKL_CBWR = "AUTO,STRICT";

  private static volatile boolean numericsChecked;

  /** The PyTorch engine (loaded on first call: natives are extracted to the DJL cache once). */
  public static Engine pytorch() {
    Engine e = Engine.getEngine(ENGINE);
    if (!numericsChecked) {
      numericsChecked = true;
      String mode = System.getenv("MKL_CBWR");
      if (mode == null || mode.isBlank()) {
        LOG.warn(
            "MKL_CBWR is not set in this process's environment: values may differ in the last bits between runs with "
                + "different thread counts; start the JVM with MKL_CBWR={} (submit/dvgs and submit/dvgs-submit do)",
            MKL_CBWR);
      }
    }
    return e;
  }

  /** This process's MKL reproducibility mode ({@code MKL_CBWR}, or "unset"), for manifests. */
  public static String mklReproducibilityMode() {
    String mode = System.getenv("MKL_CBWR");
    return mode == null || mode.isBlank() ? "unset" : mode;
  }

  /**
   * The device for this process.
   *
   * @param kind configured device
   * @param gpuIndex GPU index assigned to this task by Spark's resource scheduling, or -1
   */
  public static Device device(DeviceKind kind, int gpuIndex) {
    int gpus = kind == DeviceKind.CPU ? 0 : gpuCount();
    return switch (kind) {
      case CPU -> Device.cpu();
      case GPU -> {
        if (gpus == 0) {
          throw new ConfigValidationException(
              "dvgs.device = gpu but the PyTorch engine sees no GPU: put CUDA natives (pytorch-native-cu*) on the class"
                  + " path of every node, or set dvgs.device = cpu");
        }
        yield Device.gpu(Math.max(0, gpuIndex) % gpus);
      }
      case AUTO -> gpus > 0 ? Device.gpu(Math.max(0, gpuIndex) % gpus) : Device.cpu();
    };
  }

  private static volatile int gpuCount = -1;

  /** GPUs the engine sees, probed once per JVM (the probe logs a warning on machines without CUDA). */
  static int gpuCount() {
    if (gpuCount < 0) {
      gpuCount = pytorch().getGpuCount();
    }
    return gpuCount;
  }

  /** Sets PyTorch intra-op threads for the calling thread's work (no-op when already set, or n <= 0). */
  public static void threads(int n) {
    pytorch();
    if (n > 0 && JniUtils.getNumThreads() != n) {
      JniUtils.setNumThreads(n);
      LOG.debug("PyTorch intra-op threads set to {}", n);
    }
  }

  /** PyTorch's intra-op thread count now (at least 1). */
  public static int intraOpThreads() {
    pytorch();
    return Math.max(1, JniUtils.getNumThreads());
  }

  /** Engine and PyTorch versions, for manifests. */
  public static String versions() {
    Engine e = pytorch();
    return "DJL " + Engine.getDjlVersion() + ", " + e.getEngineName() + " " + e.getVersion();
  }
}
