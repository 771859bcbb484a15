package org.dvgs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void meanAndStdOfKnownValues() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations 32, sample variance 32/7, population variance 4.
    double[] v = {2, 4, 4, 4, 5, 5, 7, 9};
    assertEquals(40, Stats.sum(v), 0);
    assertEquals(5, Stats.mean(v), 0);
    assertEquals(32, Stats.sumOfSquares(v), 0);
    assertEquals(32.0 / 7, Stats.sampleVariance(v), 1e-15);
    assertEquals(Math.sqrt(32.0 / 7), Stats.sampleStd(v), 1e-15);
    assertEquals(4, Stats.populationVariance(v), 0);
    assertEquals(2.5, Stats.mean(new float[] {1f, 2f, 3f, 4f}), 0);
  }

  @Test
  void emptyAndOneElement() {
    double[] none = {};
    assertEquals(0, Stats.sum(none), 0);
    assertTrue(Double.isNaN(Stats.mean(none)));
    assertTrue(Double.isNaN(Stats.mean(new float[0])));
    assertTrue(Double.isNaN(Stats.sampleStd(none)));
    assertTrue(Double.isNaN(Stats.populationVariance(none)));
    assertEquals(0, Stats.sumOfSquares(none), 0);
    double[] one = {3.5};
    assertEquals(3.5, Stats.mean(one), 0);
    assertTrue(Double.isNaN(Stats.sampleVariance(one)));
    assertTrue(Double.isNaN(Stats.sampleStd(one)));
    assertEquals(0, Stats.populationVariance(one), 0);
  }

  @Test
  void meanSumsInArrayOrder() {
    // 1e17 + 1 + 1 - 1e17 in order is 0 in double (each 1 is below half an ulp of 1e17 and lost): mean 0, not 0.5.
    assertEquals(0, Stats.mean(new double[] {1e17, 1, 1, -1e17}), 0);
    assertEquals(0.5, Stats.mean(new double[] {1e17, -1e17, 1, 1}), 0);
  }

  @Test
  void welfordMatchesTwoPass() {
    SplittableRandom r = new SplittableRandom(5);
    int rows = 3;
    int obs = 50;
    double[][] x = new double[obs][rows];
    double[] mean = new double[rows];
    double[] m2 = new double[rows];
    for (int k = 0; k < obs; k++) {
      for (int i = 0; i < rows; i++) {
        x[k][i] = 10 + r.nextGaussian() * (i + 1);
      }
      Stats.welford(mean, m2, k + 1, x[k]);
    }
    for (int i = 0; i < rows; i++) {
      double[] col = new double[obs];
      for (int k = 0; k < obs; k++) {
        col[k] = x[k][i];
      }
      assertEquals(Stats.mean(col), mean[i], 1e-12);
      assertEquals(Stats.sampleStd(col), Stats.welfordStd(m2[i], obs), 1e-12);
    }
    assertTrue(Double.isNaN(Stats.welfordStd(0, 1)));
    assertTrue(Double.isNaN(Stats.welfordStd(0, 0)));
  }

  @Test
  void medianOfOddEvenAndNone() {
    assertEquals(3, Stats.median(new double[] {5, 1, 3}), 0);
    assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}), 0);
    assertEquals(7, Stats.median(new double[] {7}), 0);
    assertTrue(Double.isNaN(Stats.median(new double[0])));
    double[] v = {3, 1, 2};
    Stats.median(v);
    assertArrayEquals(new double[] {3, 1, 2}, v, 0, "the input is not reordered");
  }

  @Test
  void ranksShareTheirAverage() {
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Stats.ranks(new double[] {1, 2, 2, 3}), 0);
    assertArrayEquals(new double[] {3, 1, 2}, Stats.ranks(new double[] {9, -1, 0}), 0);
    assertArrayEquals(new double[] {2, 2, 2}, Stats.ranks(new double[] {7, 7, 7}), 0);
    assertArrayEquals(new double[0], Stats.ranks(new double[0]), 0);
  }

  @Test
  void pearsonAndSpearmanByHand() {
    // x = 1..4, y = 2, 4, 5, 9: means 2.5, 5; sab = 1.5*3 + 0.5*1 + 0.5*0 + 1.5*4 = 11, saa = 5, sbb = 9+1+0+16 = 26.
    double[] x = {1, 2, 3, 4};
    double[] y = {2, 4, 5, 9};
    assertEquals(11 / Math.sqrt(5 * 26), Stats.pearson(x, y), 1e-15);
    assertEquals(1, Stats.spearman(x, y), 1e-15);
    assertEquals(-1, Stats.spearman(x, new double[] {4, 3, 2, 1}), 1e-15);
    // With ties: ranks 1, 2.5, 2.5, 4 against 1..4.
    assertEquals(4.5 / Math.sqrt(22.5), Stats.spearman(new double[] {1, 2, 2, 3}, x), 1e-12);
    assertTrue(Double.isNaN(Stats.pearson(new double[] {2, 2, 2}, new double[] {1, 2, 3})));
    assertTrue(Double.isNaN(Stats.pearson(new double[0], new double[0])));
    assertThrows(IllegalArgumentException.class, () -> Stats.pearson(new double[2], new double[3]));
  }
}
