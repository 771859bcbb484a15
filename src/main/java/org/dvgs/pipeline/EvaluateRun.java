package org.dvgs.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.config.EvaluationConfig.Metric;
import org.dvgs.config.Keys;
import org.dvgs.config.TrainingConfig;
import org.dvgs.evaluation.Corruption;
import org.dvgs.evaluation.FilterRetrain;
import org.dvgs.evaluation.RetrainModels;
import org.dvgs.evaluation.ValueMetrics;
import org.dvgs.io.CanonicalRow;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.io.Manifest;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code evaluate} command: for every seed, sample and corrupt the source (label flips before scaling,
 * feature noise after), value it, and measure how well low values find the corruption: AUROC, Spearman with the
 * noise rate, the discovery and ROC curves, a 2-means F1, and filter-and-retrain curves on a held-out test set. All
 * seeds run in one Spark session on inputs read once.
 *
 * <p>Output: {@code seed-<s>/} (each seed's valuation run), {@code results/} (every valued row of every seed with
 * its ground truth: {@code corrupted, label_flipped, noise_rate, seed}), {@code metrics/} and {@code metrics_csv/}
 * ({@code seed, metric, value}), {@code curves/} and {@code curves_csv/} ({@code seed, curve, x, y}) and, last,
 * {@code manifest.json} with each metric's mean, standard deviation and per-seed values.
 */
