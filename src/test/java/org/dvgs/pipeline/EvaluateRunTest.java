package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** {@code evaluate}: per-seed sampling and label flips, AUROC per seed, results and metrics tables. */
class EvaluateRunTest {
  @Test
  void evaluatesSeveralSeedsInOneSession() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("evaluate");
    String target = SyntheticData.write(spark, SyntheticData.classification(8, "t", 240, 2, 6, 1.0, 0.0), dir.resolve("t").toString(), 1);
    String source = SyntheticData.write(spark, SyntheticData.classification(8, "s", 1500, 2, 6, 1.0, 0.0), dir.resolve("s").toString(), 3);
    String out = dir.resolve("out").toString();
    DvgsConfig cfg = TestConfigs.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[16]", "training.batch-size=60", "training.epochs=4", "training.learning-rate=0.01",
        "evaluation.seeds=[3, 11]", "evaluation.source-sample-size=500", "evaluation.label-flip-fraction=0.2",
        "output.path=\"" + out + "\"");
    Map<String, Object> m = EvaluateRun.run(spark, cfg);
    Map<?, ?> auroc = (Map<?, ?>) ((Map<?, ?>) m.get("metrics")).get("auroc");
    List<?> perSeed = (List<?>) auroc.get("per_seed");
    assertEquals(2, perSeed.size());
    double mean = ((Number) auroc.get("mean")).doubleValue();
    assertEquals((((Number) perSeed.get(0)).doubleValue() + ((Number) perSeed.get(1)).doubleValue()) / 2, mean, 1e-12);
    assertTrue(mean > 0.8, "AUROC " + mean);

    Dataset<Row> results = spark.read().parquet(out + "/results");
    Map<String, Integer> labels = new HashMap<>();
    for (Row r : spark.read().parquet(source).select("id", "label").collectAsList()) {
      labels.put(r.getString(0), r.getInt(1));
    }
    for (long seed : new long[] {3, 11}) {
      Dataset<Row> s = results.filter("seed = " + seed);
      assertEquals(500, s.count(), "sampled rows of seed " + seed);
      assertEquals(100, s.filter("corrupted").count(), "flipped rows of seed " + seed);
    }
    // The two seeds sample different rows.
    List<Row> a = results.filter("seed = 3").select("sample_id").orderBy("sample_id").limit(50).collectAsList();
    List<Row> b = results.filter("seed = 11").select("sample_id").orderBy("sample_id").limit(50).collectAsList();
    assertNotEquals(a, b);
    assertEquals(2, spark.read().parquet(out + "/metrics").count());
    assertTrue(new java.io.File(out, "manifest.json").isFile());
  }
}
