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
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, cfg));
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
    // Default metrics: auroc, kmeans_f1 per seed; discovery and ROC curves.
    assertEquals(4, spark.read().parquet(out + "/metrics").count());
    assertEquals(2, spark.read().parquet(out + "/metrics").filter("metric = 'kmeans_f1' and value > 0.3").count());
    assertEquals(2, spark.read().parquet(out + "/curves").filter("curve = 'discovery' and x = 1.0 and y = 1.0").count());
    assertEquals(0, results.filter("corrupted <> label_flipped or noise_rate <> 0").count());
    assertTrue(new java.io.File(out, "manifest.json").isFile());
  }

  static String[] inputs(Path dir, int sourceRows) {
    SparkSession spark = SharedSpark.get();
    String target = SyntheticData.write(spark, SyntheticData.classification(8, "t", 240, 2, 6, 1.0, 0.0), dir.resolve("t").toString(), 1);
    String source = SyntheticData.write(spark, SyntheticData.classification(8, "s", sourceRows, 2, 6, 1.0, 0.0), dir.resolve("s").toString(), 3);
    return new String[] {
      "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
      "input.source.features.column=features", "input.target.features.column=features",
      "input.source.id-column=id", "input.target.id-column=id",
      "input.source.label-column=label", "input.target.label-column=label",
      "model.hidden=[16]", "training.batch-size=60", "training.epochs=4", "training.learning-rate=0.01",
      "output.path=\"" + dir.resolve("out") + "\""};
  }

  static DvgsConfig config(String[] base, String... more) {
    List<String> all = new java.util.ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return TestConfigs.of(all.toArray(new String[0]));
  }

  @Test
  void labelFlipsFeatureNoiseAndFilterRetrainOnTheSourceRemainder() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("evaluate-all");
    DvgsConfig cfg = config(inputs(dir, 1500),
        "evaluation.seeds=[5, 6]", "evaluation.source-sample-size=500", "evaluation.label-flip-fraction=0.2",
        "evaluation.feature-noise.sigma-max=2.0", "evaluation.feature-noise.fraction=0.3",
        "evaluation.metrics=[auroc, spearman, discovery, kmeans-f1, retrain]",
        "evaluation.test.mode=source-remainder", "evaluation.test.size=400",
        "evaluation.retrain.grid=[0.2]", "evaluation.retrain.epochs=6");
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, cfg));
    String out = cfg.output().path();
    Map<?, ?> metrics = (Map<?, ?>) m.get("metrics");
    assertEquals(List.of("auroc", "spearman", "kmeans_f1", "retrain_all", "retrain_lowest_q0.2", "retrain_highest_q0.2"),
        List.copyOf(metrics.keySet()));
    double spearman = ((Number) ((Map<?, ?>) metrics.get("spearman")).get("mean")).doubleValue();
    assertTrue(spearman > 0.05, "noisier rows get lower values: " + spearman);

    Dataset<Row> results = spark.read().parquet(out + "/results");
    for (long seed : new long[] {5, 6}) {
      Dataset<Row> s = results.filter("seed = " + seed);
      assertEquals(500, s.count());
      assertEquals(100, s.filter("label_flipped").count());
      assertEquals(150, s.filter("noise_rate > 0").count());
      assertEquals(0, s.filter("noise_rate >= 2.0 or noise_rate < 0").count());
      assertEquals(s.filter("label_flipped or noise_rate > 0").count(), s.filter("corrupted").count());
    }
    Dataset<Row> curves = spark.read().parquet(out + "/curves");
    for (String c : List.of("roc", "discovery", "discovery_optimal", "discovery_random")) {
      assertEquals(2, curves.filter("curve = '" + c + "'").select("seed").distinct().count(), c);
    }
    // retrain curves: q = 0 (everything) and q = 0.2, per seed.
    assertEquals(4, curves.filter("curve = 'retrain_lowest'").count());
    assertEquals(2, curves.filter("curve = 'retrain_highest' and x = 0.2").count());
    assertEquals(12, spark.read().parquet(out + "/metrics").count());
    assertTrue(new java.io.File(out, "metrics_csv").isDirectory());
    assertTrue(new java.io.File(out, "curves_csv").isDirectory());
    Map<?, ?> run0 = (Map<?, ?>) ((List<?>) m.get("runs")).get(0);
    assertTrue(((Map<?, ?>) run0.get("timings")).containsKey("retrain_s"));
    // Each seed's remainder test set: drawn from the valid source rows, its size in the seed's run.
    for (Object run : (List<?>) m.get("runs")) {
      assertEquals(400L, ((Map<?, ?>) run).get("test_rows"), run.toString());
    }
  }

  @Test
  void regressionWithMllibLinearRegressionOnATestTable() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("evaluate-reg");
    // The class label doubles as a numeric target: the regressor predicts it from the features.
    String[] base = inputs(dir, 900);
    // The test table holds three rows that cannot score a model: counted by reason, not dropped unseen.
    List<Row> testRows = new java.util.ArrayList<>(SyntheticData.classification(9, "x", 300, 2, 6, 1.0, 0.0));
    testRows.add(org.apache.spark.sql.RowFactory.create("bad-nan-1", new Float[] {1f, Float.NaN, 0f, 0f, 0f, 0f}, 1, false));
    testRows.add(org.apache.spark.sql.RowFactory.create("bad-nan-2", new Float[] {Float.NaN, 1f, 0f, 0f, 0f, 0f}, 0, false));
    testRows.add(org.apache.spark.sql.RowFactory.create("bad-short", new Float[] {1f, 2f, 3f}, 0, false));
    String test = SyntheticData.write(spark, testRows, dir.resolve("x").toString(), 1);
    DvgsConfig cfg = config(base, "model.task=regressor",
        "evaluation.seeds=[1]", "evaluation.source-sample-size=0", "evaluation.label-flip-fraction=0.25",
        "evaluation.metrics=[auroc, retrain]", "evaluation.test.mode=table",
        "evaluation.test.table.path=\"" + test + "\"", "evaluation.test.table.features.column=features",
        "evaluation.test.table.id-column=id", "evaluation.test.table.label-column=label",
        "evaluation.retrain.model=linear-regression", "evaluation.retrain.grid=[0.1, 0.25]");
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, cfg));
    Map<?, ?> metrics = (Map<?, ?>) m.get("metrics");
    double all = ((Number) ((Map<?, ?>) metrics.get("retrain_all")).get("mean")).doubleValue();
    assertTrue(all > 0 && all < 1, "R^2 " + all);
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    assertEquals(303L, counts.get("test_read"));
    assertEquals(300L, counts.get("test_valid"));
    assertEquals(3L, counts.get("test_rejected"));
    assertEquals(Map.of("non-finite or missing feature", 2L, "feature length", 1L), counts.get("test_rejected_by_reason"));
    assertEquals(300L, ((Map<?, ?>) ((List<?>) m.get("runs")).get(0)).get("test_rows"));
    assertTrue(((Number) ((Map<?, ?>) metrics.get("auroc")).get("mean")).doubleValue() > 0.6);
  }
  @Test
  void severalMethodsOnTheSameCorruptedRows() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("evaluate-methods");
    DvgsConfig cfg = config(inputs(dir, 1200),
        "evaluation.seeds=[2, 9]", "evaluation.source-sample-size=400", "evaluation.label-flip-fraction=0.2",
        "evaluation.methods=[random, dvgs]", "evaluation.metrics=[auroc, discovery]");
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, cfg));
    String out = cfg.output().path();
    Map<?, ?> methods = (Map<?, ?>) m.get("methods");
    assertEquals(List.of("random", "dvgs"), List.copyOf(methods.keySet()));
    // "metrics" is the first method's.
    assertEquals(((Map<?, ?>) methods.get("random")).get("metrics"), m.get("metrics"));
    double dvgs = auroc(methods, "dvgs");
    double random = auroc(methods, "random");
    assertTrue(dvgs > 0.8, "DVGS AUROC " + dvgs);
    assertTrue(Math.abs(random - 0.5) < 0.12, "random AUROC " + random);
    for (String method : List.of("random", "dvgs")) {
      Map<?, ?> rt = (Map<?, ?>) ((Map<?, ?>) methods.get(method)).get("runtime_s");
      assertEquals(2, ((List<?>) rt.get("per_seed")).size(), method);
      assertTrue(((Number) rt.get("mean")).doubleValue() > 0, method);
    }
    assertTrue(((Map<?, ?>) m.get("runtime_ratios")).get("random/dvgs") instanceof Number);

    // Both methods valued exactly the same corrupted rows of each seed.
    Dataset<Row> results = spark.read().parquet(out + "/results");
    for (long seed : new long[] {2, 9}) {
      Dataset<Row> a = results.filter("seed = " + seed + " and method = 'random'").select("sample_id", "corrupted");
      Dataset<Row> b = results.filter("seed = " + seed + " and method = 'dvgs'").select("sample_id", "corrupted");
      assertEquals(400, a.count());
      assertEquals(400, b.count());
      assertEquals(0, a.except(b).count(), "seed " + seed);
      assertEquals(80, a.filter("corrupted").count());
    }
    assertEquals(4, spark.read().parquet(out + "/metrics").count(), "auroc of two methods in two seeds");
    assertEquals(2, spark.read().parquet(out + "/curves").filter("curve = 'discovery' and x = 1.0").select("method").distinct().count());
    assertTrue(new java.io.File(out, "methods/random/seed-2").isDirectory());
    // The report compares the methods in a table and one discovery plot.
    String html = dir.resolve("report.html").toString();
    org.dvgs.report.EvaluationReport.Written w = org.dvgs.report.EvaluationReport.write(spark, out, html);
    String page = readString(html);
    assertTrue(page.contains("Methods compared") && page.contains("runtime / DVGS"), "methods table");
    assertTrue(page.contains("curve is the mean over seeds of its per-seed curves"), "discovery plot of all methods");
    assertTrue(w.plots() >= 4, "plots " + w.plots());
    // Random values come from the seed and the id alone: the same seed gives the same values.
    List<Row> first = spark.read().parquet(out + "/methods/random/seed-9").orderBy("sample_id").select("sample_id", "value").collectAsList();
    EvaluateRun.run(spark, cfg.with(Map.of("output.overwrite", true)));
    List<Row> again = spark.read().parquet(out + "/methods/random/seed-9").orderBy("sample_id").select("sample_id", "value").collectAsList();
    assertEquals(first, again);
  }

  private static String readString(String path) {
    try {
      return java.nio.file.Files.readString(Path.of(path));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double auroc(Map<?, ?> methods, String method) {
    Map<?, ?> metrics = (Map<?, ?>) ((Map<?, ?>) methods.get(method)).get("metrics");
    return ((Number) ((Map<?, ?>) metrics.get("auroc")).get("mean")).doubleValue();
  }
}