public final class EvaluateRun {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateRun.class);

  private EvaluateRun() {}

  /** Schema of {@code results/}. */
  public static StructType resultsSchema() {
    StructType s = org.dvgs.aggregation.ValueTable.schema(true);
    return s.add("label_flipped", DataTypes.BooleanType, false).add("noise_rate", DataTypes.DoubleType, false).add("seed", DataTypes.LongType, false);
  }

  public static Map<String, Object> run(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    EvaluationConfig ev = cfg.evaluation();
    ev.checkFor(cfg.model());
    cfg.output().requirePath();
    String out = cfg.output().path();
    ValuationJob.prepareOutput(spark.sparkContext().hadoopConfiguration(), out, cfg.output().overwrite());

    // Inputs are read and validated once; each seed samples and corrupts its own copy of the valid rows.
    InputLoader.RawInputs raw = InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize());
    JavaRDD<CanonicalRow> testTable = null;
    Map<String, Object> testCounts = new LinkedHashMap<>();
    if (ev.wants(Metric.RETRAIN) && ev.test().mode() == EvaluationConfig.TestMode.TABLE) {
      JavaRDD<CanonicalRow> all = InputLoader.readLike(spark, raw, ev.test().table(), "test").persist(StorageLevel.MEMORY_AND_DISK());
      long read = all.count();
      testTable = all.filter(CanonicalRow::valid);
      long valid = testTable.count();
      testCounts.put("test_read", read);
      testCounts.put("test_rejected", read - valid);
      if (valid == 0) {
        throw new org.dvgs.io.InputException("test table " + ev.test().table().path() + " has no valid rows");
      }
    }

    Map<String, List<Double>> metricSeries = new LinkedHashMap<>();
    List<Row> metricRows = new ArrayList<>();
    List<Row> curveRows = new ArrayList<>();
    List<Map<String, Object>> runs = new ArrayList<>();
    Dataset<Row> results = null;
    org.dvgs.config.Task task = cfg.model().task();
    for (long seed : ev.seeds()) {
      String dir = new Path(out, "seed-" + seed).toString();
      Map<String, Object> set = new LinkedHashMap<>();
      set.put("seed", seed);
      set.put("output.path", dir);
      set.put("output.overwrite", true);
      DvgsConfig run = cfg.with(set);
      Corruption corruption = new Corruption(seed, ev.sourceSampleSize(), ev.labelFlipFraction(), ev.noiseSigmaMax(), ev.noiseFraction());
      ValueMetrics.Result[] measured = new ValueMetrics.Result[1];
      double[] metricSecs = new double[1];
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("command", "evaluate");
      extra.put("experiment", experiment(ev, task));
      ValuationJob.Outcome o = ValuationJob.run(spark, run, raw, corruption, true, values -> {
        long tm = System.nanoTime();
        Dataset<Row> withTruth = withTruth(spark, values, corruption.truth(), seed);
        measured[0] = ValueMetrics.of(withTruth, ev.wants(Metric.SPEARMAN), ev.wants(Metric.DISCOVERY), ev.wants(Metric.KMEANS_F1), seed);
        metricSecs[0] = (System.nanoTime() - tm) / 1e9;
        return ValueMetrics.describe(measured[0]);
      }, extra, true);
      ValueMetrics.Result r = measured[0];
      Dataset<Row> seedResults = withTruth(spark, o.values(), corruption.truth(), seed);

      if (ev.wants(Metric.AUROC)) {
        record(metricSeries, metricRows, seed, "auroc", r.auroc());
      }
      if (ev.wants(Metric.SPEARMAN)) {
        record(metricSeries, metricRows, seed, "spearman", r.spearman());
      }
      if (ev.wants(Metric.KMEANS_F1)) {
        record(metricSeries, metricRows, seed, "kmeans_f1", r.kmeansF1());
      }
      if (ev.wants(Metric.DISCOVERY)) {
        addCurve(curveRows, seed, "roc", r.roc());
        addCurve(curveRows, seed, "discovery", r.discovery());
        addCurve(curveRows, seed, "discovery_optimal", ValueMetrics.optimalDiscovery(r.corrupted(), r.rows() - r.corrupted()));
        addCurve(curveRows, seed, "discovery_random", ValueMetrics.randomDiscovery());
      }

      double retrainSecs = 0;
      if (ev.wants(Metric.RETRAIN)) {
        long tr = System.nanoTime();
        LoadedInputs in = o.inputs();
        JavaRDD<CanonicalRow> test =
            testTable != null
                ? testTable
                : corruption.remainder(raw.source().filter(CanonicalRow::valid), ev.test().size());
        JavaRDD<CanonicalRow> scaledTest = InputLoader.scale(test, in.scaler());
        NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
        TrainingConfig tc = retrainTraining(cfg.training(), ev.retrain());
        FilterRetrain.Model model =
            RetrainModels.of(ev.retrain().model(), spec, tc, cfg.model().classBalanced(), Engines.device(cfg.device(), -1), ev.retrain().maxIter());
        spark.sparkContext().setJobGroup("dvgs-retrain", "dvgs: filter-and-retrain, seed " + seed, false);
        List<FilterRetrain.Point> points = FilterRetrain.run(spark, in.source(), o.values(), "value", scaledTest, ev.retrain().grid(), model, seed);
        spark.sparkContext().clearJobGroup();
        FilterRetrain.Point all = points.get(0);
        record(metricSeries, metricRows, seed, "retrain_all", all.metric());
        List<double[]> low = new ArrayList<>();
        List<double[]> high = new ArrayList<>();
        low.add(new double[] {0, all.metric()});
        high.add(new double[] {0, all.metric()});
        for (FilterRetrain.Point p : points.subList(1, points.size())) {
          boolean lowest = p.direction() == FilterRetrain.Direction.LOWEST;
          record(metricSeries, metricRows, seed, (lowest ? "retrain_lowest_q" : "retrain_highest_q") + qName(p.q()), p.metric());
          (lowest ? low : high).add(new double[] {p.q(), p.metric()});
        }
        addCurve(curveRows, seed, "retrain_lowest", curveOf(low));
        addCurve(curveRows, seed, "retrain_highest", curveOf(high));
        retrainSecs = (System.nanoTime() - tr) / 1e9;
      }

      Map<String, Object> rr = new LinkedHashMap<>();
      rr.put("seed", seed);
      rr.put("run_id", o.runId());
      rr.put("source_rows", corruption.sampled());
      rr.put("flipped", corruption.flipped());
      rr.put("noisy", corruption.noisy());
      rr.put("metrics", ValueMetrics.describe(r));
      Map<String, Object> timings = new LinkedHashMap<>((Map<?, ?>) o.manifest().get("timings") == null ? Map.of() : castMap(o.manifest().get("timings")));
      timings.put("metrics_s", metricSecs[0]);
      timings.put("retrain_s", retrainSecs);
      rr.put("timings", timings);
      runs.add(rr);
      results = results == null ? seedResults : results.unionByName(seedResults);
      LOG.info("seed {}: auroc {} spearman {} kmeans_f1 {}", seed, r.auroc(), r.spearman(), r.kmeansF1());
    }
    raw.release();
    long tw = System.nanoTime();
    results.write().mode(SaveMode.Overwrite).parquet(new Path(out, "results").toString());
    StructType ms = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("metric", DataTypes.StringType, false),
        DataTypes.createStructField("value", DataTypes.DoubleType, true)));
    Dataset<Row> metrics = spark.createDataFrame(metricRows, ms).coalesce(1);
    metrics.write().mode(SaveMode.Overwrite).parquet(new Path(out, "metrics").toString());
    metrics.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "metrics_csv").toString());
    StructType cs = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("curve", DataTypes.StringType, false),
        DataTypes.createStructField("x", DataTypes.DoubleType, false),
        DataTypes.createStructField("y", DataTypes.DoubleType, true)));
    Dataset<Row> curves = spark.createDataFrame(curveRows, cs).coalesce(1);
    curves.write().mode(SaveMode.Overwrite).parquet(new Path(out, "curves").toString());
    curves.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "curves_csv").toString());

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "evaluate");
    m.put("seeds", ev.seeds());
    m.put("versions", ValuationJob.versions(spark));
    m.put("experiment", experiment(ev, task));
    Map<String, Object> summaries = new LinkedHashMap<>();
    metricSeries.forEach((k, v) -> summaries.put(k, summary(v)));
    m.put("metrics", summaries);
    Map<String, Object> counts = new LinkedHashMap<>(raw.counts());
    counts.putAll(testCounts);
    m.put("counts", counts);
    m.put("runs", runs);
    m.put("timings", Map.of("total_s", (System.nanoTime() - t0) / 1e9, "write_s", (System.nanoTime() - tw) / 1e9));
    m.put("config", Manifest.parse(cfg.toJson()));
    Manifest.write(spark.sparkContext().hadoopConfiguration(), out, m);
    return m;
  }

  private static Map<String, Object> experiment(EvaluationConfig ev, org.dvgs.config.Task task) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("task", Keys.kebab(task));
    e.put("source_sample_size", ev.sourceSampleSize());
    e.put("label_flip_fraction", ev.labelFlipFraction());
    e.put("feature_noise_sigma_max", ev.noiseSigmaMax());
    e.put("feature_noise_fraction", ev.noiseFraction());
    e.put("metrics", ev.metrics().stream().map(Keys::kebab).toList());
    if (ev.wants(Metric.RETRAIN)) {
      e.put("retrain_model", Keys.kebab(ev.retrain().model()));
      e.put("retrain_metric", RetrainModels.metricFor(task));
      e.put("retrain_grid", ev.retrain().grid());
      e.put("test_mode", Keys.kebab(ev.test().mode()));
    }
    return e;
  }

  /** The valuation's training settings with the retrain overrides applied. */
  static TrainingConfig retrainTraining(TrainingConfig tc, EvaluationConfig.Retrain r) {
    return new TrainingConfig(
        tc.optimizer(), r.learningRate() > 0 ? r.learningRate() : tc.learningRate(), tc.momentum(), tc.weightDecay(),
        r.batchSize() > 0 ? r.batchSize() : tc.batchSize(), r.epochs() > 0 ? r.epochs() : tc.epochs(), 1, tc.snapshotEvery(),
        tc.checkpointDir(), tc.logEvery());
  }

  /** {@code q} as it appears in metric names: 0.2 -> "0.2", 0.05 -> "0.05". */
  static String qName(double q) {
    String s = String.format(Locale.ROOT, "%.6f", q).replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  private static void record(Map<String, List<Double>> series, List<Row> rows, long seed, String name, double v) {
    series.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    rows.add(RowFactory.create(seed, name, Double.isFinite(v) ? v : null));
  }

  private static void addCurve(List<Row> rows, long seed, String name, ValueMetrics.Curve c) {
    if (c == null) {
      return;
    }
    for (int i = 0; i < c.size(); i++) {
      rows.add(RowFactory.create(seed, name, c.x()[i], Double.isFinite(c.y()[i]) ? c.y()[i] : null));
    }
  }

  private static ValueMetrics.Curve curveOf(List<double[]> pts) {
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
    }
    return new ValueMetrics.Curve(x, y);
  }

  /** The value table with each row's ground truth and the seed. */
  static Dataset<Row> withTruth(SparkSession spark, Dataset<Row> values, Corruption.Truth truth, long seed) {
    StructType base = org.dvgs.aggregation.ValueTable.schema(true);
    Dataset<Row> ordered = values.select(java.util.Arrays.stream(base.fieldNames()).map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
    return spark.createDataFrame(ordered.javaRDD().map(new AddTruth(truth, seed)), resultsSchema());
  }

  private static final class AddTruth implements Function<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Corruption.Truth truth;
    private final long seed;

    AddTruth(Corruption.Truth truth, long seed) {
      this.truth = truth;
      this.seed = seed;
    }

    @Override
    public Row call(Row r) {
      String id = r.getString(0);
      Object[] v = new Object[r.length() + 3];
      for (int i = 0; i < r.length(); i++) {
        v[i] = r.get(i);
      }
      v[r.length()] = truth.labelFlipped(id);
      v[r.length() + 1] = truth.noiseRate(id);
      v[r.length() + 2] = seed;
      return RowFactory.create(v);
    }
  }

  /** Mean, sample standard deviation and per-seed values; undefined (NaN) values are left out of mean and std. */
  public static Map<String, Object> summary(List<Double> v) {
    List<Double> finite = v.stream().filter(Double::isFinite).toList();
    double mean = finite.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double ss = 0;
    for (double x : finite) {
      ss += (x - mean) * (x - mean);
    }
    double std = finite.size() > 1 ? Math.sqrt(ss / (finite.size() - 1)) : 0.0;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", ValueMetrics.finiteOrNull(mean));
    m.put("std", finite.isEmpty() ? null : std);
    m.put("per_seed", v.stream().map(ValueMetrics::finiteOrNull).toList());
    return m;
  }
}
