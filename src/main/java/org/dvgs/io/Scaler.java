package org.dvgs.io;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dvgs.config.ScalingMethod;

/**
 * Per-feature affine scaling {@code x' = (x - shift) * scale}. Min-max maps the fitted range to [0, 1], z-score
 * to zero mean and unit (population) variance; a constant feature keeps scale 1 so it never divides by zero.
 *
 * @param method the method
 * @param shift per-feature shift
 * @param scale per-feature multiplier
 */
public record Scaler(ScalingMethod method, float[] shift, float[] scale) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Running per-feature statistics, mergeable across partitions. */
  public static final class Stats implements Serializable {
    private static final long serialVersionUID = 1L;
    final double[] min;
    final double[] max;
    final double[] sum;
    final double[] sumSq;
    long n;

    public Stats(int width) {
      min = new double[width];
      max = new double[width];
      sum = new double[width];
      sumSq = new double[width];
      java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    public Stats add(float[] x) {
      for (int j = 0; j < x.length; j++) {
        double v = x[j];
        min[j] = Math.min(min[j], v);
        max[j] = Math.max(max[j], v);
        sum[j] += v;
        sumSq[j] += v * v;
      }
      n++;
      return this;
    }

    public Stats merge(Stats o) {
      for (int j = 0; j < min.length; j++) {
        min[j] = Math.min(min[j], o.min[j]);
        max[j] = Math.max(max[j], o.max[j]);
        sum[j] += o.sum[j];
        sumSq[j] += o.sumSq[j];
      }
      n += o.n;
      return this;
    }

    public long count() {
      return n;
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
        double mean = s.sum[j] / s.n;
        double var = Math.max(0, s.sumSq[j] / s.n - mean * mean);
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

  /** Description for the manifest (parameters included for widths up to 2,048). */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    if (method != ScalingMethod.NONE && shift.length <= 2048) {
      m.put(method == ScalingMethod.MIN_MAX ? "min" : "mean", shift);
      m.put("scale", scale);
    }
    return m;
  }
}
