package org.dvgs.output;

import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a {@code unique} run: the model whose gradients were compared, the projection, the
 * selection rounds, the clustering, what was kept per cluster and label, and timings.
 *
 * @param command always {@code unique}
 * @param runId run id
 * @param seed the seed
 * @param versions software versions
 * @param device the DJL device of the driver
 * @param model the snapshot used
 * @param counts row counts
 * @param projection the random projection of gradients
 * @param selection the selection of unique rows
 * @param clustering k-means of the projections
 * @param summary kept rows per cluster and per label
 * @param perRowUs microseconds per sampled row of projection and selection
 * @param warnings warnings of the run (a projected dimension below the Johnson-Lindenstrauss bound)
 * @param timings stage wall times
 * @param output the table written
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record UniqueManifest(
    String command,
    String runId,
    long seed,
    Versions versions,
    String device,
    Model model,
    Counts counts,
    Projection projection,
    Selection selection,
    Clustering clustering,
    Summary summary,
    PerRow perRowUs,
    List<String> warnings,
    Timings timings,
    Output output,
    @MayBeAbsent Object config) {

  /** The command name a unique output's manifest carries. */
  public static final String COMMAND = "unique";

  /**
   * The snapshot whose gradients were compared.
   *
   * @param source snapshot-dir (given), reused-snapshots or trained
   * @param fingerprint the training fingerprint (not for a given snapshot directory)
   * @param snapshotDir the snapshot directory
   * @param restart the restart
   * @param snapshotIndex the snapshot's index in the restart's file
   * @param iteration the optimiser iteration of the snapshot
   * @param targetLoss its target loss
   * @param widths layer widths, input first
   * @param parameters trainable parameters
   * @param task classifier, regressor or autoencoder
   */
  public record Model(String source, @MayBeAbsent String fingerprint, String snapshotDir, int restart, int snapshotIndex, long iteration,
      double targetLoss, List<Integer> widths, long parameters, String task) {}

  /**
   * Row counts: the inputs' ({@link InputCounts}) and the selection's.
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
   * @param sampled rows sampled
   * @param zeroGradient sampled rows with a zero gradient (left out of the selection)
   * @param kept rows kept as unique
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
      long sampled,
      long zeroGradient,
      long kept) {

    /** The input counts with the selection's. */
    public static Counts of(InputCounts in, long sampled, long zeroGradient, long kept) {
      return new Counts(in.sourceRead(), in.sourceRejected(), in.sourceValid(), in.rejectedByReason(), in.targetRead(), in.targetUsed(),
          in.testHeldOut(), in.testRead(), in.testValid(), in.testRejected(), in.testRejectedByReason(), sampled, zeroGradient, kept);
    }
  }

  /**
   * The random projection of each row's gradient.
   *
   * @param k projected dimension
   * @param kConfigured the configured dimension (0: the Johnson-Lindenstrauss bound)
   * @param eps the distortion the bound is for
   * @param jlBound the Johnson-Lindenstrauss dimension for the sampled rows and eps
   * @param layers the linear layers projected
   * @param gradientDimension gradient entries projected
   * @param kind how the projection is built
   */
  public record Projection(int k, int kConfigured, double eps, int jlBound, List<Integer> layers, long gradientDimension, String kind) {}

  /**
   * The selection of unique rows, in rounds.
   *
   * @param threshold cosine similarity at or above which a row is a duplicate of a kept one
   * @param rounds rounds
   * @param poolPerRound rows still undecided at the start of each round
   * @param candidatesPerRound candidates of each round
   * @param keptPerRound rows kept in each round
   * @param partitions partitions of the sample
   */
  public record Selection(double threshold, int rounds, List<Long> poolPerRound, List<Long> candidatesPerRound, List<Long> keptPerRound,
      int partitions) {}

  /**
   * k-means of the unit projections (with the 2-D principal-component view).
   *
   * @param pcaExplainedVariance variance explained by the principal components (three rows or more)
   * @param clusters clusters (0: clustering off or too few rows)
   * @param chosenBy config or silhouette
   * @param silhouette silhouette of the clustering chosen
   * @param silhouetteByCount silhouette per cluster count tried
   */
  public record Clustering(@MayBeAbsent List<Double> pcaExplainedVariance, int clusters, @MayBeAbsent String chosenBy,
      @MayBeAbsent Double silhouette, @MayBeAbsent Map<String, Double> silhouetteByCount) {}

  /**
   * Rows and kept rows of a cluster or a label.
   *
   * @param rows rows
   * @param kept kept rows
   */
  public record Cell(long rows, long kept) {}

  /**
   * What was kept, per cluster and (classifier) per label.
   *
   * @param clusters per cluster id
   * @param clustersWithKeptRows clusters with a kept row
   * @param labels per label (classifier)
   * @param adjustedRandClustersVsLabels agreement of clusters and labels (classifier, when clustered)
   * @param labelsPresent labels in the sample (classifier)
   * @param labelsWithKeptRows labels with a kept row (classifier)
   */
  public record Summary(Map<String, Cell> clusters, long clustersWithKeptRows, @MayBeAbsent Map<String, Cell> labels,
      @MayBeAbsent Double adjustedRandClustersVsLabels, @MayBeAbsent Integer labelsPresent, @MayBeAbsent Long labelsWithKeptRows) {}

  /**
   * Microseconds per sampled row.
   *
   * @param project projecting gradients
   * @param select selecting unique rows
   */
  public record PerRow(double project, double select) {}

  /**
   * Stage wall times, in seconds.
   *
   * @param loadS reading and validating the inputs
   * @param modelS training or reading the model
   * @param projectS projecting gradients
   * @param selectS selecting unique rows
   * @param clusterS clustering
   * @param writeS writing the table
   * @param totalS the whole run
   */
  public record Timings(double loadS, double modelS, double projectS, double selectS, double clusterS, double writeS, double totalS) {}

  /**
   * The table written.
   *
   * @param unique path of {@code unique/}
   * @param rows rows projected
   */
  public record Output(String unique, long rows) {}
}
