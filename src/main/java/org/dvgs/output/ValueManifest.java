package org.dvgs.output;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a valuation run ({@code value}, {@code demo}, each seed of {@code evaluate}, the runs
 * of {@code scale} and {@code l1000}): written last, so its presence means the run's tables are complete.
 *
 * @param runId run id (the {@code run_id} partition of the tables)
 * @param seed the seed that drove the run
 * @param command the command that ran the valuation (absent for library calls that name none)
 * @param experiment the corruption experiment of an {@code evaluate} seed
 * @param demo the generated data of a {@code demo} run
 * @param scaleRows source rows of a {@code scale} run
 * @param versions software versions
 * @param device the DJL device of the driver
 * @param numerics MKL reproducibility modes of driver and executors
 * @param model the network
 * @param scaling the fitted feature scaler
 * @param input input shape
 * @param counts row counts
 * @param training training, or reuse of persisted snapshots
 * @param scoring scoring on the executors
 * @param timings stage wall times
 * @param metrics metrics computed from the value table by the command (names and shapes depend on the command)
 * @param output where the tables went and what they hold
 * @param spark the Spark application
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record ValueManifest(
    String runId,
    long seed,
    @MayBeAbsent String command,
    @MayBeAbsent EvaluateManifest.Experiment experiment,
    @MayBeAbsent Demo demo,
    @MayBeAbsent Long scaleRows,
    Versions versions,
    String device,
    Numerics numerics,
    Model model,
    Scaling scaling,
    Input input,
    Counts counts,
    Training training,
    Scoring scoring,
    Timings timings,
    Map<String, Object> metrics,
    Output output,
    SparkRun spark,
    Object config) {

  /**
   * What the calling command adds to the manifest of its valuation run.
   *
   * @param command the command
   * @param experiment the corruption experiment of an {@code evaluate} seed
   * @param demo the generated data of a {@code demo} run
   * @param scaleRows source rows of a {@code scale} run
   */
  public record Invocation(@MayBeAbsent String command, @MayBeAbsent EvaluateManifest.Experiment experiment, @MayBeAbsent Demo demo,
      @MayBeAbsent Long scaleRows) {
    /** No command, as library callers run it. */
    public static final Invocation NONE = new Invocation(null, null, null, null);

    /** A command that adds nothing but its name. */
    public static Invocation of(String command) {
      return new Invocation(command, null, null, null);
    }
  }

  /**
   * The generated data of a {@code demo} run.
   *
   * @param classes classes
   * @param features feature width
   * @param targetRows target rows
   * @param sourceRows source rows
   * @param labelFlipFraction fraction of source labels flipped
   */
  public record Demo(int classes, int features, int targetRows, int sourceRows, double labelFlipFraction) {}

  /**
   * Under which MKL conditional-numerical-reproducibility mode training and scoring computed.
   *
   * @param mklCbwrDriver the driver's mode (training)
   * @param mklCbwrExecutors the executors' mode (scoring)
   * @param minBatchRows rows below which a scoring batch is padded, so that MKL takes the same code path
   */
  public record Numerics(String mklCbwrDriver, String mklCbwrExecutors, int minBatchRows) {}

  /**
   * The network.
   *
   * @param widths layer widths, input first
   * @param parameters trainable parameters
   * @param task classifier, regressor or autoencoder
   */
  public record Model(List<Integer> widths, long parameters, String task) {}

  /**
   * The per-feature affine scaler {@code x' = (x - shift) * multiplier}. The parameters are written for widths up
   * to 2,048 and not for {@code none}. Manifests written before this record read too: they named the shift
   * {@code mean} (z-score) or {@code min} (min-max) and the multiplier {@code scale}.
   *
   * @param method none, min-max or z-score
   * @param shift per-feature shift: the mean (z-score) or the minimum (min-max)
   * @param multiplier per-feature multiplier: 1 / standard deviation (z-score) or 1 / range (min-max)
   * @param fitOn the rows the scaler was fitted on
   */
  public record Scaling(
      String method,
      @MayBeAbsent @JsonAlias({"mean", "min"}) List<Float> shift,
      @MayBeAbsent @JsonAlias("scale") List<Float> multiplier,
      String fitOn) {}

  /**
   * Input shape.
   *
   * @param featureWidth features per row
   * @param featureColumns the feature columns, empty for one array or vector column
   */
  public record Input(int featureWidth, List<String> featureColumns) {}

  /**
   * Row counts: those of the inputs ({@link InputCounts}) and what was valued.
   *
   * @param sourceRead source rows read
   * @param sourceRejected source rows rejected
   * @param sourceValid valid source rows
   * @param rejectedByReason rejected source rows per reason
   * @param targetRead target rows read
   * @param targetUsed target rows trained on
   * @param testHeldOut rows held out of the source as a test set
   * @param testRead test rows read
   * @param testValid valid test rows
   * @param testRejected invalid test rows
   * @param testRejectedByReason invalid test rows per reason
   * @param sourceValued rows in the value table
   * @param sourceExcludedByExperiment valid rows an experiment left out (sampling)
   */
  public record Counts(
      long sourceRead,
      long sourceRejected,
      long sourceValid,
      Map<String, Long> rejectedByReason,
      long targetRead,
      long targetUsed,
      @MayBeAbsent Long testHeldOut,
      @MayBeAbsent Long testRead,
      @MayBeAbsent Long testValid,
      @MayBeAbsent Long testRejected,
      @MayBeAbsent Map<String, Long> testRejectedByReason,
      long sourceValued,
      long sourceExcludedByExperiment) {

    /** The input counts with what the run valued. */
    public static Counts of(InputCounts in, long valued, long excluded) {
      return new Counts(in.sourceRead(), in.sourceRejected(), in.sourceValid(), in.rejectedByReason(), in.targetRead(), in.targetUsed(),
          in.testHeldOut(), in.testRead(), in.testValid(), in.testRejected(), in.testRejectedByReason(), valued, excluded);
    }
  }

  /**
   * Training on the target set.
   *
   * @param fingerprint identifies the snapshots (network, training settings, seed, target data)
   * @param checkpointDir the directory of the snapshot files
   * @param restartsReused restarts whose snapshots were reused
   * @param snapshots snapshots scored
   * @param restarts per restart, in order
   */
  public record Training(String fingerprint, String checkpointDir, int restartsReused, long snapshots, List<RestartSummary> restarts) {}

  /**
   * Scoring on the executors.
   *
   * @param method ghost or naive
   * @param similarity the similarity of gradients
   * @param targetGradient batch or per-class target gradients
   * @param preconditioner the metric the similarity was taken in: {@code none} or {@code adam} ({@code auto} resolved
   *     for the optimizer; absent in manifests written before the key had {@code auto})
   * @param blocks snapshot blocks the scoring was split into
   * @param partitions partitions of the source
   * @param intraOpThreadsPerTask PyTorch threads per task
   * @param sampleCheckpoints rows times snapshots scored
   * @param sampleCheckpointsPerS throughput
   */
  public record Scoring(String method, String similarity, String targetGradient, @MayBeAbsent String preconditioner, int blocks, int partitions, int intraOpThreadsPerTask,
      long sampleCheckpoints, double sampleCheckpointsPerS) {}

  /**
   * Wall time of each stage, in seconds.
   *
   * @param loadS reading and validating the inputs
   * @param trainS training (or checking reused snapshots)
   * @param scoreS scoring
   * @param aggregateS writing and reading back the tables, and the command's metrics
   * @param totalS the whole run
   * @param engineS waiting for the PyTorch engine to load (0 once it is loaded; absent in older manifests)
   * @param packS packing and persisting the source batches, the first part of {@code scoreS}
   * @param scoreBlocksS each snapshot block's scoring job, in order (the rest of {@code scoreS})
   * @param writeS writing, checking and committing the value and rejects tables, part of {@code aggregateS}
   * @param metricsS the command's metrics on the written table, the rest of {@code aggregateS}
   */
  public record Timings(double loadS, double trainS, double scoreS, double aggregateS, double totalS, @MayBeAbsent Double engineS,
      @MayBeAbsent Double packS, @MayBeAbsent List<Double> scoreBlocksS, @MayBeAbsent Double writeS, @MayBeAbsent Double metricsS) {
    /** The stage times alone, as manifests before the phase breakdown held them. */
    public Timings(double loadS, double trainS, double scoreS, double aggregateS, double totalS) {
      this(loadS, trainS, scoreS, aggregateS, totalS, null, null, null, null, null);
    }
  }

  /**
   * The committed tables.
   *
   * @param values the value table's root
   * @param valuesPartition this run's partition of it
   * @param valuesFiles the partition's data files
   * @param valuesRows rows in them (from the Parquet footers)
   * @param rejectsPartition this run's partition of the rejects table, empty when none is written
   * @param rejectsRows rows in it
   * @param table the catalog table registered over the values, empty when none
   */
  public record Output(String values, String valuesPartition, List<String> valuesFiles, long valuesRows, String rejectsPartition,
      long rejectsRows, String table) {}

  /**
   * The Spark application.
   *
   * @param master master URL
   * @param defaultParallelism default parallelism
   * @param executors executors registered at the end (the driver counts as one in local mode)
   * @param failedTaskAttempts failed task attempts per dvgs job group
   */
  public record SparkRun(String master, int defaultParallelism, int executors, Map<String, Long> failedTaskAttempts) {}
}
