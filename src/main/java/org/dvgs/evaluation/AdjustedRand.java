package org.dvgs.evaluation;

import java.util.HashMap;
import java.util.Map;

/**
 * Adjusted Rand index of two labellings of the same items (Hubert and Arabie, 1985): the Rand index corrected for
 * chance, 1 for identical partitions (up to renaming), about 0 for independent ones, negative below chance.
 * {@code ARI = (sum_ij C(n_ij, 2) - E) / (max - E)} with {@code E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2)} and
 * {@code max = (sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2}, over the contingency table {@code n_ij} with row sums
 * {@code a_i} and column sums {@code b_j}.
 */
public final class AdjustedRand {
  private AdjustedRand() {}

  /** The index; 1 when both labellings put every item in one cluster, or every item in its own. */
  public static double of(int[] a, int[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("labellings differ in length: " + a.length + " vs " + b.length);
    }
    Map<Long, Long> cells = new HashMap<>();
    for (int i = 0; i < a.length; i++) {
      cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1L, Long::sum);
    }
    return ofContingency(cells);
  }

  /**
   * The index from a contingency table: cell key {@code (a << 32) | (b & 0xffffffff)} to its count (so a
   * distributed job need only count pairs of labels).
   */
  public static double ofContingency(Map<Long, Long> cells) {
    Map<Integer, Long> rows = new HashMap<>();
    Map<Integer, Long> cols = new HashMap<>();
    long n = 0;
    for (Map.Entry<Long, Long> e : cells.entrySet()) {
      rows.merge((int) (e.getKey() >> 32), e.getValue(), Long::sum);
      cols.merge((int) (long) e.getKey(), e.getValue(), Long::sum);
      n += e.getValue();
    }
    double index = 0;
    for (long c : cells.values()) {
      index += pairs(c);
    }
    double sa = 0;
    for (long c : rows.values()) {
      sa += pairs(c);
    }
    double sb = 0;
    for (long c : cols.values()) {
      sb += pairs(c);
    }
    double expected = n < 2 ? 0 : sa * sb / pairs(n);
    double max = (sa + sb) / 2;
    if (max == expected) {
      return 1.0; // both trivial (all in one cluster, or all singletons): identical partitions
    }
    return (index - expected) / (max - expected);
  }

  private static double pairs(long c) {
    return c * (c - 1) / 2.0;
  }
}
