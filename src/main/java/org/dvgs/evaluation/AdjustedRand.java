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
    int n = a.length;
    Map<Long, Long> cells = new HashMap<>();
    Map<Integer, Long> rows = new HashMap<>();
    Map<Integer, Long> cols = new HashMap<>();
    for (int i = 0; i < n; i++) {
      cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1L, Long::sum);
      rows.merge(a[i], 1L, Long::sum);
      cols.merge(b[i], 1L, Long::sum);
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
