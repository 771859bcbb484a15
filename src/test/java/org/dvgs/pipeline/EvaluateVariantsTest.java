package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** DVGS variants run as methods of their own in one evaluate run, on the same corrupted rows. */
class EvaluateVariantsTest {
  @Test
  void variantsRunAsMethodsOnTheSameRowsAndShareSnapshots() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("evaluate-variants");
    String[] base = EvaluateRunTest.inputs(dir, 600);
    DvgsConfig cfg = EvaluateRunTest.config(base,
        "evaluation.seeds=[3]", "evaluation.source-sample-size=300", "evaluation.metrics=[auroc]",
        "evaluation.variants.burn { aggregation.burn-in = 4 }", "evaluation.variants.lr { aggregation.weighting = learning-rate }",
        "evaluation.methods=[dvgs, \"dvgs:burn\", \"dvgs:lr\"]");
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, cfg));
    String out = cfg.output().path();
    Map<?, ?> methods = (Map<?, ?>) m.get("methods");
    assertEquals(List.of("dvgs", "dvgs:burn", "dvgs:lr"), List.copyOf(methods.keySet()));
    Dataset<Row> results = spark.read().parquet(out + "/results");
    Dataset<Row> a = results.filter("method = 'dvgs'").select("sample_id", "corrupted");
    for (String v : List.of("dvgs:burn", "dvgs:lr")) {
      Dataset<Row> b = results.filter("method = '" + v + "'").select("sample_id", "corrupted");
      assertEquals(300, b.count(), v);
      assertEquals(0, a.except(b).count(), v);
    }
    // The same training: the variants reuse the seed's snapshots; learning-rate weighting is the mean here.
    List<Row> dvgs = spark.read().parquet(out + "/seed-3/values").orderBy("sample_id").select("sample_id", "value", "n_checkpoints").collectAsList();
    List<Row> lr = spark.read().parquet(out + "/variants/lr/seed-3/values").orderBy("sample_id").select("sample_id", "value", "n_checkpoints").collectAsList();
    assertEquals(dvgs, lr);
    List<Row> burn = spark.read().parquet(out + "/variants/burn/seed-3/values").orderBy("sample_id").select("sample_id", "value", "n_checkpoints").collectAsList();
    assertNotEquals(dvgs, burn);
    assertEquals(dvgs.get(0).getInt(2) - 4, burn.get(0).getInt(2));
    assertEquals(3, spark.read().parquet(out + "/metrics").filter("metric = 'auroc'").count());
    String html = dir.resolve("report.html").toString();
    org.dvgs.report.EvaluationReport.write(spark, out, html);
    String page;
    try {
      page = java.nio.file.Files.readString(Path.of(html));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertTrue(page.contains("dvgs:burn") && page.contains("dvgs:lr"), "the report compares the variants");
  }

  @Test
  void variantKeysAndNamesAreChecked() {
    Path dir = SharedSpark.tempDir("evaluate-variants-bad");
    String[] base = EvaluateRunTest.inputs(dir, 100);
    ConfigValidationException unknown = assertThrows(ConfigValidationException.class, () -> EvaluateRunTest.config(base,
        "evaluation.variants.x { aggregation.burnin = 4 }", "evaluation.methods=[dvgs, \"dvgs:x\"]"));
    assertTrue(unknown.getMessage().contains("dvgs.evaluation.variants.x.aggregation.burnin"), unknown.getMessage());
    ConfigValidationException undefined = assertThrows(ConfigValidationException.class, () -> EvaluateRunTest.config(base,
        "evaluation.methods=[dvgs, \"dvgs:nothere\"]"));
    assertTrue(undefined.getMessage().contains("nothere"), undefined.getMessage());
    ConfigValidationException badValue = assertThrows(ConfigValidationException.class, () -> EvaluateRunTest.config(base,
        "evaluation.variants.x { aggregation.weighting = median }", "evaluation.methods=[dvgs]"));
    assertTrue(badValue.getMessage().contains("evaluation.variants.x") && badValue.getMessage().contains("weighting"), badValue.getMessage());
    ConfigValidationException outside = assertThrows(ConfigValidationException.class, () -> EvaluateRunTest.config(base,
        "evaluation.variants.x { evaluation.label-flip-fraction = 0.3 }", "evaluation.methods=[dvgs]"));
    assertTrue(outside.getMessage().contains("may only change"), outside.getMessage());
  }
}
