package org.dvgs.core;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Means, variances, ranks and correlations of plain arrays. Every sum is a plain double sum in array order, so a
 * result is a function of the values and their order only (callers fix the order where it matters, e.g. target
 * order or snapshot order). Undefined results are NaN rather than exceptions: the mean of nothing, the sample
 * variance of fewer than two values, the correlation with a constant side.
 */
public final class Stats {
  private Stats() {}

  /** Sum in array order; 0 for an empty array. */
  public static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  /** Sum in array order, accumulated in double; 0 for an empty array. */
  public static double sum(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }

  /** Arithmetic mean (sum in array order over the count); NaN when empty. */
  public static double mean(double[] v) {
    return v.length == 0 ? Double.NaN : sum(v) / v.length;
  }

  /** Arithmetic mean of floats, accumulated in double; NaN when empty. */
  public static double mean(float[] v) {
    return v.length == 0 ? Double.NaN : sum(v) / v.length;
  }

  /** Sum of squared deviations from the mean (two passes); 0 for an empty array. */
  public static double sumOfSquares(double[] v) {
    if (v.length == 0) {
      return 0;
    }
    double mean = mean(v);
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return ss;
  }

  /** Sample variance (divisor n - 1); NaN with fewer than two values. */
  public static double sampleVariance(double[] v) {
    return v.length < 2 ? Double.NaN : sumOfSquares(v) / (v.length - 1);
  }

  /** Sample standard deviation (divisor n - 1); NaN with fewer than two values. */
  public static double sampleStd(double[] v) {
    return v.length < 2 ? Double.NaN : Math.sqrt(sumOfSquares(v) / (v.length - 1));
  }

  /** Population variance (divisor n); NaN when empty. */
  public static double populationVariance(double[] v) {
    return v.length == 0 ? Double.NaN : sumOfSquares(v) / v.length;
  }

  /**
   * Adds one observation per element to running moments (Welford's update): {@code mean[i]} and {@code m2[i]}
   * (the sum of squared deviations) become those of element {@code i}'s observations including {@code x[i]}.
   *
   * @param count how many observations each element has after this one (1 for the first)
   */
  public static void welford(double[] mean, double[] m2, long count, double[] x) {
    for (int i = 0; i < mean.length; i++) {
      double delta = x[i] - mean[i];
      mean[i] += delta / count;
      m2[i] += delta * (x[i] - mean[i]);
    }
  }

  /** Sample standard deviation from a running sum of squared deviations; NaN with fewer than two observations. */
  public static double welfordStd(double m2, long count) {
    return count < 2 ? Double.NaN : Math.sqrt(Math.max(0, m2 / (count - 1)));
  }

  /** Median: the middle value, or the mean of the two middle values for an even count; NaN when empty. */
  public static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] a = v.clone();
    Arrays.sort(a);
    int h = a.length / 2;
    return a.length % 2 == 1 ? a[h] : (a[h - 1] + a[h]) / 2;
  }

  /** 1-based ranks, ties sharing their average rank. */
  public static double[] ranks(double[] v) {
    int n = v.length;
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
    double[] r = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[idx[k]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  /** Pearson correlation; NaN when either side is constant (or empty). */
  public static double pearson(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("correlation of " + a.length + " and " + b.length + " values");
    }
    int n = a.length;
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < n; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < n; i++) {
      double da = a[i] - ma;
      double db = b[i] - mb;
      sab += da * db;
      saa += da * da;
      sbb += db * db;
    }
    return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
  }

  /** Spearman rank correlation: Pearson of average ranks; NaN when either side is constant. */
  public static double spearman(double[] a, double[] b) {
    return pearson(ranks(a), ranks(b));
  }
}
