package org.dvgs.pipeline;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.output.ValueManifest;
import org.dvgs.baselines.ExperimentSeed;
import org.dvgs.baselines.MethodContext;
import org.dvgs.baselines.MethodRun;
import org.dvgs.baselines.Methods;
import org.dvgs.baselines.ValuationMethod;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.DvgsVariants;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.config.EvaluationConfig.Method;
import org.dvgs.config.EvaluationConfig.Metric;
import org.dvgs.config.Keys;
import org.dvgs.config.TrainingConfig;
import org.dvgs.evaluation.Corruption;
import org.dvgs.evaluation.FilterRetrain;
import org.dvgs.evaluation.RetrainModels;
import org.dvgs.evaluation.ValueMetrics;
import org.dvgs.core.CanonicalRow;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.NetworkSpec;
import org.dvgs.spark.JobGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One seed of {@code evaluate}: sample and corrupt the source, run every configured method on it (one loop, DVGS
 * being one of the methods), and measure each method's values with the same metrics, curves and
 * filter-and-retrain runs, collected in the experiment's {@link EvaluationTables}.
 *
 * <p>The methods other than DVGS share one materialised copy of the seed's prepared source ({@link #context()}), so
 * their runtimes exclude reading, corrupting and scaling it, as DVGS's excludes its load stage. The held-out test
 * set is scaled like the seed's source once and used for every method.
 */
final class SeedEvaluation implements ExperimentSeed {
  private static final Logger LOG = LoggerFactory.getLogger(SeedEvaluation.class);

  /**
   * What one method did in this seed, as the manifest reports it.
   *
   * @param runId the run id of its value table
   * @param details its details, or null for DVGS (whose own manifest describes the run)
   * @param runtime its runtime (seconds)
   * @param metrics its metrics
   * @param metricsSeconds time spent on its metrics and curves
   * @param retrainSeconds time spent on its filter-and-retrain runs
   */
  record MethodOutcome(String runId, Map<String, Object> details, double runtime, ValueMetrics.Result metrics, double metricsSeconds,
      double retrainSeconds) {}

  /**
   * What the seed did, as the manifest reports it.
   *
   * @param seed the seed
   * @param sampled source rows sampled
   * @param flipped labels flipped
   * @param noisy rows given feature noise
   * @param testRows rows of the held-out test set, or -1 without filter-and-retrain
   * @param primary the first method's metrics
   * @param timings stage timings (seconds by stage)
   * @param methods each method's outcome, in the configured order
   */
  record Outcome(long seed, long sampled, long flipped, long noisy, long testRows, ValueMetrics.Result primary, Map<String, Double> timings,
      Map<String, MethodOutcome> methods) {}

  private final SparkSession spark;
  private final DvgsConfig cfg;
  private final EvaluationConfig ev;
  private final InputLoader.RawInputs raw;
  private final JavaRDD<CanonicalRow> testTable;
  private final Device device;
  private final JobGroups groups;
  private final EvaluationTables tables;
  private final long seed;
  private final Corruption corruption;

  private final Map<String, Double> timings = new LinkedHashMap<>();
  // The seed's prepared inputs: from the first method that prepared them, persisted once a method shares them.
  private LoadedInputs in;
  private JavaRDD<CanonicalRow> persisted;
  private long sourceRows;
  private long testRows = -1;
  /** Filter-and-retrain on this seed's source and test rows, made by the first method that asks for it. */
  private FilterRetrain curves;

  /**
   * @param testTable the valid rows of the configured test table, or null to hold out a remainder of the source
   * @param groups the caller's job group, put back after each of dvgs's own
   */
  SeedEvaluation(SparkSession spark, DvgsConfig cfg, InputLoader.RawInputs raw, JavaRDD<CanonicalRow> testTable, Device device,
      JobGroups groups, EvaluationTables tables, long seed) {
    this.spark = spark;
    this.cfg = cfg;
    this.ev = cfg.evaluation();
    this.raw = raw;
    this.testTable = testTable;
    this.device = device;
    this.groups = groups;
    this.tables = tables;
    this.seed = seed;
    this.corruption = new Corruption(seed, ev.sourceSampleSize(), ev.labelFlipFraction(), ev.noiseSigmaMax(), ev.noiseFraction(),
        ev.labelFlipMode() == EvaluationConfig.LabelFlipMode.PAIRS);
  }

  /** Runs every method on this seed's rows and measures it. */
  Outcome run() {
    Map<String, MethodOutcome> methods = new LinkedHashMap<>();
    ValueMetrics.Result primary = null;
    try {
      for (Method method : ev.methods()) {
        Measurement measurement = new Measurement(Keys.kebab(method));
        MethodOutcome o = evaluate(Keys.kebab(method), method(method, measurement), measurement, primary == null);
        primary = primary == null ? o.metrics() : primary;
        methods.put(Keys.kebab(method), o);
      }
      for (String variant : cfg.variants().run()) {
        String name = DvgsVariants.PREFIX + variant;
        Measurement measurement = new Measurement(name);
        MethodOutcome o = evaluate(name, variant(variant, measurement), measurement, primary == null);
        primary = primary == null ? o.metrics() : primary;
        methods.put(name, o);
      }
    } finally {
      if (curves != null) {
        curves.close();
      }
      if (persisted != null) {
        persisted.unpersist(false);
      }
    }
    return new Outcome(seed, corruption.sampled(), corruption.flipped(), corruption.noisy(), testRows, primary, timings, methods);
  }

