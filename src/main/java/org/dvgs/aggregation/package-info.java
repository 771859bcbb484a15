/**
 * From per-checkpoint scores to the value table: {@link org.dvgs.aggregation.ValueTable} (mean and spread over
 * checkpoints per sample id; with {@code combine = rank-loss} the value combines the ranks of the similarity and of
 * the own loss, {@link org.dvgs.aggregation.RankCombine}) and {@link org.dvgs.aggregation.WrittenRows} (row counts of written Parquet tables, from
 * their footers).
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.scoring}.
 */
package org.dvgs.aggregation;
