package org.dvgs.output;

import java.util.List;

/**
 * The {@code manifest.json} of a {@code bench-unique} run: per sampled row, the cost of ghost scoring, of projecting
 * gradients and of projection with the selection of unique rows, measured in interleaved rounds.
 *
 * @param command always {@code bench-unique}
 * @param seed the seed
 * @param model the snapshot used, as {@code unique} records it ({@link UniqueManifest.Model})
 * @param setup what was measured
 * @param perRowUs microseconds per row, median round
 * @param ratios projection (and selection) over ghost scoring
 * @param rounds microseconds per row of every round after the warm-up
 * @param versions software versions
 * @param timings wall time
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record BenchUniqueManifest(
    String command,
    long seed,
    UniqueManifest.Model model,
    Setup setup,
    PerRow perRowUs,
    Ratios ratios,
    Rounds rounds,
    Versions versions,
    TotalTime timings,
    @MayBeAbsent Object config) {

  /** The command name the manifest carries. */
  public static final String COMMAND = "bench-unique";

  /**
   * What was measured.
   *
   * @param rows sampled rows
   * @param k projected dimension
   * @param layersFromEnd linear layers projected, counted from the output
   * @param gradientDimension gradient entries projected
   * @param batchSize rows per engine call
   * @param rounds timed rounds (after one warm-up)
   * @param passesPerBlock whole passes over the sample per timed block
   * @param intraOpThreads PyTorch threads
   * @param device the DJL device
   * @param kept rows the selection kept in the last pass
   */
  public record Setup(int rows, int k, int layersFromEnd, long gradientDimension, int batchSize, int rounds, int passesPerBlock,
      int intraOpThreads, String device, long kept) {}

  /**
   * Microseconds per row.
   *
   * @param ghost ghost scoring
   * @param project projecting gradients
   * @param projectAndSelect projecting and selecting
   */
  public record PerRow(double ghost, double project, double projectAndSelect) {}

  /**
   * Cost ratios.
   *
   * @param projectOverGhost projection over ghost scoring (medians)
   * @param projectAndSelectOverGhost projection and selection over ghost scoring
   * @param projectAndSelectOverGhostPerRound the same, round by round
   */
  public record Ratios(double projectOverGhost, double projectAndSelectOverGhost, List<Double> projectAndSelectOverGhostPerRound) {}

  /**
   * Microseconds per row of each round.
   *
   * @param ghost ghost scoring
   * @param project projection
   * @param projectAndSelect projection and selection
   */
  public record Rounds(List<Double> ghost, List<Double> project, List<Double> projectAndSelect) {}
}
