package org.dvgs.config;

/**
 * What a row's value is made of ({@code dvgs.aggregation.combine}): {@code none} (the weighted mean similarity, the
 * DVGS paper) or {@code rank-loss} (the mean of the row's percentile rank by that similarity and its percentile rank
 * by minus its weighted mean own loss over the same checkpoints, so that a row the models fit badly ranks low even
 * when its gradient points the target's way).
 */
public enum ValueCombine {
  NONE, RANK_LOSS
}
