package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** dvgs.aggregation and dvgs.preset: weighting, burn-in, standardisation; exact and independent of partitioning. */
class AggregationTest {
  static SparkSession spark;
  static Path dir;
  static String source;
  static String target;
  static int run;

  @BeforeAll
  static void data() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("aggregation");
    target = SyntheticData.write(spark, SyntheticData.classification(7, "t", 160, 3, 6, 1.2, 0.0), dir.resolve("target").toString(), 1);
    source = SyntheticData.write(spark, SyntheticData.classification(8, "s", 240, 3, 6, 1.2, 0.2), dir.resolve("source").toString(), 3);
  }

  static DvgsConfig config(String... more) {
    List<String> o = new java.util.ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[12]", "training.batch-size=40", "training.epochs=2", "training.restarts=2", "training.learning-rate=0.02",
        "training.checkpoint-dir=\"" + dir.resolve("checkpoints") + "\"", "run-id=agg",
        "scoring.batch-size=64", "output.path=\"" + dir.resolve("out" + (run++)) + "\""));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  static Map<String, double[]> table(String... more) {
    ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.of(config(more)));
    Map<String, double[]> m = new HashMap<>();
    for (Row r : o.values().collectAsList()) {
      m.put(r.getString(0), new double[] {r.getDouble(1), r.isNullAt(2) ? Double.NaN : r.getDouble(2), r.getInt(3)});
    }
    return m;
  }

  static void assertSame(Map<String, double[]> a, Map<String, double[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String id : a.keySet()) {
      for (int j = 0; j < 3; j++) {
        assertEquals(a.get(id)[j], b.get(id)[j], 0.0, id + " column " + j);
      }
    }
  }

  @Test
  void paperPresetAndLearningRateWeightingReproduceTheMeanBitForBit() {
    // The defaults before scoring.preconditioner became auto: the paper's metric and its plain mean.
    Map<String, double[]> base = table("scoring.preconditioner=none");
    assertEquals(240, base.size());
    // 2 restarts x 2 epochs x ceil(160 / 40) steps.
    base.values().forEach(v -> assertEquals(16, (int) v[2]));
    assertSame(base, table("preset=paper"));
    // A constant learning rate gives every checkpoint the same weight: the mean.
    assertSame(base, table("scoring.preconditioner=none", "aggregation.weighting=learning-rate"));
    // Today's defaults (Adam's metric with Adam) are not the paper's: the preset is what keeps its values.
    Map<String, double[]> defaults = table();
    int differ = 0;
    for (String id : base.keySet()) {
      differ += base.get(id)[0] != defaults.get(id)[0] ? 1 : 0;
    }
    assertTrue(differ > 200, differ + " of 240 values differ between the defaults and the paper preset");
  }

  @Test
  void burnInDropsTheFirstSnapshotsOfEveryRestart() {
    Map<String, double[]> base = table();
    Map<String, double[]> burnt = table("aggregation.burn-in=3");
    burnt.values().forEach(v -> assertEquals(2 * (8 - 3), (int) v[2]));
    int differ = 0;
    for (String id : base.keySet()) {
      differ += base.get(id)[0] != burnt.get(id)[0] ? 1 : 0;
    }
    assertTrue(differ > 200, differ + " values changed");
    ConfigValidationException e =
        assertThrows(ConfigValidationException.class, () -> table("aggregation.burn-in=8"));
    assertTrue(e.getMessage().contains("dvgs.aggregation.burn-in"), e.getMessage());
  }

  @Test
  void weightedAndStandardisedValuesAreExactUnderAnyPartitioning() {
    String[] opts = {"aggregation.weighting=loss-drop", "aggregation.burn-in=1", "aggregation.standardise=true"};
    Map<String, double[]> a = table(concat(opts, "scoring.partitions=1", "scoring.batch-size=1000"));
    Map<String, double[]> b = table(concat(opts, "scoring.partitions=5", "scoring.batch-size=9"));
    assertSame(a, b);
    // The first kept snapshot of each restart weighs 0, so at most 2 x (8 - 1 - 1) checkpoints count.
    int n = (int) a.values().iterator().next()[2];
    assertTrue(n >= 1 && n <= 12, "n_checkpoints " + n);
    a.values().forEach(v -> assertEquals(n, (int) v[2]));
    assertNotEquals(table(opts).get("s0")[0], table().get("s0")[0]);
  }

  @Test
  void standardisedCheckpointsAverageToZeroOverTheRows() {
    Map<String, double[]> z = table("aggregation.standardise=true");
    double sum = 0;
    double sq = 0;
    for (double[] v : z.values()) {
      sum += v[0];
      sq += v[0] * v[0];
    }
    // Each checkpoint's z-scores have mean 0 over the rows, so the rows' mean values do too.
    assertEquals(0.0, sum / z.size(), 1e-9);
    assertTrue(sq / z.size() > 0.01);
  }

  @Test
  void presetPinsAreRefusedWhenTheUserSetsAnotherValue() {
    ConfigValidationException e =
        assertThrows(ConfigValidationException.class, () -> TestConfigs.of("preset=paper", "aggregation.burn-in=2"));
    assertTrue(e.getMessage().contains("dvgs.aggregation.burn-in") && e.getMessage().contains("paper"), e.getMessage());
    assertEquals(0, TestConfigs.of("preset=paper", "aggregation.burn-in=0").aggregation().burnIn());
    assertEquals(4, TestConfigs.of("aggregation.burn-in=4").aggregation().burnIn());
    ConfigValidationException unknown = assertThrows(ConfigValidationException.class, () -> TestConfigs.of("preset=tracin"));
    assertTrue(unknown.getMessage().contains("dvgs.preset"), unknown.getMessage());
    ConfigValidationException bad =
        assertThrows(ConfigValidationException.class, () -> TestConfigs.of("aggregation.weighting=median"));
    assertTrue(bad.getMessage().contains("dvgs.aggregation.weighting"), bad.getMessage());
  }

  static String[] concat(String[] a, String... b) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
  }
}
