package org.dvgs.output;

import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of an {@code evaluate} results folder: the experiment, each metric over the seeds for
 * the primary method and for every method, the per-seed runs, row counts and timings. Folders written before
 * methods could be compared have no {@code methods}, {@code runtime_ratios} or {@code counts}; they still read.
 *
 * @param command always {@code evaluate}
 * @param seeds the experiment's seeds, in order
 * @param versions software versions
 * @param experiment the corruption experiment
 * @param metrics the primary method's metrics over the seeds
 * @param methods per method (primary first): its metrics, runtime and details
 * @param runtimeRatios {@code "<method>/dvgs"}: each method's mean runtime over DVGS's (null when undefined); only
 *     when DVGS ran
 * @param counts row counts of the inputs, with those of a test table
 * @param runs one per seed
 * @param timings wall time of the whole experiment
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record EvaluateManifest(
    String command,
    List<Long> seeds,
    Versions versions,
    Experiment experiment,
    Map<String, MetricSummary> metrics,
    @MayBeAbsent Map<String, MethodSummary> methods,
    @MayBeAbsent Map<String, Double> runtimeRatios,
    @MayBeAbsent InputCounts counts,
    List<SeedRun> runs,
    Timings timings,
    @MayBeAbsent Object config) {

  /** The command name a results folder's manifest carries. */
  public static final String COMMAND = "evaluate";

  /** The methods compared, primary first ({@code experiment.methods}; DVGS alone for folders that predate them). */
  public List<String> methodNames() {
    return experiment.methods() == null || experiment.methods().isEmpty() ? List.of("dvgs") : experiment.methods();
  }

  /**
   * The corruption experiment, as {@code evaluate} and each of its seeds' valuation runs record it.
   *
   * @param task classifier, regressor or autoencoder
   * @param sourceSampleSize source rows sampled per seed (0: all)
   * @param labelFlipFraction fraction of sampled rows whose label is flipped
   * @param featureNoiseSigmaMax the largest feature-noise rate
   * @param featureNoiseFraction fraction of sampled rows given feature noise
   * @param metrics the metrics configured
   * @param methods the methods compared, primary first
   * @param retrainModel the model of filter-and-retrain (with the retrain metric only)
   * @param retrainMetric what a retrained model is scored by
   * @param retrainGrid fractions of rows removed
   * @param testMode where the test set of filter-and-retrain comes from
   */
  public record Experiment(
      String task,
      long sourceSampleSize,
      double labelFlipFraction,
      double featureNoiseSigmaMax,
      double featureNoiseFraction,
      @MayBeAbsent List<String> metrics,
      @MayBeAbsent List<String> methods,
      @MayBeAbsent String retrainModel,
      @MayBeAbsent String retrainMetric,
      @MayBeAbsent List<Double> retrainGrid,
      @MayBeAbsent String testMode) {}

  /**
   * One method over the seeds.
   *
   * @param metrics each metric over the seeds
   * @param runtimeS the method's runtime over the seeds, in seconds
   * @param details per seed, what the method reports about itself (its own names; empty for most)
   */
  public record MethodSummary(Map<String, MetricSummary> metrics, MetricSummary runtimeS, List<Map<String, Object>> details) {}

  /**
   * One seed of the experiment.
   *
   * @param seed the seed
   * @param runId the primary method's run id
   * @param sourceRows rows sampled
   * @param flipped rows whose label was flipped
   * @param noisy rows given feature noise
   * @param testRows rows each retrained model was scored on (with filter-and-retrain only)
   * @param metrics the primary method's metrics of this seed ({@code ValueMetrics.describe})
   * @param timings stage wall times of the seed, in seconds ({@code load_s, train_s, score_s, aggregate_s, total_s}
   *     of its DVGS run when DVGS ran, with its phases {@code engine_s, pack_s, write_s, manifest_s}; {@code metrics_s,
   *     retrain_s} of the primary method)
   * @param methods per method
   */
  public record SeedRun(
      long seed,
      @MayBeNull String runId,
      long sourceRows,
      long flipped,
      long noisy,
      @MayBeAbsent Long testRows,
      @MayBeAbsent Map<String, Object> metrics,
      Map<String, Double> timings,
      @MayBeAbsent Map<String, MethodRun> methods) {}

  /**
   * One method on one seed.
   *
   * @param runId the run id of its value table
   * @param details what the method reports about itself (not for DVGS, whose run has its own manifest)
   * @param runtimeS valuation time, in seconds (DVGS: training, scoring and aggregation)
   * @param metrics its metrics ({@code ValueMetrics.describe})
   * @param metricsS time computing the metrics
   * @param retrainS time in filter-and-retrain
   */
  public record MethodRun(String runId, @MayBeAbsent Map<String, Object> details, double runtimeS, Map<String, Object> metrics,
      double metricsS, double retrainS) {}

  /**
   * Wall times of the experiment, in seconds. The phases ({@code jvmToMainS} to {@code manifestS}) add up to the
   * process's time up to the manifest, less the CLI's own work (configuration parsing) and what overlapped: the
   * engine loads beside the Spark session, and {@code engineS} is the time spent waiting for it. Absent in older
   * manifests, and {@code jvmToMainS} and {@code sessionS} when the experiment ran in a session it did not start.
   *
   * @param totalS the whole experiment
   * @param writeS writing the results, metrics and curves tables
   * @param jvmToMainS from the JVM's start to the command line's {@code main}
   * @param sessionS starting the Spark session
   * @param engineS waiting for the PyTorch engine to load (beyond what overlapped the session start)
   * @param readS reading and validating the inputs
   * @param seedsS every seed's work (each seed's phases are in {@code runs[].timings})
   * @param manifestS assembling the manifest (its write follows)
   * @param sinceJvmStartS from the JVM's start to the manifest's write
   */
  public record Timings(double totalS, @MayBeAbsent Double writeS, @MayBeAbsent Double jvmToMainS, @MayBeAbsent Double sessionS,
      @MayBeAbsent Double engineS, @MayBeAbsent Double readS, @MayBeAbsent Double seedsS, @MayBeAbsent Double manifestS,
      @MayBeAbsent Double sinceJvmStartS) {
    /** The experiment's total and table-write times alone, as manifests before the phase breakdown held them. */
    public Timings(double totalS, Double writeS) {
      this(totalS, writeS, null, null, null, null, null, null, null);
    }
  }
}
