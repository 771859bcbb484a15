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
import ai.djl.Device;
import org.dvgs.baselines.MethodContext;
import org.dvgs.baselines.MethodResult;
import org.dvgs.baselines.MethodValues;
import org.dvgs.baselines.Methods;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.config.EvaluationConfig.Method;
import org.dvgs.config.EvaluationConfig.Metric;
import org.dvgs.config.Keys;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.Stats;
import org.dvgs.evaluation.Corruption;
import org.dvgs.evaluation.FilterRetrain;
import org.dvgs.evaluation.RetrainModels;
import org.dvgs.evaluation.ValueMetrics;
import org.dvgs.io.CanonicalRow;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.io.Manifest;
import org.dvgs.io.OutputDirectory;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.InputCounts;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.MetricSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code evaluate} command: for every seed, sample and corrupt the source (label flips before scaling,
 * feature noise after), value it, and measure how well low values find the corruption: AUROC, Spearman with the
 * noise rate, the discovery and ROC curves, a 2-means F1, and filter-and-retrain curves on a held-out test set. All
 * seeds run in one Spark session on inputs read once.
 *
 * <p>Several valuation methods ({@code dvgs.evaluation.methods}: DVGS and the baselines of {@link Methods}) can run
 * on the same corrupted inputs of every seed; each is timed from its prepared inputs to its written value table,
 * and measured with the same metrics. The first method listed is the primary one.
 *
 * <p>Output: {@code seed-<s>/} (each seed's DVGS valuation run), {@code methods/<method>/seed-<s>/} (the value
 * tables of the other methods), {@code results/} (every valued row of every seed and method with its
 * ground truth: {@code corrupted, label_flipped, noise_rate, seed, method}), {@code metrics/} and
 * {@code metrics_csv/} ({@code seed, metric, value, method}), {@code curves/} and {@code curves_csv/}
 * ({@code seed, curve, x, y, method}) and, last, {@code manifest.json}: {@code metrics} holds the primary method's
 * metrics (mean, standard deviation, per-seed values), {@code methods} every method's metrics and runtime, and
 * {@code runtime_ratios} each method's mean runtime over DVGS's.
 */
