package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.Manifest;
import org.dvgs.testing.ChildDriver;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every value stays with its row when Spark recomputes the persisted source batches: after
 * {@code scoring.partitions > 0} (a shuffle, whose rows arrive in another order when a partition is recomputed on
 * another executor) with the batches dropped before every snapshot block and before the value table, the table
 * equals an undisturbed run's, value for value.
 */
class RowIdentityTest {
  static SparkSession spark;
  static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("row-identity");
  }

  /** 256x256 hidden layers and a 1 MB block budget: one snapshot per block, 8 blocks. */
  static List<String> overrides(String out) {
    return SmallValuation.overrides(spark, 600, out, "model.hidden=[256,256]", "training.epochs=2", "training.restarts=1",
        "scoring.block-memory-mb=1", "scoring.partitions=3");
  }

  /** A run's restarts (first and last target loss, snapshots), fingerprint and scored sample-checkpoints, for messages. */
  static String trainingOf(String out, String name) {
    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), out);
    Map<?, ?> training = (Map<?, ?>) m.get("training");
    Map<?, ?> scoring = (Map<?, ?>) m.get("scoring");
    return name + " run: training " + training.get("fingerprint") + " " + training.get("restarts") + ", scored " + scoring.get("sample_checkpoints")
        + " sample-checkpoints in " + scoring.get("blocks") + " blocks, numerics " + m.get("numerics");
  }

  static Map<String, double[]> table(String out) {
    return SmallValuation.table(spark.read().parquet(Path.of(out, "values").toString()));
  }

  /** A child driver on two executor JVMs ({@code local-cluster}), with a stand-in Spark installation. */
  static ChildDriver localCluster(String name) throws Exception {
    Path home = dir.resolve(name + "-spark-home");
    Path jars = Files.createDirectories(home.resolve("jars"));
    List<String> dirs = new ArrayList<>();
    int i = 0;
    for (String e : ChildDriver.classPath()) {
      Path p = Path.of(e);
      if (e.endsWith(".jar") && Files.isRegularFile(p)) {
        Files.createSymbolicLink(jars.resolve(String.format("%03d-%s", i++, p.getFileName())), p);
      } else if (Files.isDirectory(p)) {
        dirs.add(e);
      }
    }
    Path executorHome = Files.createDirectories(dir.resolve(name + "-executor-home"));
    List<String> executorOpts = new ArrayList<>(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
    executorOpts.addAll(List.of(ChildDriver.djlOptions()));
    executorOpts.add("-Duser.home=" + executorHome);
    return new ChildDriver()
        .env("SPARK_HOME", home.toString())
        .env("SPARK_SCALA_VERSION", "2.13")
        .conf("spark.master", "local-cluster[2,1,1024]")
        .conf("spark.executor.memory", "1g")
        .conf("spark.executor.extraClassPath", String.join(File.pathSeparator, dirs))
        .conf("spark.executor.extraJavaOptions", String.join(" ", executorOpts))
        .conf("spark.executorEnv.OMP_NUM_THREADS", "1");
  }

  @Test
  void batchesRecomputedAfterRepartitionKeepEveryValueWithItsRow() throws Exception {
    String ref = dir.resolve("undisturbed").toString();
    Path refLog = dir.resolve("undisturbed.log");
    int status = new ChildDriver().conf("spark.master", "local[2]").run(refLog, ChildDriver.valueArgs(overrides(ref)), 600);
    assertEquals(0, status, "undisturbed run failed; log:\n" + ChildDriver.tail(refLog));

    String out = dir.resolve("evicted").toString();
    Path log = dir.resolve("evicted.log");
    status = localCluster("evicted").conf("spark.dvgs.fault.batches", "evict").run(log, ChildDriver.valueArgs(overrides(out)), 600);
    assertEquals(0, status, "run with evicted batches failed; log:\n" + ChildDriver.tail(log));

    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), out);
    Map<?, ?> scoring = (Map<?, ?>) m.get("scoring");
    assertEquals(8, ((Number) scoring.get("blocks")).intValue(), "one snapshot per block");
    assertEquals(3, ((Number) scoring.get("partitions")).intValue());
    assertEquals(3, ((Number) ((Map<?, ?>) m.get("spark")).get("executors")).intValue(), "driver + two executor JVMs");

    Map<String, double[]> expected = table(ref);
    Map<String, double[]> actual = table(out);
    assertEquals(600, expected.size());
    assertEquals(expected.keySet(), actual.keySet());
    int moved = 0;
    String example = "";
    for (Map.Entry<String, double[]> e : expected.entrySet()) {
      double[] x = e.getValue();
      double[] y = actual.get(e.getKey());
      boolean same = x[0] == y[0] && (x[1] == y[1] || (Double.isNaN(x[1]) && Double.isNaN(y[1]))) && x[2] == y[2];
      if (!same) {
        if (moved++ == 0) {
          example = e.getKey() + ": value " + x[0] + " undisturbed, " + y[0] + " after recomputation";
        }
      }
    }
    // Every value moving at once points at training or at the set of snapshots rather than at a row's identity (a
    // failure seen once in CI): the message says which, from the two manifests.
    assertEquals(0, moved, moved + " of 600 rows changed value, e.g. " + example + "; " + trainingOf(ref, "undisturbed") + "; " + trainingOf(out, "evicted"));
    assertTrue(Files.readString(log).contains("block 8 of 8"), "every block ran");
  }
}
