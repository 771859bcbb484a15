package org.dvgs.pipeline;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.EvaluationConfig.Method;
import org.dvgs.config.EvaluationConfig.Metric;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.config.Keys;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Stats;
import org.dvgs.evaluation.Corruption;
import org.dvgs.evaluation.RetrainModels;
import org.dvgs.evaluation.ValueMetrics;
import org.dvgs.io.InputLoader;
import org.dvgs.model.Engines;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.InputCounts;
import org.dvgs.output.Manifest;
import org.dvgs.output.MetricSummary;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.spark.JobGroups;

/**
 * The {@code evaluate} command: for every seed, sample and corrupt the source (label flips before scaling,
 * feature noise after), value it, and measure how well low values find the corruption: AUROC, Spearman with the
 * noise rate, the discovery and ROC curves, a 2-means F1, and filter-and-retrain curves on a held-out test set. All
 * seeds run in one Spark session on inputs read once.
 *
 * <p>Several valuation methods ({@code dvgs.evaluation.methods}: DVGS and the baselines of {@link
 * org.dvgs.baselines.Methods}) can run on the same corrupted inputs of every seed; each is a {@link
 * org.dvgs.baselines.ValuationMethod} (DVGS is {@link DvgsMethod}), timed from its prepared inputs to its written value
 * table, and measured with the same metrics. The first method listed is the primary one. Each seed's work is a
 * {@link SeedEvaluation}; the tables are written by {@link EvaluationTables}; this class reads the inputs, runs the
 * seeds and writes the manifest.
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
  private EvaluateRun() {}

  /** Schema of {@code results/}. */
  public static StructType resultsSchema() {
    StructType s = org.dvgs.aggregation.ValueTable.schema(true);
    return s.add("label_flipped", DataTypes.BooleanType, false).add("noise_rate", DataTypes.DoubleType, false).add("seed", DataTypes.LongType, false)
        .add("method", DataTypes.StringType, false);
  }

  /** Runs the experiment in its claimed output directory and returns the manifest it wrote. */
  public static EvaluateManifest run(SparkSession spark, DvgsConfig cfg) {
    cfg.evaluation().checkFor(cfg.model());
    cfg.output().requirePath();
    // The caller's job group is back when the experiment returns or fails.
    JobGroups groups = JobGroups.save(spark.sparkContext());
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "evaluate")) {
      return runIn(spark, cfg, groups);
    } finally {
      groups.restore();
    }
  }

  private static EvaluateManifest runIn(SparkSession spark, DvgsConfig cfg, JobGroups groups) {
    long t0 = System.nanoTime();
    EvaluationConfig ev = cfg.evaluation();
    String out = cfg.output().path();

    // Inputs are read and validated once; each seed samples and corrupts its own copy of the valid rows.
    InputLoader.RawInputs raw = InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize());
    JavaRDD<CanonicalRow> testTable = null;
    InputCounts counts = raw.counts();
    if (ev.wants(Metric.RETRAIN) && ev.test().mode() == EvaluationConfig.TestMode.TABLE) {
      JavaRDD<CanonicalRow> all = InputLoader.readLike(spark, raw, ev.test().table(), "test").persist(StorageLevel.MEMORY_AND_DISK());
      InputLoader.RowCounts test;
      try {
        test = InputLoader.countRows(all);
      } catch (Exception e) {
        throw org.dvgs.core.InputException.rethrow(e);
      }
      counts = counts.withTest(test.read(), test.valid(), test.rejected(), test.rejectedByReason());
      testTable = all.filter(CanonicalRow::valid);
      if (test.valid() == 0) {
        throw new org.dvgs.core.InputException("test table " + ev.test().table().path() + " has no valid rows");
      }
    }

    Phases phases = new Phases();
    phases.read = (System.nanoTime() - t0) / 1e9;
    EvaluationTables tables = new EvaluationTables(ev.methods(), cfg.variants().run());
    List<SeedEvaluation.Outcome> seeds = new ArrayList<>();
    phases.engine = ProcessClock.awaitEngine(cfg.device());
    Device device = Engines.device(cfg.device(), -1);
    long ts = System.nanoTime();
    for (long seed : ev.seeds()) {
      seeds.add(new SeedEvaluation(spark, cfg, raw, testTable, device, groups, tables, seed).run());
    }
    phases.seeds = (System.nanoTime() - ts) / 1e9;
    raw.release();
    long tw = System.nanoTime();
    tables.write(spark, out);
    phases.write = (System.nanoTime() - tw) / 1e9;

    EvaluateManifest m = manifest(spark, cfg, tables, seeds, counts, t0, phases);
    Manifest.write(spark.sparkContext().hadoopConfiguration(), out, m);
    return m;
  }

  /**
   * The experiment's manifest: its settings, the first method's metrics ({@code metrics}), every method's metrics,
   * runtime and details ({@code methods}), each method's mean runtime over DVGS's ({@code runtime_ratios}, when DVGS
   * ran), the input counts, each seed's run ({@code runs}) and the timings.
   */
  private static EvaluateManifest manifest(
      SparkSession spark, DvgsConfig cfg, EvaluationTables tables, List<SeedEvaluation.Outcome> seeds, InputCounts counts, long t0,
      Phases phases) {
    long tm = System.nanoTime();
    EvaluationConfig ev = cfg.evaluation();
    String first = ev.methods().isEmpty() ? org.dvgs.config.DvgsVariants.PREFIX + cfg.variants().run().get(0) : Keys.kebab(ev.methods().get(0));
    List<EvaluateManifest.SeedRun> runs = new ArrayList<>();
    for (SeedEvaluation.Outcome s : seeds) {
      Map<String, EvaluateManifest.MethodRun> perMethod = new LinkedHashMap<>();
      s.methods().forEach((name, o) -> perMethod.put(name, new EvaluateManifest.MethodRun(
          o.runId(), o.details(), o.runtime(), ValueMetrics.describe(o.metrics()), o.metricsSeconds(), o.retrainSeconds())));
      runs.add(new EvaluateManifest.SeedRun(s.seed(), s.methods().get(first) != null ? s.methods().get(first).runId() : null,
          s.sampled(), s.flipped(), s.noisy(), s.testRows() >= 0 ? s.testRows() : null, ValueMetrics.describe(s.primary()),
          s.timings(), perMethod));
    }

    Map<String, List<Double>> runtimes = tables.runtimes();
    Map<String, EvaluateManifest.MethodSummary> methods = new LinkedHashMap<>();
    tables.metricSeries().forEach((method, series) -> {
      Map<String, MetricSummary> summaries = new LinkedHashMap<>();
      series.forEach((k, v) -> summaries.put(k, summarise(v)));
      methods.put(method, new EvaluateManifest.MethodSummary(summaries, summarise(runtimes.get(method)), detailsOf(tables.details().get(method))));
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
    return new EvaluateManifest(
        EvaluateManifest.COMMAND,
        ev.seeds(),
        ValuationJob.versions(spark),
        experiment(ev, cfg.model().task()),
        methods.get(first).metrics(),
        methods,
        ratios,
        counts,
        runs,
        new EvaluateManifest.Timings((System.nanoTime() - t0) / 1e9, phases.write, ProcessClock.jvmToMainSeconds(), ProcessClock.sessionSeconds(),
            phases.engine, phases.read, phases.seeds, (System.nanoTime() - tm) / 1e9, ProcessClock.sinceJvmStart()),
        Manifest.parse(cfg.toJson()));
  }

  /** The experiment's own phases, in seconds (see {@link EvaluateManifest.Timings}). */
  private static final class Phases {
    double read;
    double engine;
    double seeds;
    double write;
  }

  /** The experiment settings, as the manifests of the experiment and of each seed's DVGS run report them. */
  static EvaluateManifest.Experiment experiment(EvaluationConfig ev, org.dvgs.config.Task task) {
    boolean retrain = ev.wants(Metric.RETRAIN);
    return new EvaluateManifest.Experiment(
        Keys.kebab(task),
        ev.sourceSampleSize(),
        ev.labelFlipFraction(),
        ev.noiseSigmaMax(),
        ev.noiseFraction(),
        ev.metrics().stream().map(Keys::kebab).toList(),
        ev.methods().stream().map(Keys::kebab).toList(),
        retrain ? Keys.kebab(ev.retrain().model()) : null,
        retrain ? RetrainModels.metricFor(task) : null,
        retrain ? ev.retrain().grid() : null,
        retrain ? Keys.kebab(ev.test().mode()) : null);
  }

  /** The valuation's training settings with the retrain overrides applied. */
  public static TrainingConfig retrainTraining(TrainingConfig tc, EvaluationConfig.Retrain r) {
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

  private static double mean(List<Double> v) {
    return Stats.mean(v.stream().mapToDouble(Double::doubleValue).toArray());
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
  static MetricSummary summarise(List<Double> v) {
    double[] finite = v.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
    return new MetricSummary(
        ValueMetrics.finiteOrNull(Stats.mean(finite)),
        finite.length == 0 ? null : finite.length == 1 ? 0.0 : Stats.sampleStd(finite),
        v.stream().map(ValueMetrics::finiteOrNull).toList());
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