public final class EvaluateRun {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateRun.class);

  private EvaluateRun() {}

  /** Schema of {@code results/}. */
  public static StructType resultsSchema() {
    StructType s = org.dvgs.aggregation.ValueTable.schema(true);
    return s.add("label_flipped", DataTypes.BooleanType, false).add("noise_rate", DataTypes.DoubleType, false).add("seed", DataTypes.LongType, false)
        .add("method", DataTypes.StringType, false);
  }

  /** Runs the experiment in its claimed output directory and returns the manifest. */
  public static Map<String, Object> run(SparkSession spark, DvgsConfig cfg) {
    cfg.evaluation().checkFor(cfg.model());
    cfg.output().requirePath();
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "evaluate")) {
      return runIn(spark, cfg);
    }
  }

  private static Map<String, Object> runIn(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    EvaluationConfig ev = cfg.evaluation();
    String out = cfg.output().path();

    // Inputs are read and validated once; each seed samples and corrupts its own copy of the valid rows.
    InputLoader.RawInputs raw = InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize());
    JavaRDD<CanonicalRow> testTable = null;
    Map<String, Object> testCounts = new LinkedHashMap<>();
    if (ev.wants(Metric.RETRAIN) && ev.test().mode() == EvaluationConfig.TestMode.TABLE) {
      JavaRDD<CanonicalRow> all = InputLoader.readLike(spark, raw, ev.test().table(), "test").persist(StorageLevel.MEMORY_AND_DISK());
      try {
        testCounts.putAll(InputLoader.countRows(all, "test"));
      } catch (Exception e) {
        throw org.dvgs.io.InputException.rethrow(e);
      }
      testTable = all.filter(CanonicalRow::valid);
      if ((Long) testCounts.get("test_valid") == 0) {
        throw new org.dvgs.io.InputException("test table " + ev.test().table().path() + " has no valid rows");
      }
    }

    // method name -> metric name -> per-seed values; and method name -> per-seed runtimes
    Map<String, Map<String, List<Double>>> metricSeries = new LinkedHashMap<>();
    Map<String, List<Double>> runtimes = new LinkedHashMap<>();
    Map<String, List<Object>> methodDetails = new LinkedHashMap<>();
    for (Method m : ev.methods()) {
      metricSeries.put(Keys.kebab(m), new LinkedHashMap<>());
      runtimes.put(Keys.kebab(m), new ArrayList<>());
      methodDetails.put(Keys.kebab(m), new ArrayList<>());
    }
    List<Row> metricRows = new ArrayList<>();
    List<Row> curveRows = new ArrayList<>();
    List<EvaluateManifest.SeedRun> runs = new ArrayList<>();
    Dataset<Row> results = null;
    // Each method's values with ground truth, persisted for its metrics and kept until results/ is written.
    List<Dataset<Row>> measuredTables = new ArrayList<>();
    org.dvgs.config.Task task = cfg.model().task();
    Device device = Engines.device(cfg.device(), -1);
    for (long seed : ev.seeds()) {
      String dir = new Path(out, "seed-" + seed).toString();
      Corruption corruption = new Corruption(seed, ev.sourceSampleSize(), ev.labelFlipFraction(), ev.noiseSigmaMax(), ev.noiseFraction());
      Map<String, Object> timings = new LinkedHashMap<>();
      Map<String, EvaluateManifest.MethodRun> perMethod = new LinkedHashMap<>();
      LoadedInputs in = null;
      JavaRDD<CanonicalRow> persisted = null;
      long sourceRows = 0;
      // The seed's held-out test set, scaled like its source: the same for every method.
      JavaRDD<CanonicalRow> scaledTest = null;
      long testRows = -1;
      ValueMetrics.Result primary = null;
      for (Method method : ev.methods()) {
        String name = Keys.kebab(method);
        Dataset<Row> values;
        double runtime;
        Map<String, Object> mr = new LinkedHashMap<>();
        Measured[] measured = new Measured[1];
        double[] measuredSecs = new double[1];
        if (method == Method.DVGS) {
          Map<String, Object> set = new LinkedHashMap<>();
          set.put("seed", seed);
          set.put("output.path", dir);
          set.put("output.overwrite", true);
          Map<String, Object> extra = new LinkedHashMap<>();
          extra.put("command", "evaluate");
          extra.put("experiment", experiment(ev, task));
          // The metrics are computed inside the run so that the seed's own manifest carries them too.
          ValuationRequest request = ValuationRequest.builder(cfg.with(set)).raw(raw).transform(corruption).groundTruth(true).metrics(v -> {
            long tm = System.nanoTime();
            measured[0] = measure(spark, ev, v, corruption, seed, name);
            measuredSecs[0] = (System.nanoTime() - tm) / 1e9;
            return ValueMetrics.describe(measured[0].result());
          }).extra(extra).build();
          ValuationJob.Outcome o = ValuationJob.run(spark, request);
          values = o.values();
          Map<String, Object> t = castMap(o.manifest().get("timings"));
          timings.putAll(t);
          runtime = seconds(t, "train_s") + seconds(t, "score_s") + seconds(t, "aggregate_s");
          mr.put("run_id", o.runId());
          if (in == null) {
            in = o.inputs();
          }
        } else {
          if (persisted == null) {
            // The baselines share one materialised copy of the seed's prepared source, so their runtimes exclude
            // reading, corrupting and scaling it (as DVGS's excludes its load stage).
            long tl = System.nanoTime();
            LoadedInputs prepared = in != null ? in : InputLoader.prepare(raw, cfg.input(), corruption);
            persisted = prepared.source().persist(StorageLevel.MEMORY_AND_DISK());
            sourceRows = persisted.count();
            in = new LoadedInputs(prepared.target(), persisted, prepared.rejects(), prepared.width(), prepared.numClasses(), prepared.scaler(), prepared.counts());
            timings.putIfAbsent("load_s", (System.nanoTime() - tl) / 1e9);
          }
          NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
          MethodContext ctx = new MethodContext(in, spec, cfg.model(), cfg.training(), ev.baselines(), seed, device);
          String runId = (cfg.runId().isEmpty() ? name : cfg.runId() + "-" + name) + "-seed-" + seed;
          // Outside seed-<s>/, which the DVGS run of the seed replaces when it comes later in the list.
          String path = new Path(new Path(new Path(out, "methods"), name), "seed-" + seed).toString();
          spark.sparkContext().setJobGroup("dvgs-" + name, "dvgs evaluate: " + name + ", seed " + seed, false);
          long tm = System.nanoTime();
          MethodResult r = Methods.of(method).value(spark, ctx);
          MethodValues.table(spark, r.values(), runId).write().mode(SaveMode.Overwrite).parquet(path);
          runtime = (System.nanoTime() - tm) / 1e9;
          spark.sparkContext().clearJobGroup();
          values = spark.read().parquet(path);
          long valued = values.count();
          if (valued != sourceRows) {
            throw new IllegalStateException("method " + name + " valued " + valued + " rows of " + sourceRows + " (seed " + seed + ")");
          }
          mr.put("run_id", runId);
          mr.put("details", r.details());
          LOG.info("seed {}: {} valued {} rows in {} s", seed, name, valued, String.format(Locale.ROOT, "%.1f", runtime));
        }
        mr.put("runtime_s", runtime);
        runtimes.get(name).add(runtime);
        methodDetails.get(name).add(mr.getOrDefault("details", Map.of()));

        long tmet = System.nanoTime();
        if (method != Method.DVGS) {
          measured[0] = measure(spark, ev, values, corruption, seed, name);
          measuredSecs[0] = (System.nanoTime() - tmet) / 1e9;
        }
        Dataset<Row> withTruth = measured[0].withTruth();
        ValueMetrics.Result r = measured[0].result();
        tmet = System.nanoTime();
        primary = primary == null ? r : primary;
        Map<String, List<Double>> series = metricSeries.get(name);
        if (ev.wants(Metric.AUROC)) {
          record(series, metricRows, seed, "auroc", r.auroc(), name);
        }
        if (ev.wants(Metric.SPEARMAN)) {
          record(series, metricRows, seed, "spearman", r.spearman(), name);
        }
        if (ev.wants(Metric.KMEANS_F1)) {
          record(series, metricRows, seed, "kmeans_f1", r.kmeansF1(), name);
        }
        if (ev.wants(Metric.DISCOVERY)) {
          addCurve(curveRows, seed, "roc", r.roc(), name);
          addCurve(curveRows, seed, "discovery", r.discovery(), name);
          addCurve(curveRows, seed, "discovery_optimal", ValueMetrics.optimalDiscovery(r.corrupted(), r.rows() - r.corrupted()), name);
          addCurve(curveRows, seed, "discovery_random", ValueMetrics.randomDiscovery(), name);
        }
        double metricSecs = measuredSecs[0] + (System.nanoTime() - tmet) / 1e9;

        double retrainSecs = 0;
        if (ev.wants(Metric.RETRAIN)) {
          long tr = System.nanoTime();
          if (scaledTest == null) {
            JavaRDD<CanonicalRow> test =
                testTable != null
                    ? testTable
                    : corruption.remainder(raw.source().filter(CanonicalRow::valid), ev.test().size());
            scaledTest = InputLoader.scale(test, in.scaler());
            // The rows each retrained model is scored on; a source remainder holds valid rows only (the invalid
            // ones are the source's rejects, counted in counts.source_rejected).
            testRows = scaledTest.count();
          }
          NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
          TrainingConfig tc = retrainTraining(cfg.training(), ev.retrain());
          FilterRetrain.Model model =
              RetrainModels.of(ev.retrain().model(), spec, tc, cfg.model().classBalanced(), device, ev.retrain().maxIter());
          spark.sparkContext().setJobGroup("dvgs-retrain", "dvgs: filter-and-retrain, " + name + ", seed " + seed, false);
          List<FilterRetrain.Point> points = FilterRetrain.run(spark, in.source(), values, "value", scaledTest, ev.retrain().grid(), model, seed);
          spark.sparkContext().clearJobGroup();
          FilterRetrain.Point all = points.get(0);
          record(series, metricRows, seed, "retrain_all", all.metric(), name);
          List<double[]> low = new ArrayList<>();
          List<double[]> high = new ArrayList<>();
          low.add(new double[] {0, all.metric()});
          high.add(new double[] {0, all.metric()});
          for (FilterRetrain.Point p : points.subList(1, points.size())) {
            boolean lowest = p.direction() == FilterRetrain.Direction.LOWEST;
            record(series, metricRows, seed, (lowest ? "retrain_lowest_q" : "retrain_highest_q") + qName(p.q()), p.metric(), name);
            (lowest ? low : high).add(new double[] {p.q(), p.metric()});
          }
          addCurve(curveRows, seed, "retrain_lowest", curveOf(low), name);
          addCurve(curveRows, seed, "retrain_highest", curveOf(high), name);
          retrainSecs = (System.nanoTime() - tr) / 1e9;
        }
        mr.put("metrics", ValueMetrics.describe(r));
        mr.put("metrics_s", metricSecs);
        mr.put("retrain_s", retrainSecs);
        perMethod.put(name, ManifestCodec.fromMap(mr, EvaluateManifest.MethodRun.class));
        if (method == ev.methods().get(0)) {
          timings.put("metrics_s", metricSecs);
          timings.put("retrain_s", retrainSecs);
        }
        results = results == null ? withTruth : results.unionByName(withTruth);
        measuredTables.add(withTruth);
        LOG.info("seed {} {}: auroc {} spearman {} kmeans_f1 {}", seed, name, r.auroc(), r.spearman(), r.kmeansF1());
      }
      if (persisted != null) {
        persisted.unpersist(false);
      }

      EvaluateManifest.MethodRun first = perMethod.get(Keys.kebab(ev.methods().get(0)));
      runs.add(new EvaluateManifest.SeedRun(seed, first == null ? null : first.runId(), corruption.sampled(), corruption.flipped(),
          corruption.noisy(), testRows >= 0 ? testRows : null, ValueMetrics.describe(primary), secondsByStage(timings), perMethod));
    }
    raw.release();
    long tw = System.nanoTime();
    results.write().mode(SaveMode.Overwrite).parquet(new Path(out, "results").toString());
    for (Dataset<Row> t : measuredTables) {
      t.unpersist(false);
    }
    StructType ms = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("metric", DataTypes.StringType, false),
        DataTypes.createStructField("value", DataTypes.DoubleType, true),
        DataTypes.createStructField("method", DataTypes.StringType, false)));
    Dataset<Row> metrics = spark.createDataFrame(metricRows, ms).coalesce(1);
    metrics.write().mode(SaveMode.Overwrite).parquet(new Path(out, "metrics").toString());
    metrics.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "metrics_csv").toString());
    StructType cs = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("curve", DataTypes.StringType, false),
        DataTypes.createStructField("x", DataTypes.DoubleType, false),
        DataTypes.createStructField("y", DataTypes.DoubleType, true),
        DataTypes.createStructField("method", DataTypes.StringType, false)));
    Dataset<Row> curves = spark.createDataFrame(curveRows, cs).coalesce(1);
    curves.write().mode(SaveMode.Overwrite).parquet(new Path(out, "curves").toString());
    curves.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "curves_csv").toString());

    Map<String, EvaluateManifest.MethodSummary> methods = new LinkedHashMap<>();
    metricSeries.forEach((method, series) -> {
      Map<String, MetricSummary> summaries = new LinkedHashMap<>();
      series.forEach((k, v) -> summaries.put(k, summarise(v)));
      methods.put(method, new EvaluateManifest.MethodSummary(summaries, summarise(runtimes.get(method)), detailsOf(methodDetails.get(method))));
    });
    Map<String, Double> ratios = null;
    if (ev.runs(Method.DVGS)) {
      double dvgs = mean(runtimes.get("dvgs"));
      Map<String, Double> r = new LinkedHashMap<>();
      runtimes.forEach((method, v) -> {
        if (!method.equals("dvgs")) {
          r.put(method + "/dvgs", ValueMetrics.finiteOrNull(mean(v) / dvgs));
        }
      });
      ratios = r;
    }
    Map<String, Object> counts = new LinkedHashMap<>(raw.counts());
    counts.putAll(testCounts);
    EvaluateManifest m = new EvaluateManifest(
        EvaluateManifest.COMMAND,
        ev.seeds(),
        ValuationJob.versions(spark),
        ManifestCodec.fromMap(experiment(ev, task), EvaluateManifest.Experiment.class),
        methods.get(Keys.kebab(ev.methods().get(0))).metrics(),
        methods,
        ratios,
        InputCounts.of(counts),
        runs,
        new EvaluateManifest.Timings((System.nanoTime() - t0) / 1e9, (System.nanoTime() - tw) / 1e9),
        Manifest.parse(cfg.toJson()));
    Manifest.write(spark.sparkContext().hadoopConfiguration(), out, m);
    return ManifestCodec.toMap(m);
  }

  private static Map<String, Object> experiment(EvaluationConfig ev, org.dvgs.config.Task task) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("task", Keys.kebab(task));
    e.put("source_sample_size", ev.sourceSampleSize());
    e.put("label_flip_fraction", ev.labelFlipFraction());
    e.put("feature_noise_sigma_max", ev.noiseSigmaMax());
    e.put("feature_noise_fraction", ev.noiseFraction());
    e.put("metrics", ev.metrics().stream().map(Keys::kebab).toList());
    e.put("methods", ev.methods().stream().map(Keys::kebab).toList());
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

  private static void record(Map<String, List<Double>> series, List<Row> rows, long seed, String name, double v, String method) {
    series.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    rows.add(RowFactory.create(seed, name, Double.isFinite(v) ? v : null, method));
  }

  private static void addCurve(List<Row> rows, long seed, String name, ValueMetrics.Curve c, String method) {
    if (c == null) {
      return;
    }
    for (int i = 0; i < c.size(); i++) {
      rows.add(RowFactory.create(seed, name, c.x()[i], Double.isFinite(c.y()[i]) ? c.y()[i] : null, method));
    }
  }

  /** A method's values with their ground truth, and the metrics measured on them. */
  private record Measured(Dataset<Row> withTruth, ValueMetrics.Result result) {}

  private static Measured measure(SparkSession spark, EvaluationConfig ev, Dataset<Row> values, Corruption corruption, long seed, String method) {
    Dataset<Row> withTruth = withTruth(spark, values, corruption.truth(), seed, method).persist(StorageLevel.MEMORY_AND_DISK());
    ValueMetrics.Result r = ValueMetrics.of(withTruth, ev.wants(Metric.SPEARMAN), ev.wants(Metric.DISCOVERY), ev.wants(Metric.KMEANS_F1), seed);
    return new Measured(withTruth, r);
  }

  private static double seconds(Map<String, Object> timings, String key) {
    return timings.get(key) instanceof Number n ? n.doubleValue() : 0.0;
  }

  private static double mean(List<Double> v) {
    return Stats.mean(v.stream().mapToDouble(Double::doubleValue).toArray());
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

  /** The value table with each row's ground truth, the seed and the method. */
  static Dataset<Row> withTruth(SparkSession spark, Dataset<Row> values, Corruption.Truth truth, long seed, String method) {
    StructType base = org.dvgs.aggregation.ValueTable.schema(true);
    Dataset<Row> ordered = values.select(java.util.Arrays.stream(base.fieldNames()).map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
    return spark.createDataFrame(ordered.javaRDD().map(new AddTruth(truth, seed, method)), resultsSchema());
  }

  private static final class AddTruth implements Function<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Corruption.Truth truth;
    private final long seed;
    private final String method;

    AddTruth(Corruption.Truth truth, long seed, String method) {
      this.truth = truth;
      this.seed = seed;
      this.method = method;
    }

    @Override
    public Row call(Row r) {
      String id = r.getString(0);
      Object[] v = new Object[r.length() + 4];
      for (int i = 0; i < r.length(); i++) {
        v[i] = r.get(i);
      }
      v[r.length()] = truth.labelFlipped(id);
      v[r.length() + 1] = truth.noiseRate(id);
      v[r.length() + 2] = seed;
      v[r.length() + 3] = method;
      return RowFactory.create(v);
    }
  }

  /** Mean, sample standard deviation and per-seed values; undefined (NaN) values are left out of mean and std. */
  public static Map<String, Object> summary(List<Double> v) {
    return ManifestCodec.toMap(summarise(v));
  }

  /** {@link #summary} as its record. */
  static MetricSummary summarise(List<Double> v) {
    double[] finite = v.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
    return new MetricSummary(
        ValueMetrics.finiteOrNull(Stats.mean(finite)),
        finite.length == 0 ? null : finite.length == 1 ? 0.0 : Stats.sampleStd(finite),
        v.stream().map(ValueMetrics::finiteOrNull).toList());
  }

  /** A seed's stage timings (all seconds) as the manifest types them. */
  private static Map<String, Double> secondsByStage(Map<String, Object> timings) {
    Map<String, Double> out = new LinkedHashMap<>();
    timings.forEach((k, v) -> out.put(k, ((Number) v).doubleValue()));
    return out;
  }

  /** Each seed's method details (a map per seed) as the manifest types them. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> detailsOf(List<Object> perSeed) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object d : perSeed) {
      out.add((Map<String, Object>) d);
    }
    return out;
  }
}
