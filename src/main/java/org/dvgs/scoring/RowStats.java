package org.dvgs.scoring;

import java.io.Serializable;

/**
 * Running mean and variance (Welford) of each row's similarities, for one {@link SourceBatch}. Values are added in
 * a fixed order (block, then snapshot), in double, so a row's result does not depend on partitioning.
 *
 * @param mean running means
 * @param m2 running sums of squared deviations
 * @param count values seen per row
 */
public record RowStats(double[] mean, double[] m2, int count) implements Serializable {
  private static final long serialVersionUID = 1L;

  public static RowStats empty(int rows) {
    return new RowStats(new double[rows], new double[rows], 0);
  }

  /** Adds {@code sims[snapshot][row]} in snapshot order and returns the updated stats. */
  public RowStats add(double[][] sims) {
    double[] mu = mean.clone();
    double[] s2 = m2.clone();
    int n = count;
    for (double[] s : sims) {
      n++;
      for (int i = 0; i < mu.length; i++) {
        double d = s[i] - mu[i];
        mu[i] += d / n;
        s2[i] += d * (s[i] - mu[i]);
      }
    }
    return new RowStats(mu, s2, n);
  }

  /** Sample standard deviation of row {@code i} (NaN with fewer than two values). */
  public double std(int i) {
    return count < 2 ? Double.NaN : Math.sqrt(Math.max(0, m2[i] / (count - 1)));
  }
}
