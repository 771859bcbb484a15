package org.dvgs.scoring;

import java.util.HashMap;
import java.util.Map;
import org.dvgs.config.AggregationConfig;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.model.Snapshot;

/**
 * The weight of each snapshot in a row's value under {@code dvgs.aggregation} (driver side, fed the snapshots in
 * order restart, iteration). Weights depend on the checkpoint only, so every row sees the same weights.
 */
public final class CheckpointWeights {
  private final AggregationConfig agg;
  private final double learningRate;
  private final Map<Integer, Integer> seen = new HashMap<>();
  private final Map<Integer, Double> lastLoss = new HashMap<>();
  private double total;
  private boolean lastBurnIn;

  /**
   * @param agg the aggregation options
   * @param learningRate the learning rate of every optimizer step (dvgs-spark trains with a constant one)
   */
  public CheckpointWeights(AggregationConfig agg, double learningRate) {
    this.agg = agg;
    this.learningRate = learningRate;
  }

  /** Checks that the burn-in leaves at least one snapshot of each restart. */
  public static void requireSnapshots(AggregationConfig agg, long snapshotsPerRestart) {
    if (agg.burnIn() >= snapshotsPerRestart) {
      throw new ConfigValidationException(
          "dvgs.aggregation.burn-in = " + agg.burnIn() + " drops every snapshot: each restart has " + snapshotsPerRestart);
    }
  }

  /**
   * Snapshots that can count at most, of {@code restarts} restarts of {@code snapshotsPerRestart} each: all but the
   * burn-in of every restart. Loss-drop weighting may give some of them weight 0 as well, which is known only when
   * they are read.
   */
  public static long countedAtMost(AggregationConfig agg, long snapshotsPerRestart, int restarts) {
    return Math.max(0, snapshotsPerRestart - agg.burnIn()) * restarts;
  }

  /** Whether the snapshot {@link #next} weighed last was one of its restart's burn-in (weight 0 by position). */
  public boolean lastWasBurnIn() {
    return lastBurnIn;
  }

  /**
   * The weight of the next snapshot: 0 for a snapshot that does not count (burn-in, or no loss drop), which the
   * caller then does not score. Under {@code learning-rate} the weight is the step's learning rate divided by the
   * configured one, so that a constant learning rate gives unit weights and the plain mean bit for bit.
   */
  public double next(Snapshot s) {
    int k = seen.merge(s.restart(), 1, Integer::sum) - 1;
    lastBurnIn = k < agg.burnIn();
    if (lastBurnIn) {
      return 0;
    }
    double w;
    switch (agg.weighting()) {
      case MEAN -> w = 1.0;
      case LEARNING_RATE -> w = learningRate / learningRate;
      case LOSS_DROP -> {
        Double prev = lastLoss.put(s.restart(), s.targetLoss());
        w = prev == null ? 0.0 : Math.max(0.0, prev - s.targetLoss());
        if (!Double.isFinite(w)) {
          w = 0.0;
        }
      }
      default -> throw new IllegalStateException("weighting " + agg.weighting());
    }
    total += w;
    return w;
  }

  /** Checks, after the last snapshot, that some checkpoint has a weight. */
  public void requireWeight() {
    if (!(total > 0)) {
      throw new ConfigValidationException(
          "dvgs.aggregation.weighting = loss-drop: the target loss never fell between two kept snapshots of a restart,"
              + " so no checkpoint has a weight (use mean, or a shorter burn-in)");
    }
  }

}
