package org.dvgs.scoring;

import java.io.Serializable;

/**
 * Running weighted mean and variance (Welford, in West's weighted form) of each row's similarities, for one {@link SourceBatch}. Values are added in
 * a fixed order (block, then snapshot), in double, so a row's result does not depend on partitioning.
 *
 * <p>Statistics meet their batch again by position (partition, then batch within it), so they carry the batch's
 * {@link SourceBatch#idChecksum() id checksum} and every such join checks it ({@link #check}): a batch recomputed
 * with other rows or another row order fails the task loudly instead of giving its rows other rows' values.
 *
 * @param mean running means
 * @param m2 running sums of squared deviations
 * @param count values seen per row (checkpoints with a positive weight)
 * @param weight sum of the weights of those values (equal to {@code count} with unit weights)
 * @param ids checksum of the ids of the batch these statistics belong to, in batch order
 * @param loss running weighted means of each row's own loss at the same checkpoints, with the same weights
 */
public record RowStats(double[] mean, double[] m2, int count, double weight, long ids, double[] loss) implements Serializable {
  private static final long serialVersionUID = 4L;

  /** Statistics of values with unit weights and no losses yet. */
  public RowStats(double[] mean, double[] m2, int count, long ids) {
    this(mean, m2, count, count, ids, new double[mean.length]);
  }

  /** Weighted statistics with no losses yet. */
  public RowStats(double[] mean, double[] m2, int count, double weight, long ids) {
    this(mean, m2, count, weight, ids, new double[mean.length]);
  }

  /** Empty statistics for {@code batch}. */
  public static RowStats empty(SourceBatch batch) {
    return new RowStats(new double[batch.rows()], new double[batch.rows()], 0, 0.0, batch.idChecksum());
  }

  /** Adds {@code sims[snapshot][row]} in snapshot order, each with unit weight, and returns the updated stats. */
  public RowStats add(double[][] sims) {
    return add(sims, null);
  }

  /**
   * Adds {@code sims[snapshot][row]} in snapshot order with the snapshots' {@code weights} (null = unit weights;
   * a weight of 0 skips the snapshot) and returns the updated stats. The update is
   * {@code mean += w delta / W, m2 += w delta (x - mean)}: with unit weights exactly the plain Welford update, so
   * unit weights give the unweighted values bit for bit.
   */
  public RowStats add(double[][] sims, double[] weights) {
    return add(sims, null, weights);
  }

  /**
   * As {@link #add(double[][], double[])}, also folding each row's own loss {@code losses[snapshot][row]} into its
   * running weighted mean with the same weights ({@code loss += w (l - loss) / W}; null = losses unchanged).
   */
  public RowStats add(double[][] sims, double[][] losses, double[] weights) {
    double[] mu = mean.clone();
    double[] s2 = m2.clone();
    double[] lm = loss.clone();
    int n = count;
    double total = weight;
    for (int k = 0; k < sims.length; k++) {
      double w = weights == null ? 1.0 : weights[k];
      if (!(w > 0)) {
        continue;
      }
      n++;
      total += w;
      double[] s = sims[k];
      for (int i = 0; i < mu.length; i++) {
        double delta = s[i] - mu[i];
        mu[i] += w * delta / total;
        s2[i] += w * delta * (s[i] - mu[i]);
      }
      if (losses != null) {
        double[] l = losses[k];
        for (int i = 0; i < lm.length; i++) {
          lm[i] += w * (l[i] - lm[i]) / total;
        }
      }
    }
    return new RowStats(mu, s2, n, total, ids, lm);
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

  /**
   * Weighted sample standard deviation of row {@code i}, {@code sqrt(m2 / (W - W / n))} (with unit weights
   * {@code W = n} and this is the usual sample standard deviation; NaN with fewer than two values).
   */
  public double std(int i) {
    return count < 2 ? Double.NaN : Math.sqrt(Math.max(0, m2[i] / (weight - weight / count)));
  }
}
