package org.dvgs.scoring;

import java.io.Serializable;
import org.dvgs.core.Stats;

/**
 * Running mean and variance (Welford) of each row's similarities, for one {@link SourceBatch}. Values are added in
 * a fixed order (block, then snapshot), in double, so a row's result does not depend on partitioning.
 *
 * <p>Statistics meet their batch again by position (partition, then batch within it), so they carry the batch's
 * {@link SourceBatch#idChecksum() id checksum} and every such join checks it ({@link #check}): a batch recomputed
 * with other rows or another row order fails the task loudly instead of giving its rows other rows' values.
 *
 * @param mean running means
 * @param m2 running sums of squared deviations
 * @param count values seen per row
 * @param ids checksum of the ids of the batch these statistics belong to, in batch order
 */
public record RowStats(double[] mean, double[] m2, int count, long ids) implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Empty statistics for {@code batch}. */
  public static RowStats empty(SourceBatch batch) {
    return new RowStats(new double[batch.rows()], new double[batch.rows()], 0, batch.idChecksum());
  }

  /** Adds {@code sims[snapshot][row]} in snapshot order and returns the updated stats. */
  public RowStats add(double[][] sims) {
    double[] mu = mean.clone();
    double[] s2 = m2.clone();
    int n = count;
    for (double[] s : sims) {
      n++;
      Stats.welford(mu, s2, n, s);
    }
    return new RowStats(mu, s2, n, ids);
  }

  /**
   * Checks that these statistics were computed for {@code batch} (same ids in the same order).
   *
   * @param where what joins them (for the message)
   * @throws IllegalStateException naming the batch when they were not
   */
  public void check(SourceBatch batch, String where) {
    if (mean.length != batch.rows() || ids != batch.idChecksum()) {
      throw new IllegalStateException(
          where + ": row statistics of " + mean.length + " rows do not belong to the source batch of " + batch.rows()
              + " rows " + batch.firstIds(3) + " they are joined with (id checksums " + Long.toHexString(ids) + " and "
              + Long.toHexString(batch.idChecksum()) + "); the persisted source batches were recomputed with other rows"
              + " or another row order, and no value is attached to a row it does not belong to");
    }
  }

  /** Sample standard deviation of row {@code i} (NaN with fewer than two values). */
  public double std(int i) {
    return Stats.welfordStd(m2[i], count);
  }
}
