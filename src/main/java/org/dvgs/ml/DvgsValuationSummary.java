package org.dvgs.ml;

import java.util.List;
import java.util.Map;

/**
 * What a {@link DvgsValuationModel} reports: how it was trained, and what its last {@link DvgsValuationModel#transform}
 * valued.
 *
 * @param restarts training restarts
 * @param snapshots snapshots the model scores every row against (restarts times snapshots per restart)
 * @param fingerprint the training fingerprint (the same as the {@code value} command's for the same target and settings)
 * @param training per restart: reused or trained, iterations and the target loss at its first and last step
 * @param timings seconds of the fit ({@code load_s}, {@code train_s}, {@code total_s})
 * @param lastTransform the rows of the last transform, or null before the first one
 */
public record DvgsValuationSummary(
    int restarts,
    long snapshots,
    String fingerprint,
    List<Restart> training,
    Map<String, Double> timings,
    TransformCounts lastTransform) {

  /**
   * One training restart.
   *
   * @param restart restart index
   * @param reused whether its snapshots came from the checkpoint directory instead of being trained
   * @param snapshots snapshots it contributes
   * @param iterations optimizer steps (0 when reused)
   * @param firstLoss target loss at its first step (NaN when reused)
   * @param lastLoss target loss at its last step (NaN when reused)
   * @param seconds training time (0 when reused)
   */
  public record Restart(int restart, boolean reused, long snapshots, long iterations, double firstLoss, double lastLoss, double seconds) {}

  /**
   * Rows of the last transform, counted on the executors as its DataFrame is computed. A transform is lazy: the
   * counts are zero until an action runs, and grow with every action that computes the DataFrame again (cache it
   * to count once).
   *
   * @param handleInvalid the handling of invalid rows in that transform
   * @param rowsValued rows that got a value
   * @param rowsRejected rows that could not be valued (dropped with {@code skip}, kept with a reason with {@code keep})
   * @param rejectedByReason rejected rows by reason category ({@code non-finite or missing feature},
   *     {@code feature length}, {@code missing label}, {@code label out of range}, {@code missing id})
   */
  public record TransformCounts(String handleInvalid, long rowsValued, long rowsRejected, Map<String, Long> rejectedByReason) {}
}
