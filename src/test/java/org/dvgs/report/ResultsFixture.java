package org.dvgs.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.Stats;
import org.dvgs.evaluation.ValueMetrics;
import org.dvgs.output.Manifest;

/**
 * Writes an {@code evaluate} results folder with Spark, laid out exactly as {@code evaluate} writes it (manifest,
 * {@code results/}, {@code metrics/} and {@code metrics_csv/}, {@code curves/} and {@code curves_csv/},
 * {@code seed-<s>/}), from generated rows: corrupted rows get lower values, noisier rows lower still. Metrics and
 * curves are computed from those rows with the project's own metric code; retrain curves are generated numbers
 * shaped like real ones (they come from a model the fixture does not train).
 */
final class ResultsFixture {
  static final StructType RESULTS = new StructType()
      .add("sample_id", DataTypes.StringType, false).add("value", DataTypes.DoubleType, false)
      .add("value_std", DataTypes.DoubleType, true).add("n_checkpoints", DataTypes.IntegerType, false)
      .add("run_id", DataTypes.StringType, false).add("corrupted", DataTypes.BooleanType, false)
      .add("label_flipped", DataTypes.BooleanType, false).add("noise_rate", DataTypes.DoubleType, false)
      .add("seed", DataTypes.LongType, false);
  static final StructType METRICS = new StructType()
      .add("seed", DataTypes.LongType, false).add("metric", DataTypes.StringType, false).add("value", DataTypes.DoubleType, true);
  static final StructType CURVES = new StructType()
      .add("seed", DataTypes.LongType, false).add("curve", DataTypes.StringType, false)
      .add("x", DataTypes.DoubleType, false).add("y", DataTypes.DoubleType, false);
  static final double[] GRID = {0.1, 0.2, 0.3};

  List<Long> seeds = List.of(0L, 1L);
  int rows = 600;
  double flipFraction = 0.2;
  double sigmaMax = 1.5;
  double noiseFraction = 0.25;
  boolean curves = true;
  boolean retrain = true;

  /** Per-seed stage timings written to the manifest: seed s gets {@code base + s} seconds per stage. */
  static double timing(String stage, long seed) {
    return List.of("load_s", "train_s", "score_s", "aggregate_s", "total_s", "metrics_s", "retrain_s").indexOf(stage) * 2 + 1.5 + seed;
  }

