package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.Manifest;
import org.dvgs.testing.ChildDriver;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job under a real cluster's conditions, each run by its own driver JVM: separate executor JVMs
 * ({@code local-cluster}), executor task failures retried by Spark, and a driver killed with SIGKILL after training.
 * Every one must give the table of an undisturbed in-process run, value for value.
 */
class ClusterFaultsTest {
  static SparkSession spark;
  static Path dir;
  static Map<String, double[]> reference;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("cluster");
    // The reference comes from this long-lived JVM, the other tables from fresh ones; churn the native allocator
    // first so that the comparison covers a JVM whose buffers land at other addresses than a fresh one's.
    java.util.List<java.nio.ByteBuffer> kept = new java.util.ArrayList<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    for (int i = 0; i < 3000; i++) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1 + r.nextInt(10_000));
      if (r.nextBoolean()) {
        kept.add(b);
      }
    }
    reference = SmallValuation.table(run(dir.resolve("reference").toString()).values());
    kept.clear();
  }

  static List<String> overrides(String out) {
    return SmallValuation.overrides(spark, 600, out);
  }

  static ValuationJob.Outcome run(String out) {
    return ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(overrides(out).toArray(new String[0]))));
  }

  static Map<String, Object> manifest(String out) {
    return Manifest.read(spark.sparkContext().hadoopConfiguration(), out);
  }

  static Map<String, double[]> childTable(String out) {
    return SmallValuation.table(spark.read().parquet(Path.of(out, "values").toString()));
  }

  @Test
  void localClusterWithSeparateExecutorJvmsGivesTheLocalTable() throws Exception {
    // A stand-in Spark installation: the workers build executor class paths from $SPARK_HOME/jars.
    Path home = dir.resolve("spark-home");
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
    Path executorHome = Files.createDirectories(dir.resolve("executor-home"));
    List<String> executorOpts = new ArrayList<>(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
    executorOpts.addAll(List.of(ChildDriver.djlOptions()));
    executorOpts.add("-Duser.home=" + executorHome);

    String out = dir.resolve("local-cluster").toString();
    Path log = dir.resolve("local-cluster.log");
    int status = new ChildDriver()
        .env("SPARK_HOME", home.toString())
        .env("SPARK_SCALA_VERSION", "2.13")
        .conf("spark.master", "local-cluster[2,1,2048]")
        .conf("spark.executor.memory", "1g")
        .conf("spark.executor.extraClassPath", String.join(File.pathSeparator, dirs))
        .conf("spark.executor.extraJavaOptions", String.join(" ", executorOpts))
        .conf("spark.executorEnv.OMP_NUM_THREADS", "1")
        .run(log, ChildDriver.valueArgs(overrides(out)), 600);
    assertEquals(0, status, "local-cluster run failed; log:\n" + ChildDriver.tail(log));

    Map<?, ?> sparkRun = (Map<?, ?>) manifest(out).get("spark");
    assertEquals("local-cluster[2,1,2048]", sparkRun.get("master"));
    assertEquals(3, ((Number) sparkRun.get("executors")).intValue(), "driver + two executor JVMs");
    assertEquals(0.0, SmallValuation.maxDifference(reference, childTable(out)), "local-cluster table differs from local mode");
  }

  @Test
  void injectedTaskFailuresAreRetriedAndChangeNothing() throws Exception {
    String out = dir.resolve("retries").toString();
    Path log = dir.resolve("retries.log");
    int status = new ChildDriver()
        .conf("spark.master", "local[2,3]")
        .conf("spark.dvgs.fault.scoring", "first-attempt")
        .conf("spark.dvgs.fault.aggregation", "first-attempt")
        .run(log, ChildDriver.valueArgs(overrides(out)), 600);
    assertEquals(0, status, "run with retried failures failed; log:\n" + ChildDriver.tail(log));

    Map<String, Object> m = manifest(out);
    Map<?, ?> scoring = (Map<?, ?>) m.get("scoring");
    Map<?, ?> failed = (Map<?, ?>) ((Map<?, ?>) m.get("spark")).get("failed_task_attempts");
    long expected = ((Number) scoring.get("blocks")).longValue() * ((Number) scoring.get("partitions")).longValue();
    assertEquals(expected, ((Number) failed.get("dvgs-scoring")).longValue(), "every scoring task failed once");
    String text = Files.readString(log);
    assertTrue(text.contains("injected fault (spark.dvgs.fault.aggregation"), "aggregation tasks failed once too");
    assertEquals(0.0, SmallValuation.maxDifference(reference, childTable(out)), "retried run differs from an undisturbed one");
  }

  @Test
  void driverKilledAfterTrainingResumesFromSnapshotsWithoutRetraining() throws Exception {
    // Enough scoring work (4,000 rows x 80 snapshots, several seconds) that the driver is still busy when killed.
    String[] bigger = {"model.hidden=[64,64]", "training.epochs=10"};
    String out = dir.resolve("killed").toString();
    List<String> o = SmallValuation.overrides(spark, 4000, out, bigger);
    Path log = dir.resolve("killed.log");
    Process p = new ChildDriver().conf("spark.master", "local[2]").start(log, ChildDriver.valueArgs(o));
    Map<Path, FileTime> snaps = new TreeMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (snaps.size() < 2) {
      assertTrue(p.isAlive(), "driver ended before both restarts were persisted; log:\n" + ChildDriver.tail(log));
      assertTrue(System.nanoTime() < deadline, "no snapshots after 300 s; log:\n" + ChildDriver.tail(log));
      Thread.sleep(20);
      snaps = snapshotFiles(Path.of(out, "checkpoints"));
    }
    p.destroyForcibly();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(137, p.exitValue(), "killed by SIGKILL; log:\n" + ChildDriver.tail(log));
    assertFalse(Files.exists(Path.of(out, "manifest.json")), "the driver was killed before it finished");
    assertFalse(Files.exists(Path.of(out, "values")), "no value table from the killed run");

    // A fresh run with the same config and output: no overwrite needed, no training, the same table.
    ValuationJob.Outcome resumed = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
    Map<?, ?> training = (Map<?, ?>) ManifestCodec.toMap(resumed.manifest()).get("training");
    assertEquals(2, training.get("restarts_reused"));
    for (Object r : (List<?>) training.get("restarts")) {
      assertEquals(Boolean.TRUE, ((Map<?, ?>) r).get("reused"), r.toString());
    }
    assertEquals(snaps, snapshotFiles(Path.of(out, "checkpoints")), "snapshot files untouched by the resumed run");

    List<String> fresh = SmallValuation.overrides(spark, 4000, dir.resolve("killed-reference").toString(), bigger);
    ValuationJob.Outcome clean = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(fresh.toArray(new String[0]))));
    assertEquals(0, clean.manifest().training().restartsReused());
    assertEquals(0.0, SmallValuation.maxDifference(SmallValuation.table(clean.values()), SmallValuation.table(resumed.values())),
        "resumed table differs from an uninterrupted run");
  }

  static Map<Path, FileTime> snapshotFiles(Path root) throws IOException {
    Map<Path, FileTime> out = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : (Iterable<Path>) s.filter(x -> x.getFileName().toString().matches("restart-\\d+\\.snap"))::iterator) {
        out.put(f, Files.getLastModifiedTime(f));
      }
    }
    return out;
  }
}
