package org.dvgs.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Runs {@code org.dvgs.cli.Main} as its own driver JVM, with the test class path, so that a test can use a Spark
 * master the shared session cannot (local-cluster, local[N,F]) or kill the driver outright.
 */
public final class ChildDriver {
  private final List<String> jvm = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();

  public ChildDriver() {
    jvm.add("-Xmx1536m");
    jvm.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
    jvm.addAll(List.of(djlOptions()));
    jvm.add("-Dspark.ui.enabled=false");
    jvm.add("-Dspark.driver.host=127.0.0.1");
    jvm.add("-Dspark.sql.shuffle.partitions=4");
    env.put("OMP_NUM_THREADS", "1");
    env.put("MKL_CBWR", "AUTO,STRICT");
    String cache = djlCache();
    env.put("DJL_CACHE_DIR", cache);
    env.put("ENGINE_CACHE_DIR", cache);
  }

  /** The DJL flags of the test JVM (offline, one intra-op thread, its native cache). */
  public static String[] djlOptions() {
    String cache = djlCache();
    return new String[] {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-DDJL_CACHE_DIR=" + cache, "-DENGINE_CACHE_DIR=" + cache};
  }

  static String djlCache() {
    return System.getProperty("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
  }

  /** The test class path (Surefire keeps the real one in {@code surefire.test.class.path}). */
  public static List<String> classPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> out = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isBlank()) {
        out.add(new File(e).getAbsolutePath());
      }
    }
    return out;
  }

  /** A Spark setting for the child, as a system property. */
  public ChildDriver conf(String key, String value) {
    jvm.add("-D" + key + "=" + value);
    return this;
  }

  public ChildDriver env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /** Starts {@code Main} with {@code args}; stdout and stderr go to {@code log}. */
  public Process start(Path log, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classPath()));
    cmd.add("org.dvgs.cli.Main");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs to the end and returns the exit status. */
  public int run(Path log, List<String> args, long timeoutSeconds) throws InterruptedException {
    Process p = start(log, args);
    if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("child driver did not finish in " + timeoutSeconds + " s; log:\n" + tail(log));
    }
    return p.exitValue();
  }

  /** The last lines of a log, for assertion messages. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Command-line arguments of {@code value} with every override as {@code --set}. */
  public static List<String> valueArgs(List<String> overrides) {
    List<String> a = new ArrayList<>();
    a.add("value");
    for (String o : overrides) {
      a.add("--set");
      a.add(o);
    }
    return a;
  }
}
