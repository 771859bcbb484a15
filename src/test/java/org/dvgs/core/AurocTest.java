package org.dvgs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AurocTest {
  @Test
  void handComputedWithoutTies() {
    // Positives at scores 0.9, 0.4; negatives at 0.8, 0.3, 0.1: pairs won 1+1+1 (0.9) + 0+1+1 (0.4) = 5 of 6.
    assertEquals(5.0 / 6, Auroc.of(new double[] {0.9, 0.8, 0.4, 0.3, 0.1}, new boolean[] {true, false, true, false, false}), 1e-12);
  }

  @Test
  void tiesCountHalf() {
    // One positive tied with one negative at 0.5, another positive above all: (1 + 1) + (0.5 + 1) = 3.5 of 4.
    assertEquals(3.5 / 4, Auroc.of(new double[] {0.9, 0.5, 0.5, 0.1}, new boolean[] {true, true, false, false}), 1e-12);
    // All tied: chance.
    assertEquals(0.5, Auroc.of(new double[] {1, 1, 1, 1}, new boolean[] {true, false, true, false}), 1e-12);
  }

  @Test
  void degenerateIsNaN() {
    assertTrue(Double.isNaN(Auroc.of(new double[] {1, 2}, new boolean[] {true, true})));
    assertTrue(Double.isNaN(Auroc.of(new double[] {1, 2}, new boolean[] {false, false})));
    assertTrue(Double.isNaN(Auroc.of(new double[0], new boolean[0])));
  }

  @Test
  void perfectAndReversedAndSignedZeroTie() {
    assertEquals(1.0, Auroc.of(new double[] {3, 2, 1, 0}, new boolean[] {true, true, false, false}), 0);
    assertEquals(0.0, Auroc.of(new double[] {3, 2, 1, 0}, new boolean[] {false, false, true, true}), 0);
    // -0.0 and 0.0 are the same score: one tied pair, worth one half.
    assertEquals(0.5, Auroc.of(new double[] {-0.0, 0.0}, new boolean[] {true, false}), 0);
  }

  @Test
  void equalsPairCountingWithManyTies() {
    SplittableRandom r = new SplittableRandom(11);
    int n = 400;
    double[] s = new double[n];
    boolean[] p = new boolean[n];
    for (int i = 0; i < n; i++) {
      p[i] = r.nextDouble() < 0.3;
      s[i] = r.nextInt(7) + (p[i] ? 1 : 0); // seven levels: many ties between and within classes
    }
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (p[i] && !p[j]) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
        }
      }
    }
    // Both numerators are exact half-integers, so the two counts agree to the last bit.
    assertEquals(wins / pairs, Auroc.of(s, p), 0);
  }

  @Test
  void macroLeavesOutUndefinedClasses() {
    // Class 0: perfect (1.0); class 1: 3 of 4 pairs (0.75); class 2 has no rows: left out. Mean 0.875.
    double[][] scores = {
      {0.9, 0.8, 0.1, 0.2},
      {0.1, 0.6, 0.7, 0.5},
      {0.0, 0.0, 0.2, 0.3}
    };
    boolean[][] isClass = {
      {true, true, false, false},
      {false, false, true, true},
      {false, false, false, false}
    };
    assertEquals(0.875, Auroc.macro(scores, isClass), 1e-15);
    assertTrue(Double.isNaN(Auroc.macro(new double[][] {{1, 2}}, new boolean[][] {{true, true}})));
  }

  @Test
  void mismatchedLengthsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Auroc.of(new double[2], new boolean[3]));
  }
}
