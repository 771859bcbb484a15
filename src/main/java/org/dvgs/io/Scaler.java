package org.dvgs.io;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.dvgs.config.ScalingMethod;
import org.dvgs.output.ValueManifest;

/**
 * Per-feature affine scaling {@code x' = (x - shift) * scale}, where {@code scale} is a multiplier (1 / range or
 * 1 / standard deviation; the manifest names it {@code multiplier}). Min-max maps the fitted range to [0, 1], z-score
 * to zero mean and unit (population) variance; a constant feature keeps scale 1 so it never divides by zero.
 *
 * @param method the method
 * @param shift per-feature shift
 * @param scale per-feature multiplier
 */
public record Scaler(ScalingMethod method, float[] shift, float[] scale) implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Running per-feature statistics, mergeable across partitions. Sums are exact ({@link ExactSum}; the square of a
   * float is exact in double), so the fitted scaler is the same however the rows were partitioned and in whatever
   * order the partitions' statistics are merged.
   */
  public static final class Stats implements Serializable {
    private static final long serialVersionUID = 2L;
    final double[] min;
    final double[] max;
    final ExactSum[] sum;
    final ExactSum[] sumSq;
    long n;

    public Stats(int width) {
      min = new double[width];
      max = new double[width];
      sum = new ExactSum[width];
      sumSq = new ExactSum[width];
      for (int j = 0; j < width; j++) {
        sum[j] = new ExactSum();
        sumSq[j] = new ExactSum();
      }
      java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    public Stats add(float[] x) {
      for (int j = 0; j < x.length; j++) {
        double v = x[j];
        min[j] = Math.min(min[j], v);
        max[j] = Math.max(max[j], v);
        sum[j].add(v);
        sumSq[j].add(v * v);
      }
      n++;
      return this;
    }

    public Stats merge(Stats o) {
      for (int j = 0; j < min.length; j++) {
        min[j] = Math.min(min[j], o.min[j]);
        max[j] = Math.max(max[j], o.max[j]);
        sum[j].add(o.sum[j]);
        sumSq[j].add(o.sumSq[j]);
      }
      n += o.n;
      return this;
    }

    public long count() {
      return n;
    }

    /** Mean of feature {@code j} (exact sum, rounded once, divided by the count). */
    double mean(int j) {
      return sum[j].value() / n;
    }

    /** Population variance of feature {@code j}, from the exact sums. */
    double variance(int j) {
      double mean = mean(j);
      return Math.max(0, sumSq[j].value() / n - mean * mean);
    }
  }

  /** The identity scaler. */
  public static Scaler none(int width) {
    float[] shift = new float[width];
    float[] scale = new float[width];
    java.util.Arrays.fill(scale, 1f);
    return new Scaler(ScalingMethod.NONE, shift, scale);
  }

  /** Fits a scaler from statistics. */
  public static Scaler fit(ScalingMethod method, Stats s) {
    int w = s.min.length;
    if (method == ScalingMethod.NONE || s.n == 0) {
      return none(w);
    }
    float[] shift = new float[w];
    float[] scale = new float[w];
    for (int j = 0; j < w; j++) {
      if (method == ScalingMethod.MIN_MAX) {
        double range = s.max[j] - s.min[j];
        shift[j] = (float) s.min[j];
        scale[j] = range > 0 ? (float) (1.0 / range) : 1f;
      } else {
        double mean = s.mean(j);
        double var = s.variance(j);
        shift[j] = (float) mean;
        scale[j] = var > 0 ? (float) (1.0 / Math.sqrt(var)) : 1f;
      }
    }
    return new Scaler(method, shift, scale);
  }

  /** Returns a scaled copy. */
  public float[] apply(float[] x) {
    if (method == ScalingMethod.NONE) {
      return x;
    }
    float[] y = new float[x.length];
    for (int j = 0; j < x.length; j++) {
      y[j] = (x[j] - shift[j]) * scale[j];
    }
    return y;
  }

  /**
   * The manifest's description: the method and, for widths up to 2,048, the per-feature {@code shift} and
   * {@code multiplier} ({@code x' = (x - shift) * multiplier}; the multiplier of z-score is 1 / standard deviation,
   * not the deviation itself).
   *
   * @param fitOn the rows the scaler was fitted on, as configured
   */
  public ValueManifest.Scaling describe(String fitOn) {
    String name = method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    if (method == ScalingMethod.NONE || shift.length > 2048) {
      return new ValueManifest.Scaling(name, null, null, fitOn);
    }
    return new ValueManifest.Scaling(name, floats(shift), floats(scale), fitOn);
  }

  private static List<Float> floats(float[] a) {
    List<Float> out = new ArrayList<>(a.length);
    for (float f : a) {
      out.add(f);
    }
    return List.copyOf(out);
  }
}
