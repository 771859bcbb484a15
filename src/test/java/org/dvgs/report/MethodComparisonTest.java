package org.dvgs.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Averaging the seeds' discovery curves on a common grid. */
class MethodComparisonTest {
  @Test
  void interpolatesLinearlyBetweenPoints() {
    List<double[]> c = List.of(new double[] {0, 0}, new double[] {0.5, 1}, new double[] {0.5, 2}, new double[] {1, 4});
    assertEquals(0.0, MethodComparison.interpolate(c, 0), 0);
    assertEquals(0.5, MethodComparison.interpolate(c, 0.25), 1e-12);
    // At a vertical step the value is where the curve first reaches x.
    assertEquals(1.0, MethodComparison.interpolate(c, 0.5), 1e-12);
    assertEquals(3.0, MethodComparison.interpolate(c, 0.75), 1e-12);
    assertEquals(4.0, MethodComparison.interpolate(c, 1.0), 0);
    assertEquals(4.0, MethodComparison.interpolate(c, 2.0), 0);
    assertEquals(0.0, MethodComparison.interpolate(c, -1.0), 0);
  }

  @Test
  void meanOverCurvesAtEveryGridPoint() {
    List<double[]> a = List.of(new double[] {0, 0}, new double[] {1, 1});
    List<double[]> b = List.of(new double[] {0, 0}, new double[] {0.5, 1}, new double[] {1, 1});
    double[] grid = {0, 0.25, 0.5, 1};
    assertArrayEquals(new double[] {0, 0.375, 0.75, 1}, MethodComparison.meanOnGrid(List.of(a, b), grid), 1e-12);
  }
}
