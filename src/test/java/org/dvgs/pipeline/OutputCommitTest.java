package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.output.ManifestCodec;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.scoring.FaultInjection;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The value table as other people read it: partitioned by run id with a stable schema, committed at once (a failed
 * run leaves no partition and no manifest, and the next run resumes from its snapshots), with Spark job groups and
 * descriptions per stage.
 */
class OutputCommitTest {
  static SparkSession spark;
  static Path dir;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("commit");
  }

  static DvgsConfig config(String out, String... more) {
    return TestConfigs.of(SmallValuation.overrides(spark, 600, out, more).toArray(new String[0]));
  }

  static final class JobRecorder extends SparkListener {
    final List<String[]> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      jobs.add(new String[] {start.properties().getProperty("spark.jobGroup.id"), start.properties().getProperty("spark.job.description")});
    }
  }

  @Test
  void partitionedTableStableSchemaFilesInManifestAndJobGroups() throws Exception {
    String out = dir.resolve("layout").toString();
    String runId = "dvgs_2026-11-23#a/b";
    // The config first: on first use it writes the test data, with Spark jobs that are not the run's.
    DvgsConfig cfg = config(out, "run-id=\"" + runId + "\"");
    spark.sparkContext().listenerBus().waitUntilEmpty();
    JobRecorder recorder = new JobRecorder();
    spark.sparkContext().addSparkListener(recorder);
    ValuationJob.Outcome o;
    try {
      o = ValuationJob.run(spark, ValuationRequest.of(cfg));
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(recorder);
    }

    // Layout: one escaped partition directory per table, nothing left in staging.
    Path partition = Path.of(out, "values", "run_id=dvgs_2026-11-23%23a%2Fb");
    assertTrue(Files.isDirectory(partition), "partition directory " + partition);
    assertTrue(Files.isDirectory(Path.of(out, "rejects", "run_id=dvgs_2026-11-23%23a%2Fb")));
    assertFalse(Files.exists(Path.of(out, "_staging")), "staging removed after the commit");

    // The manifest names the partition's data files and row count.
    Map<?, ?> output = (Map<?, ?>) ManifestCodec.toMap(o.manifest()).get("output");
    List<String> onDisk = new ArrayList<>();
    try (Stream<Path> s = Files.list(partition)) {
      s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_") && !n.startsWith(".")).sorted().forEach(onDisk::add);
    }
    assertEquals(onDisk, output.get("values_files"));
    assertFalse(onDisk.isEmpty());
    assertEquals(600L, ((Number) output.get("values_rows")).longValue());
    assertEquals(partition.toUri().getPath().replaceAll("/$", ""), new org.apache.hadoop.fs.Path((String) output.get("values_partition")).toUri().getPath());

    // A plain read of values/ gives the documented schema, run_id a string from the partition directory.
    Dataset<Row> plain = spark.read().parquet(Path.of(out, "values").toString());
    StructType expected = new StructType()
        .add("sample_id", DataTypes.StringType).add("value", DataTypes.DoubleType).add("value_std", DataTypes.DoubleType)
        .add("n_checkpoints", DataTypes.IntegerType).add("run_id", DataTypes.StringType);
    assertEquals(expected.simpleString(), plain.schema().asNullable().simpleString());
    assertEquals(600, plain.count());
    assertEquals(List.of(runId), plain.select("run_id").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertEquals(600, o.values().count());
    // The run reads its partition back with the schema given; inferring it from the files gives the same.
    Dataset<Row> inferred = spark.read().option("basePath", Path.of(out, "values").toString()).parquet(partition.toString());
    assertEquals(inferred.schema(), o.values().schema());
    assertEquals(0L, o.manifest().spark().failedTaskAttempts().get("dvgs-scoring"));

    // Every Spark job of the run carries its stage's group and a description; scoring says which block.
    List<String> groups = new ArrayList<>();
    for (String[] j : recorder.jobs) {
      assertTrue(j[0] != null && j[0].startsWith("dvgs-"), "job without a dvgs group: " + java.util.Arrays.toString(j));
      assertTrue(j[1] != null && j[1].startsWith("dvgs"), "job without a description: " + java.util.Arrays.toString(j));
      groups.add(j[0]);
    }
    assertTrue(groups.containsAll(List.of("dvgs-load", "dvgs-scoring", "dvgs-aggregation")), groups.toString());
    assertTrue(recorder.jobs.stream().anyMatch(j -> j[1].startsWith("dvgs scoring: block 1 of 1")), "scoring block description");
  }

  @Test
  void runIdsThatWouldNotReadBackAsStringsAreRejected() {
    for (String bad : List.of("2026-11-23", "20261123", "NaN", "Infinity", "_x", "1st")) {
      ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> TestConfigs.of("run-id=" + bad), bad);
      assertTrue(e.getMessage().contains("dvgs.run-id"), e.getMessage());
    }
    assertEquals("dvgs_20261123", TestConfigs.of("run-id=dvgs_20261123").runId());
  }

  @Test
  void failedRunLeavesNoTableAndTheNextRunResumesFromItsSnapshots() throws IOException {
    String out = dir.resolve("failed").toString();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setLocalProperty(FaultInjection.PROPERTY_PREFIX + "aggregation", "always");
    Exception e;
    try {
      e = assertThrows(Exception.class, () -> ValuationJob.run(spark, ValuationRequest.of(config(out))));
    } finally {
      jsc.setLocalProperty(FaultInjection.PROPERTY_PREFIX + "aggregation", null);
    }
    assertTrue(String.valueOf(e.getMessage()).contains("injected fault"), e.getMessage());
    assertFalse(Files.exists(Path.of(out, "manifest.json")), "no manifest after a failed run");
    assertFalse(Files.exists(Path.of(out, "values")), "no value table after a failed run");
    assertFalse(Files.exists(Path.of(out, "rejects")), "no rejects table after a failed run");
    try (Stream<Path> snaps = Files.walk(Path.of(out, "checkpoints"))) {
      assertEquals(2, snaps.filter(p -> p.getFileName().toString().matches("restart-\\d+\\.snap")).count(), "both restarts persisted");
    }

    // Same output, no overwrite: the run resumes, reuses both restarts and gives the table of an uninterrupted run.
    ValuationJob.Outcome resumed = ValuationJob.run(spark, ValuationRequest.of(config(out)));
    assertEquals(2, resumed.manifest().training().restartsReused());
    assertFalse(Files.exists(Path.of(out, "_staging")));
    ValuationJob.Outcome clean = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("clean").toString())));
    assertEquals(0, clean.manifest().training().restartsReused());
    assertEquals(0.0, SmallValuation.maxDifference(SmallValuation.table(clean.values()), SmallValuation.table(resumed.values())));

    // A complete output is still refused without overwrite.
    assertThrows(ConfigValidationException.class, () -> ValuationJob.run(spark, ValuationRequest.of(config(out))));
  }

  @Test
  void unknownFaultSettingsAreErrors() {
    assertThrows(ConfigValidationException.class, () -> FaultInjection.check("spark.dvgs.fault.scoring", "sometimes"));
  }
}