  private MethodOutcome evaluate(String name, ValuationMethod vm, Measurement measurement, boolean first) {
    MethodRun run;
    spark.sparkContext().setJobGroup("dvgs-" + name, "dvgs evaluate: " + name + ", seed " + seed, false);
    try {
      run = vm.run(spark, this);
    } finally {
      groups.restore();
    }
    timings.putAll(run.timings());
    if (in == null) {
      in = run.inputs();
    }
    LOG.info("seed {}: {} valued {} rows in {} s", seed, name, run.rows(), String.format(Locale.ROOT, "%.1f", run.seconds()));
    tables.run(name, run.seconds(), run.details() == null ? Map.of() : run.details());

    Measured measured = measurement.of(run.values(), run.rows());
    ValueMetrics.Result r = measured.result();
    long tmet = System.nanoTime();
    if (ev.wants(Metric.AUROC)) {
      tables.metric(name, seed, "auroc", r.auroc());
    }
    if (ev.wants(Metric.SPEARMAN)) {
      tables.metric(name, seed, "spearman", r.spearman());
    }
    if (ev.wants(Metric.KMEANS_F1)) {
      tables.metric(name, seed, "kmeans_f1", r.kmeansF1());
    }
    if (ev.wants(Metric.DISCOVERY)) {
      tables.curve(name, seed, "roc", r.roc());
      tables.curve(name, seed, "discovery", r.discovery());
      tables.curve(name, seed, "discovery_optimal", ValueMetrics.optimalDiscovery(r.corrupted(), r.rows() - r.corrupted()));
      tables.curve(name, seed, "discovery_random", ValueMetrics.randomDiscovery());
    }
    double metricSecs = measurement.seconds() + (System.nanoTime() - tmet) / 1e9;
    double retrainSecs = ev.wants(Metric.RETRAIN) ? retrain(name, run.values()) : 0;
    if (first) {
      timings.put("metrics_s", metricSecs);
      timings.put("retrain_s", retrainSecs);
    }
    tables.results(measured.withTruth());
    LOG.info("seed {} {}: auroc {} spearman {} kmeans_f1 {}", seed, name, r.auroc(), r.spearman(), r.kmeansF1());
    return new MethodOutcome(run.runId(), run.details(), run.seconds(), r, metricSecs, retrainSecs);
  }

  /** The implementation of {@code method} for this seed; DVGS measures its values inside its run, for its manifest. */
  private ValuationMethod method(Method method, Measurement measurement) {
    if (method == Method.TARGET_LOSS) {
      // The seed's DVGS run, when it came first, left every restart's checkpoints there to reuse.
      boolean after = ev.runs(Method.DVGS) && ev.methods().indexOf(Method.DVGS) < ev.methods().indexOf(method);
      Path root = after ? new Path(new Path(cfg.output().path(), "seed-" + seed), "checkpoints") : new Path(valuesPath("target-loss") + "-checkpoints");
      return new TargetLossMethod(cfg.with(Map.of("seed", seed)), root.toString());
    }
    if (method != Method.DVGS) {
      return Methods.of(method);
    }
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("seed", seed);
    set.put("output.path", new Path(cfg.output().path(), "seed-" + seed).toString());
    set.put("output.overwrite", true);
    ValueManifest.Invocation invocation = new ValueManifest.Invocation("evaluate", EvaluateRun.experiment(ev, cfg.model().task()), null, null);
    return new DvgsMethod(cfg.with(set), raw, corruption, (v, rows) -> ValueMetrics.describe(measurement.of(v, rows).result()), invocation);
  }

  /**
   * DVGS variant {@code name} for this seed: the variant's configuration, written under
   * {@code <output>/variants/<name>/seed-<seed>}, with its snapshots in this seed's checkpoint dir unless it names
   * one (the training fingerprint keeps differently trained snapshots apart, and lets alike ones be reused).
   */
  private ValuationMethod variant(String name, Measurement measurement) {
    DvgsConfig vc = cfg.variant(name);
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("seed", seed);
    set.put("output.path", new Path(new Path(new Path(cfg.output().path(), "variants"), name), "seed-" + seed).toString());
    set.put("output.overwrite", true);
    if (vc.training().checkpointDir().isEmpty()) {
      String base = cfg.training().checkpointDir();
      set.put("training.checkpoint-dir", base.isEmpty() ? new Path(new Path(cfg.output().path(), "seed-" + seed), "checkpoints").toString() : base);
    }
    ValueManifest.Invocation invocation = new ValueManifest.Invocation("evaluate", EvaluateRun.experiment(ev, vc.model().task()), null, null);
    return new DvgsMethod(vc.with(set), raw, corruption, (v, rows) -> ValueMetrics.describe(measurement.of(v, rows).result()), invocation);
  }

