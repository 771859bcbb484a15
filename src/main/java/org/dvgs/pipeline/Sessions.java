package org.dvgs.pipeline;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.SparkSettings;
import org.dvgs.model.Engines;

/** Creates the Spark session; a master set by spark-submit wins over the configured one. */
public final class Sessions {
  /** {@code spark.sql.files.openCostInBytes} unless spark-submit or {@code dvgs.spark.conf} set it (1 MiB). */
  public static final long SMALL_FILE_OPEN_COST = 1L << 20;

  private Sessions() {}

  public static SparkSession create(SparkSettings s) {
    SparkConf conf = conf(s);
    try {
      boolean fresh = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
      long t = System.nanoTime();
      SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
      if (fresh) {
        ProcessClock.sessionStarted((System.nanoTime() - t) / 1e9);
      }
      return spark;
    } catch (IllegalArgumentException e) {
      // Spark checks its settings as the session starts (or, for a running session, as they are applied).
      throw new ConfigValidationException("Spark refused a setting (dvgs.spark.master, dvgs.spark.conf or spark-submit's): " + e.getMessage(), e);
    }
  }

  /** The Spark settings a session is created with: spark-submit's, dvgs's defaults where those are missing, then dvgs.spark. */
  static SparkConf conf(SparkSettings s) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster(s.master());
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName(s.appName());
    }
    if (!conf.contains("spark.sql.shuffle.partitions")) {
      conf.set("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
    }
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // Spark packs files smaller than its 4 MiB open cost into one partition per core's share; a few-MB source then
    // reads, and a sample of it scores, in one task on one core. At 1 MiB a small file splits across the cores
    // (values do not depend on the partitioning).
    conf.setIfMissing("spark.sql.files.openCostInBytes", String.valueOf(SMALL_FILE_OPEN_COST));
    // Local files get their modes set in process rather than by a chmod process per file (PosixLocalFileSystem).
    conf.setIfMissing("spark.hadoop.fs.file.impl", org.dvgs.io.PosixLocalFileSystem.class.getName());
    // Executors compute values too: they get the driver's MKL reproducibility mode (or the one values are
    // reproducible under) unless the user set one. In local mode the driver's own environment applies.
    String mkl = System.getenv("MKL_CBWR");
    conf.setIfMissing("spark.executorEnv.MKL_CBWR", mkl == null || mkl.isBlank() ? Engines.MKL_CBWR : mkl);
    for (Map.Entry<String, String> e : s.conf().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return conf;
  }

  /**
   * The MKL reproducibility mode executors compute under: the driver's own in local mode (the driver is the
   * executor), else {@code spark.executorEnv.MKL_CBWR}, or "unset".
   */
  public static String executorMklMode(SparkConf conf) {
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local") && !master.startsWith("local-cluster")) {
      return Engines.mklReproducibilityMode();
    }
    String mode = conf.get("spark.executorEnv.MKL_CBWR", "");
    return mode.isBlank() ? "unset" : mode;
  }

  /**
   * PyTorch intra-op threads per task: the cores of an executor divided by its task slots. In local mode the
   * executor is this machine, so that is {@code availableProcessors / (N / spark.task.cpus)} for {@code local[N]}.
   */
  public static int threadsPerTask(SparkConf conf, int configured) {
    if (configured > 0) {
      return configured;
    }
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local")) {
      int cores = Runtime.getRuntime().availableProcessors();
      int slots = cores;
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)").matcher(master);
      if (m.find() && !m.group(1).equals("*")) {
        slots = Integer.parseInt(m.group(1));
      } else if (master.equals("local")) {
        slots = 1;
      }
      if (master.startsWith("local-cluster")) {
        java.util.regex.Matcher mc = java.util.regex.Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)").matcher(master);
        if (mc.find()) {
          slots = Integer.parseInt(mc.group(1)) * Integer.parseInt(mc.group(2));
        }
      }
      return Math.max(1, cores / Math.max(1, slots / taskCpus));
    }
    return Math.max(1, taskCpus);
  }
}
