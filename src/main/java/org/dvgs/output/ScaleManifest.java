package org.dvgs.output;

import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a {@code scale} run: one entry per source size, each a full valuation of generated
 * L1000-shaped data (whose own manifest is in {@code run-<rows>/}), with throughput, cost per sample, heap and
 * how well low values find the noisy samples.
 *
 * @param command always {@code scale}
 * @param seed the seed
 * @param versions software versions
 * @param master Spark master URL
 * @param runs one per size, in the configured order
 * @param costRatioLargestToSmallest scoring cost per sample-checkpoint of the last size over the first (two sizes
 *     or more)
 * @param timings wall time
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record ScaleManifest(
    String command,
    long seed,
    Versions versions,
    String master,
    List<Run> runs,
    @MayBeAbsent Double costRatioLargestToSmallest,
    TotalTime timings,
    @MayBeAbsent Object config) {

  /** The command name the manifest carries. */
  public static final String COMMAND = "scale";

  /**
   * One size.
   *
   * @param rows generated rows
   * @param sourceValued rows valued
   * @param targetRows target rows trained on
   * @param testHeldOut rows held out as a test set (null when none)
   * @param checkpoints snapshots each row was scored against
   * @param sampleCheckpoints rows times snapshots
   * @param sampleCheckpointsPerS scoring throughput
   * @param secondsPerCheckpoint scoring time per snapshot (NaN without snapshots)
   * @param scoringUsPerSample scoring microseconds per row
   * @param scoringUsPerSampleCheckpoint scoring microseconds per row and snapshot
   * @param jobUsPerSample whole-run microseconds per row
   * @param generateS generating the data
   * @param timings the valuation's stage wall times
   * @param heapThisJvm the driver JVM's heap while valuing
   * @param executorPeakJvmHeapMb peak JVM heap per executor id, in MiB
   * @param quality correlations of the noise rate with {@code -value} (also the valuation's {@code metrics})
   */
  public record Run(
      long rows,
      long sourceValued,
      long targetRows,
      @MayBeNull Long testHeldOut,
      long checkpoints,
      long sampleCheckpoints,
      double sampleCheckpointsPerS,
      double secondsPerCheckpoint,
      double scoringUsPerSample,
      double scoringUsPerSampleCheckpoint,
      double jobUsPerSample,
      double generateS,
      ValueManifest.Timings timings,
      Heap heapThisJvm,
      Map<String, Double> executorPeakJvmHeapMb,
      Quality quality) {}

  /**
   * How well low values find the noisy samples: correlations of each row's generated noise rate with its
   * {@code -value} (NaN with fewer than 3 rows).
   *
   * @param spearmanNoiseRateNegValue Spearman correlation
   * @param pearsonNoiseRateNegValue Pearson correlation
   * @param rowsCompared valued rows with a noise rate
   */
  public record Quality(double spearmanNoiseRateNegValue, double pearsonNoiseRateNegValue, long rowsCompared) {}

  /**
   * Heap of the driver JVM, sampled while a valuation ran.
   *
   * @param peakHeapUsedMb peak heap used, MiB
   * @param peakHeapAfterGcMb peak heap left after a collection, MiB
   * @param maxHeapMb the heap limit, MiB
   * @param collections collections seen
   */
  public record Heap(double peakHeapUsedMb, double peakHeapAfterGcMb, double maxHeapMb, long collections) {}
}
