package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.dvgs.config.ScalingMethod;
import org.junit.jupiter.api.Test;

/** Exact sums: the correctly rounded sum whatever the order and grouping; the fitted scaler follows. */
class ExactSumTest {
  static List<Double> hardValues(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Double> v = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      // Magnitudes over 40 decades and cancelling pairs: plain double sums of these depend on the order.
      double x = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-20, 20));
      v.add(x);
      if (i % 7 == 0) {
        v.add(-x * (1 + 1e-12));
      }
    }
    v.add(1e16);
    v.add(1.0);
    v.add(-1e16);
    return v;
  }

  @Test
  void correctlyRoundedInAnyOrderAndGrouping() {
    List<Double> values = hardValues(3);
    BigDecimal s = BigDecimal.ZERO;
    for (double v : values) {
      s = s.add(new BigDecimal(v));
    }
    double expected = s.doubleValue(); // BigDecimal.doubleValue rounds to nearest, ties to even
    SplittableRandom r = new SplittableRandom(9);
    double naiveFirst = Double.NaN;
    boolean naiveMoved = false;
    for (int trial = 0; trial < 20; trial++) {
      List<Double> shuffled = new ArrayList<>(values);
      Collections.shuffle(shuffled, new java.util.Random(r.nextLong()));
      // Split into a random number of "partitions", summed separately and merged.
      int parts = 1 + r.nextInt(8);
      ExactSum total = new ExactSum();
      double naive = 0;
      for (int p = 0; p < parts; p++) {
        ExactSum part = new ExactSum();
        for (int i = p; i < shuffled.size(); i += parts) {
          part.add(shuffled.get(i));
        }
        total.add(part);
      }
      for (double v : shuffled) {
        naive += v;
      }
      assertEquals(expected, total.value(), 0.0, "trial " + trial);
      if (trial == 0) {
        naiveFirst = naive;
      } else if (naive != naiveFirst) {
        naiveMoved = true;
      }
    }
    // The data are hard enough that plain summation does depend on the order (else this test proves nothing).
    org.junit.jupiter.api.Assertions.assertTrue(naiveMoved, "plain double sums of the test values did not depend on the order");
  }

  @Test
  void halfwayCasesRoundToEvenAcrossPartials() {
    // 1 + 2^-53 + 2^-106: the exact sum is just above halfway between 1 and the next double, so it rounds up;
    // rounding the two largest parts alone would round to even (down).
    ExactSum s = new ExactSum().add(Math.pow(2, -106)).add(1.0).add(Math.pow(2, -53));
    assertEquals(Math.nextUp(1.0), s.value(), 0.0);
    assertEquals(0.0, new ExactSum().value(), 0.0);
    assertEquals(3.0, new ExactSum().add(1e300).add(3.0).add(-1e300).value(), 0.0);
  }

  @Test
  void fittedScalerDoesNotDependOnHowRowsWereGrouped() {
    int width = 3;
    SplittableRandom r = new SplittableRandom(4);
    List<float[]> rows = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      rows.add(new float[] {(float) (1e4 + r.nextGaussian()), (float) (r.nextGaussian() * 1e-3), (float) (r.nextDouble() * 1e6)});
    }
    Scaler reference = null;
    double[] referenceMoments = null;
    boolean plainMoved = false;
    double[] plainFirst = null;
    for (int parts : new int[] {1, 2, 3, 7, 16, 64}) {
      Scaler.Stats merged = new Scaler.Stats(width);
      double[] plain = new double[width];
      // Partition p holds rows p, p + parts, ...; merged in reverse order of partition index.
      for (int p = parts - 1; p >= 0; p--) {
        Scaler.Stats part = new Scaler.Stats(width);
        double[] ps = new double[width];
        for (int i = p; i < rows.size(); i += parts) {
          part.add(rows.get(i));
          for (int j = 0; j < width; j++) {
            ps[j] += (double) rows.get(i)[j] * rows.get(i)[j];
          }
        }
        merged.merge(part);
        for (int j = 0; j < width; j++) {
          plain[j] += ps[j];
        }
      }
      Scaler s = Scaler.fit(ScalingMethod.Z_SCORE, merged);
      double[] moments = new double[2 * width];
      for (int j = 0; j < width; j++) {
        moments[2 * j] = merged.mean(j);
        moments[2 * j + 1] = merged.variance(j);
      }
      if (reference == null) {
        reference = s;
        referenceMoments = moments;
        plainFirst = plain;
      } else {
        assertArrayEquals(referenceMoments, moments, 0.0, parts + " partitions: means and variances");
        assertArrayEquals(reference.shift(), s.shift(), 0f, parts + " partitions");
        assertArrayEquals(reference.scale(), s.scale(), 0f, parts + " partitions");
        plainMoved |= !java.util.Arrays.equals(plainFirst, plain);
      }
    }
    org.junit.jupiter.api.Assertions.assertTrue(plainMoved, "plain double sums of squares did not depend on the grouping");
  }
}
