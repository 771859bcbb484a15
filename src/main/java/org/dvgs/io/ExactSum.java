package org.dvgs.io;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A sum of doubles kept exactly, as a short list of non-overlapping partial sums (Shewchuk's algorithm), and
 * rounded once at the end. The result is the correctly rounded value of the exact sum, so it does not depend on the
 * order the values were added in, nor on how partial sums over partitions were grouped and merged. Plain double
 * accumulation does depend on both: feature statistics summed over Spark partitions would then change in the last
 * bits with the cluster's shape or the order tasks finish in, and with them the fitted scaler and every value.
 */
public final class ExactSum implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Non-overlapping partials in increasing magnitude; {@code size} of them are in use. */
  private double[] partials = new double[4];
  private int size;

  /** Adds {@code x} exactly (x must be finite). */
  public ExactSum add(double x) {
    int used = 0;
    for (int j = 0; j < size; j++) {
      double y = partials[j];
      if (Math.abs(x) < Math.abs(y)) {
        double t = x;
        x = y;
        y = t;
      }
      double hi = x + y;
      double lo = y - (hi - x);
      if (lo != 0.0) {
        partials[used++] = lo;
      }
      x = hi;
    }
    if (used == partials.length) {
      partials = Arrays.copyOf(partials, 2 * partials.length);
    }
    partials[used++] = x;
    size = used;
    return this;
  }

  /** Adds another exact sum (exactly). */
  public ExactSum add(ExactSum other) {
    for (int j = 0; j < other.size; j++) {
      add(other.partials[j]);
    }
    return this;
  }

  /** The exact sum rounded to the nearest double (ties to even). */
  public double value() {
    if (size == 0) {
      return 0.0;
    }
    int n = size - 1;
    double hi = partials[n];
    double lo = 0.0;
    // Add the partials from the largest down until the sum stops being exact.
    while (n > 0) {
      double x = hi;
      double y = partials[--n];
      hi = x + y;
      double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) {
        break;
      }
    }
    // When the rest of the partials push the discarded part past a halfway point, the rounding of hi goes the
    // other way; this makes round-half-even hold for the exact sum, not just for its two largest parts.
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      double y = lo * 2;
      double x = hi + y;
      double yr = x - hi;
      if (y == yr) {
        hi = x;
      }
    }
    return hi;
  }
}
