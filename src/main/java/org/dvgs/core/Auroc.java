package org.dvgs.core;

/**
 * Exact area under the ROC curve: the probability that a random positive scores above a random negative, tied
 * scores counting one half (the Mann-Whitney U statistic over {@code positives x negatives}).
 *
 * <p>Computed from average ranks ({@link Stats#ranks}): the positives' rank sum is a sum of half-integers, exact in
 * double while it stays below 2^53 (any input up to about 10^8 rows), so the result is the correctly rounded
 * quotient of the exact pair count, whatever the row order.
 */
public final class Auroc {
  private Auroc() {}

  /**
   * AUROC of {@code scores} for the rows flagged in {@code positive} (higher score means more likely positive).
   *
   * @return the area, or NaN when there are no positives or no negatives
   */
  public static double of(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException("AUROC of " + scores.length + " scores and " + positive.length + " labels");
    }
    int n = scores.length;
    double[] rank = Stats.ranks(scores);
    double rankSumPos = 0;
    long pos = 0;
    for (int i = 0; i < n; i++) {
      if (positive[i]) {
        rankSumPos += rank[i];
        pos++;
      }
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /**
   * Macro average of one-vs-rest AUROCs: {@code scores[c]} scores every row for class {@code c},
   * {@code isClass[c]} flags the rows of class {@code c}. Classes whose AUROC is undefined (absent, or every row)
   * are left out of the average, which runs in class order.
   *
   * @return the average, or NaN when no class has a defined AUROC
   */
  public static double macro(double[][] scores, boolean[][] isClass) {
    double sum = 0;
    int used = 0;
    for (int c = 0; c < scores.length; c++) {
      double a = of(scores[c], isClass[c]);
      if (!Double.isNaN(a)) {
        sum += a;
        used++;
      }
    }
    return used == 0 ? Double.NaN : sum / used;
  }
}
