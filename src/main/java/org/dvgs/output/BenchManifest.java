package org.dvgs.output;

import java.util.List;

/**
 * The {@code manifest.json} of a {@code bench} run: in one process, on generated rows, the throughput of ghost
 * scoring, naive per-sample scoring, a batched training step and a forward pass, measured in interleaved rounds.
 *
 * @param command always {@code bench}
 * @param seed the seed of the generated rows and the snapshot
 * @param model the network
 * @param setup what was measured
 * @param throughput the median round of each
 * @param ratios ghost scoring against the others (medians), and against a training step per round
 * @param rounds rows per second of every round after the warm-up
 * @param agreement ghost and naive scoring compute the same similarities
 * @param versions Java, DJL and PyTorch
 * @param timings wall time
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record BenchManifest(
    String command,
    long seed,
    ValueManifest.Model model,
    Setup setup,
    Throughput throughput,
    Ratios ratios,
    Rounds rounds,
    Agreement agreement,
    Versions versions,
    TotalTime timings,
    @MayBeAbsent Object config) {

  /** The command name the manifest carries. */
  public static final String COMMAND = "bench";

  /**
   * What was measured.
   *
   * @param rows generated rows scored by ghost scoring, trained on and forwarded
   * @param naiveRows generated rows scored naively
   * @param batchSize rows per engine call
   * @param rounds timed rounds (after one warm-up)
   * @param intraOpThreads PyTorch threads
   * @param device the DJL device
   * @param snapshots snapshots every row was scored against (absent in manifests of versions that scored one)
   * @param checkpointBatch {@code dvgs.scoring.checkpoint-batch} as configured ({@code auto} or a number; absent in
   *     manifests of versions before it was recorded)
   * @param snapshotsPerPass snapshots the ghost path scored together per batch of rows, as resolved (1 = one at a
   *     time with two-dimensional products; absent as {@code checkpointBatch})
   */
  public record Setup(
      int rows, int naiveRows, int batchSize, int rounds, int intraOpThreads, String device, @MayBeAbsent Integer snapshots,
      @MayBeAbsent String checkpointBatch, @MayBeAbsent Integer snapshotsPerPass) {}

  /**
   * Rows per second, median round; ghost and naive scoring count sample-checkpoints (rows x snapshots).
   *
   * @param ghostSamplesPerS ghost scoring
   * @param trainStepSamplesPerS a forward, backward and gradient clear
   * @param forwardSamplesPerS a forward pass
   * @param naiveSamplesPerS naive per-sample scoring
   */
  public record Throughput(double ghostSamplesPerS, double trainStepSamplesPerS, double forwardSamplesPerS, double naiveSamplesPerS) {}

  /**
   * Throughput ratios.
   *
   * @param ghostOverTrainStep ghost over training step (medians)
   * @param ghostOverNaive ghost over naive
   * @param ghostOverForward ghost over forward
   * @param ghostOverTrainStepPerRound ghost over training step, round by round
   */
  public record Ratios(double ghostOverTrainStep, double ghostOverNaive, double ghostOverForward, List<Double> ghostOverTrainStepPerRound) {}

  /**
   * Rows per second of each round.
   *
   * @param ghost ghost scoring
   * @param trainStep training step
   * @param forward forward pass
   * @param naive naive scoring
   */
  public record Rounds(List<Double> ghost, List<Double> trainStep, List<Double> forward, List<Double> naive) {}

  /**
   * Ghost against naive scoring on the naive rows.
   *
   * @param ghostVsNaiveMaxAbsDifference largest absolute difference of a similarity
   * @param rows rows compared
   */
  public record Agreement(double ghostVsNaiveMaxAbsDifference, int rows) {}
}
