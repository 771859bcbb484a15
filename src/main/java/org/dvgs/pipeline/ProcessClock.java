package org.dvgs.pipeline;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import org.dvgs.config.DeviceKind;
import org.dvgs.model.Engines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's own phases, for the manifests' timings: when the command line's {@code main} was entered (against
 * the JVM's start time), how long the Spark session took to start, and the PyTorch engine's load, which runs on a
 * background thread beside the session start (see {@link #preloadEngine}) so that neither waits for the other.
 */
public final class ProcessClock {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessClock.class);
  private static volatile long mainEnteredMs = -1;
  private static volatile double sessionSeconds = Double.NaN;
  private static volatile CompletableFuture<Void> engine;

  private ProcessClock() {}

  /** Marks the command line's {@code main} as entered (the first mark counts). */
  public static void mainEntered() {
    if (mainEnteredMs < 0) {
      mainEnteredMs = System.currentTimeMillis();
    }
  }

  /** Seconds from the JVM's start to {@code main}, or null when {@code main} did not run in this process. */
  public static Double jvmToMainSeconds() {
    long m = mainEnteredMs;
    return m < 0 ? null : (m - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
  }

  /** Seconds since the JVM started. */
  public static double sinceJvmStart() {
    return (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
  }

  static void sessionStarted(double seconds) {
    sessionSeconds = seconds;
  }

  /** Seconds the Spark session took to start, or null when this process did not start one. */
  public static Double sessionSeconds() {
    double s = sessionSeconds;
    return Double.isNaN(s) ? null : s;
  }

  /**
   * Starts loading the PyTorch engine (and probing its devices) on a background thread, once per process. Loading
   * the natives is independent of Spark, so it overlaps the session start; {@link #awaitEngine} then waits for what
   * is left of it. A failure here is left for the first real use of the engine to report.
   */
  public static synchronized void preloadEngine(DeviceKind device) {
    if (engine == null) {
      engine = CompletableFuture.runAsync(new EngineLoad(device));
    }
  }

  /**
   * Waits for the engine (loading it on this thread when no preload was started) and returns the seconds waited.
   */
  public static double awaitEngine(DeviceKind device) {
    long t = System.nanoTime();
    CompletableFuture<Void> e = engine;
    if (e != null) {
      try {
        e.join();
      } catch (RuntimeException failed) {
        LOG.debug("engine preload failed; loading on first use", failed);
      }
    }
    Engines.pytorch();
    return (System.nanoTime() - t) / 1e9;
  }

  /** The background load: the engine, and its GPU probe unless the device is the CPU. */
  private static final class EngineLoad implements Runnable {
    private final DeviceKind device;

    EngineLoad(DeviceKind device) {
      this.device = device;
    }

    @Override
    public void run() {
      long t = System.nanoTime();
      Engines.pytorch();
      if (device != DeviceKind.GPU) {
        // A GPU that is configured but absent is a config error, thrown where the device is chosen.
        Engines.device(device, -1);
      }
      LOG.debug("PyTorch engine loaded in {} s (background)", String.format("%.2f", (System.nanoTime() - t) / 1e9));
    }
  }
}
