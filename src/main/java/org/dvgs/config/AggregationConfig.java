package org.dvgs.config;

/**
 * How per-checkpoint similarities become a row's value ({@code dvgs.aggregation}). The defaults are the DVGS paper's
 * plain mean over every snapshot of every restart.
 *
 * @param weighting weight of each checkpoint
 * @param burnIn the first this many snapshots of every restart are dropped (not scored)
 * @param standardise z-score each checkpoint's similarities across all source rows before weighting them
 * @param combine what the value is made of: the mean similarity alone, or its rank combined with the own loss's
 */
public record AggregationConfig(CheckpointWeighting weighting, int burnIn, boolean standardise, ValueCombine combine) {

  /** The paper's aggregation: the plain mean over every snapshot, raw similarities. */
  public static final AggregationConfig PAPER = new AggregationConfig(CheckpointWeighting.MEAN, 0, false, ValueCombine.NONE);

  static AggregationConfig from(Keys k) {
    return new AggregationConfig(
        k.enumValue("weighting", CheckpointWeighting.class), k.nonNegativeInt("burn-in"), k.bool("standardise"),
        k.enumValue("combine", ValueCombine.class));
  }

}
