package org.dvgs.output;

/**
 * What training did for one restart: its snapshots were reused from the store, or it was trained here.
 *
 * @param restart restart index
 * @param reused whether its snapshot file was taken from the store
 * @param snapshots snapshots in its file
 * @param fileFromConcurrentRun a run sharing the checkpoint directory published this restart's file first, and
 *     this run scored that file (written only then)
 * @param replacedCorruptFile the damaged file that was moved aside before training again (written only then)
 * @param iterations optimiser iterations (trained restarts)
 * @param firstLoss target loss before the first step (trained restarts)
 * @param lastLoss target loss after the last step (trained restarts)
 * @param seconds training wall time (trained restarts)
 * @param classGradientFallbacks per-class gradients replaced by the batch gradient for lack of rows of the class
 *     (written only when there were some)
 */
public record RestartSummary(
    int restart,
    boolean reused,
    long snapshots,
    @MayBeAbsent Boolean fileFromConcurrentRun,
    @MayBeAbsent ReplacedFile replacedCorruptFile,
    @MayBeAbsent(unless = "reused") Long iterations,
    @MayBeAbsent(unless = "reused") Double firstLoss,
    @MayBeAbsent(unless = "reused") Double lastLoss,
    @MayBeAbsent(unless = "reused") Double seconds,
    @MayBeAbsent Long classGradientFallbacks) {

  /** A restart whose snapshots were reused. */
  public static RestartSummary reused(int restart, long snapshots) {
    return new RestartSummary(restart, true, snapshots, null, null, null, null, null, null, null);
  }

  /**
   * A snapshot file that did not verify and was moved aside.
   *
   * @param file where it was
   * @param problem why it does not verify
   * @param movedTo where it went (empty when another run had replaced it meanwhile)
   */
  public record ReplacedFile(String file, String problem, String movedTo) {}
}