  /** Filter-and-retrain on the seed's test set by the values of {@code method}; returns the seconds it took. */
  private double retrain(String method, Dataset<Row> values) {
    long tr = System.nanoTime();
    if (curves == null) {
      JavaRDD<CanonicalRow> test =
          testTable != null ? testTable : corruption.remainder(raw.source().filter(CanonicalRow::valid), ev.test().size());
      JavaRDD<CanonicalRow> scaledTest = InputLoader.scale(test, in.scaler());
      NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
      TrainingConfig tc = EvaluateRun.retrainTraining(cfg.training(), ev.retrain());
      FilterRetrain.Model model = RetrainModels.of(ev.retrain().model(), spec, tc, cfg.model().classBalanced(), device, ev.retrain().maxIter());
      // One for the seed: every method's curves share its source, test rows, model and its fit on the whole source.
      // It keeps the test rows, so the count below is the only pass that computes them.
      curves = FilterRetrain.on(spark, in.source(), scaledTest, model, seed);
      // The rows each retrained model is scored on; a source remainder holds valid rows only (the invalid ones are
      // the source's rejects, counted in counts.source_rejected).
      testRows = scaledTest.count();
    }
    List<FilterRetrain.Point> points;
    spark.sparkContext().setJobGroup("dvgs-retrain", "dvgs: filter-and-retrain, " + method + ", seed " + seed, false);
    try {
      points = curves.curves(values, "value", ev.retrain().grid());
    } finally {
      groups.restore();
    }
    FilterRetrain.Point all = points.get(0);
    tables.metric(method, seed, "retrain_all", all.metric());
    List<double[]> low = new ArrayList<>();
    List<double[]> high = new ArrayList<>();
    low.add(new double[] {0, all.metric()});
    high.add(new double[] {0, all.metric()});
    for (FilterRetrain.Point p : points.subList(1, points.size())) {
      boolean lowest = p.direction() == FilterRetrain.Direction.LOWEST;
      tables.metric(method, seed, (lowest ? "retrain_lowest_q" : "retrain_highest_q") + EvaluateRun.qName(p.q()), p.metric());
      (lowest ? low : high).add(new double[] {p.q(), p.metric()});
    }
    tables.curve(method, seed, "retrain_lowest", curveOf(low));
    tables.curve(method, seed, "retrain_highest", curveOf(high));
    return (System.nanoTime() - tr) / 1e9;
  }

  @Override
  public long seed() {
    return seed;
  }

  @Override
  public MethodContext context() {
    if (persisted == null) {
      long tl = System.nanoTime();
      LoadedInputs prepared = in != null ? in : InputLoader.prepare(raw, cfg.input(), corruption);
      persisted = prepared.source().persist(StorageLevel.MEMORY_AND_DISK());
      sourceRows = persisted.count();
      in = new LoadedInputs(prepared.target(), persisted, prepared.rejects(), prepared.width(), prepared.numClasses(), prepared.scaler(), prepared.counts());
      timings.putIfAbsent("load_s", (System.nanoTime() - tl) / 1e9);
    }
    NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
    return new MethodContext(in, spec, cfg.model(), cfg.training(), ev.baselines(), seed, device);
  }

  @Override
  public long sourceRows() {
    context();
    return sourceRows;
  }

  @Override
  public String runId(String method) {
    return (cfg.runId().isEmpty() ? method : cfg.runId() + "-" + method) + "-seed-" + seed;
  }

  /** Outside {@code seed-<s>/}, which the DVGS run of the seed replaces when it comes later in the list. */
  @Override
  public String valuesPath(String method) {
    return new Path(new Path(new Path(cfg.output().path(), "methods"), method), "seed-" + seed).toString();
  }

  /** A method's values with their ground truth, and the metrics measured on them. */
  record Measured(Dataset<Row> withTruth, ValueMetrics.Result result) {}

  /**
   * One method's measurement in this seed, made once: inside DVGS's run (so that its own manifest carries the
   * metrics) or, for the other methods, after their run.
   */
  private final class Measurement {
    private final String method;
    private Measured measured;
    private double seconds;

    Measurement(String method) {
      this.method = method;
    }

    /** @param rows the rows of {@code values} (it is collected in one job when they are few), or -1 when not known */
    Measured of(Dataset<Row> values, long rows) {
      if (measured == null) {
        long t = System.nanoTime();
        Dataset<Row> withTruth = EvaluateRun.withTruth(spark, values, corruption.truth(), seed, method).persist(StorageLevel.MEMORY_AND_DISK());
        measured = new Measured(withTruth,
            ValueMetrics.of(withTruth, rows, ev.wants(Metric.SPEARMAN), ev.wants(Metric.DISCOVERY), ev.wants(Metric.KMEANS_F1), seed));
        seconds = (System.nanoTime() - t) / 1e9;
      }
      return measured;
    }

    double seconds() {
      return seconds;
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
}