  Path write(SparkSession spark, Path dir) {
    String out = dir.toString();
    List<Row> resultRows = new ArrayList<>();
    List<Row> metricRows = new ArrayList<>();
    List<Row> curveRows = new ArrayList<>();
    Map<String, List<Double>> perSeed = new LinkedHashMap<>();
    List<Map<String, Object>> runs = new ArrayList<>();
    for (long seed : seeds) {
      SplittableRandom rnd = new SplittableRandom(1000 + seed);
      String runId = "run-fixture-" + seed;
      double[] values = new double[rows];
      double[] noise = new double[rows];
      boolean[] bad = new boolean[rows];
      int flipped = 0;
      int noisy = 0;
      List<Row> seedRows = new ArrayList<>();
      for (int i = 0; i < rows; i++) {
        boolean flip = rnd.nextDouble() < flipFraction;
        double rate = sigmaMax > 0 && rnd.nextDouble() < noiseFraction ? rnd.nextDouble() * sigmaMax : 0;
        bad[i] = flip || rate > 0;
        noise[i] = rate;
        flipped += flip ? 1 : 0;
        noisy += rate > 0 ? 1 : 0;
        values[i] = 0.1 + 0.05 * rnd.nextGaussian() - (flip ? 0.12 : 0) - 0.04 * rate;
        Row r = RowFactory.create("id-" + i, values[i], 0.01, 6, runId, bad[i], flip, rate, seed);
        resultRows.add(r);
        seedRows.add(RowFactory.create("id-" + i, values[i], 0.01, 6, runId));
      }
      double[] score = new double[rows];
      for (int i = 0; i < rows; i++) {
        score[i] = -values[i];
      }
      ValueMetrics.Curve roc = ValueMetrics.roc(score, bad);
      metric(perSeed, metricRows, seed, "auroc", ValueMetrics.area(roc));
      if (sigmaMax > 0) {
        metric(perSeed, metricRows, seed, "spearman", Stats.spearman(noise, score));
      }
      metric(perSeed, metricRows, seed, "kmeans_f1", 0.6 + 0.01 * seed);
      if (curves) {
        long pos = 0;
        for (boolean b : bad) {
          pos += b ? 1 : 0;
        }
        ValueMetrics.Curve r = ValueMetrics.downsample(roc, ValueMetrics.CURVE_POINTS);
        curve(curveRows, seed, "roc", r);
        curve(curveRows, seed, "discovery", ValueMetrics.downsample(ValueMetrics.discovery(roc, pos, rows - pos), ValueMetrics.CURVE_POINTS));
        curve(curveRows, seed, "discovery_optimal", ValueMetrics.optimalDiscovery(pos, rows - pos));
        curve(curveRows, seed, "discovery_random", ValueMetrics.randomDiscovery());
      }
      if (retrain) {
        double all = 0.90 + 0.002 * seed;
        metric(perSeed, metricRows, seed, "retrain_all", all);
        curveRows.add(RowFactory.create(seed, "retrain_lowest", 0.0, all));
        curveRows.add(RowFactory.create(seed, "retrain_highest", 0.0, all));
        for (double q : GRID) {
          double low = all + 0.03 * q + 0.004 * seed;
          double high = all - 0.2 * q - 0.01 * seed;
          metric(perSeed, metricRows, seed, "retrain_lowest_q" + q, low);
          metric(perSeed, metricRows, seed, "retrain_highest_q" + q, high);
          curveRows.add(RowFactory.create(seed, "retrain_lowest", q, low));
          curveRows.add(RowFactory.create(seed, "retrain_highest", q, high));
        }
      }
      Map<String, Object> timings = new LinkedHashMap<>();
      for (String k : List.of("load_s", "train_s", "score_s", "aggregate_s", "total_s", "metrics_s", "retrain_s")) {
        timings.put(k, timing(k, seed));
      }
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("seed", seed);
      run.put("run_id", runId);
      run.put("source_rows", rows);
      run.put("flipped", flipped);
      run.put("noisy", noisy);
      run.put("timings", timings);
      runs.add(run);

      String seedDir = dir.resolve("seed-" + seed).toString();
      StructType valuesSchema = new StructType().add("sample_id", DataTypes.StringType).add("value", DataTypes.DoubleType)
          .add("value_std", DataTypes.DoubleType).add("n_checkpoints", DataTypes.IntegerType).add("run_id", DataTypes.StringType);
      spark.createDataFrame(seedRows, valuesSchema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(seedDir + "/values");
      StructType rejectsSchema = new StructType().add("sample_id", DataTypes.StringType).add("reason", DataTypes.StringType)
          .add("run_id", DataTypes.StringType);
      spark.createDataFrame(List.of(), rejectsSchema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(seedDir + "/rejects");
      Manifest.write(spark.sparkContext().hadoopConfiguration(), seedDir, Map.of("command", "evaluate", "run_id", runId, "seed", seed));
    }
    spark.createDataFrame(resultRows, RESULTS).repartition(2).write().mode(SaveMode.Overwrite).parquet(out + "/results");
    Dataset<Row> metrics = spark.createDataFrame(metricRows, METRICS).coalesce(1);
    metrics.write().mode(SaveMode.Overwrite).parquet(out + "/metrics");
    metrics.write().mode(SaveMode.Overwrite).option("header", "true").csv(out + "/metrics_csv");
    Dataset<Row> c = spark.createDataFrame(curveRows, CURVES).coalesce(1);
    c.write().mode(SaveMode.Overwrite).parquet(out + "/curves");
    c.write().mode(SaveMode.Overwrite).option("header", "true").csv(out + "/curves_csv");

    Map<String, Object> experiment = new LinkedHashMap<>();
    experiment.put("label_flip_fraction", flipFraction);
    experiment.put("feature_noise_sigma_max", sigmaMax);
    experiment.put("feature_noise_fraction", noiseFraction);
    experiment.put("source_sample_size", rows);
    experiment.put("task", "classifier");
    experiment.put("retrain_model", retrain ? "logistic-regression" : "none");
    experiment.put("retrain_metric", "auroc");
    experiment.put("retrain_grid", retrain ? List.of(0.1, 0.2, 0.3) : List.of());
    Map<String, Object> metricSummary = new LinkedHashMap<>();
    perSeed.forEach((k, v) -> metricSummary.put(k, summary(v)));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "evaluate");
    m.put("seeds", seeds);
    m.put("versions", Map.of("spark", spark.version(), "java", System.getProperty("java.version")));
    m.put("timings", Map.of("total_s", 42.5));
    m.put("config", Manifest.parse(DvgsConfig.load(null, List.of()).toJson()));
    m.put("experiment", experiment);
    m.put("metrics", metricSummary);
    m.put("runs", runs);
    Manifest.write(spark.sparkContext().hadoopConfiguration(), out, m);
    return dir;
  }

  private static void metric(Map<String, List<Double>> perSeed, List<Row> rows, long seed, String name, double v) {
    perSeed.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    rows.add(RowFactory.create(seed, name, v));
  }

  private static void curve(List<Row> rows, long seed, String name, ValueMetrics.Curve c) {
    for (int i = 0; i < c.size(); i++) {
      rows.add(RowFactory.create(seed, name, c.x()[i], c.y()[i]));
    }
  }

  static Map<String, Object> summary(List<Double> v) {
    double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("mean", mean);
    s.put("std", v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0.0);
    s.put("per_seed", v);
    return s;
  }
}
