package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Adjusted Rand index against values worked out by hand. */
class AdjustedRandTest {
  @Test
  void identicalPartitionsUpToRenamingScoreOne() {
    assertEquals(1.0, AdjustedRand.of(new int[] {0, 0, 1, 1, 2, 2}, new int[] {5, 5, 3, 3, 9, 9}), 1e-12);
  }

  @Test
  void handComputedExamples() {
    // a = {0,0,0,1,1,1}, b = {0,0,1,1,2,2}: contingency [[2,1,0],[0,1,2]]; sum C(n_ij,2) = 1 + 1 = 2;
    // rows C(3,2)*2 = 6; cols C(2,2)*3 = 3; E = 6*3/15 = 1.2; max = 4.5; ARI = (2-1.2)/(4.5-1.2) = 0.8/3.3.
    assertEquals(0.8 / 3.3, AdjustedRand.of(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 1, 1, 2, 2}), 1e-12);
    // a = {0,0,1,1}, b = {0,1,0,1}: every cell 1, index 0; rows 2, cols 2; E = 4/6; max = 2; ARI = -(2/3)/(4/3) = -0.5.
    assertEquals(-0.5, AdjustedRand.of(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}), 1e-12);
    // a = {0,0,0,0,1,1}, b = {0,0,0,1,1,1}: cells (0,0)=3,(0,1)=1,(1,1)=2 -> 3+0+1 = 4; rows C(4,2)+C(2,2) = 7;
    // cols 3+3 = 6; E = 42/15 = 2.8; max = 6.5; ARI = 1.2/3.7.
    assertEquals(1.2 / 3.7, AdjustedRand.of(new int[] {0, 0, 0, 0, 1, 1}, new int[] {0, 0, 0, 1, 1, 1}), 1e-12);
  }

  @Test
  void symmetricAndTrivialCases() {
    int[] a = {0, 1, 1, 2, 2, 2, 0, 1};
    int[] b = {1, 1, 0, 2, 2, 0, 0, 1};
    assertEquals(AdjustedRand.of(a, b), AdjustedRand.of(b, a), 1e-12);
    assertEquals(1.0, AdjustedRand.of(new int[] {3, 3, 3}, new int[] {1, 1, 1}), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> AdjustedRand.of(new int[] {1}, new int[] {1, 2}));
  }

  @Test
  void contingencyTableGivesTheSameIndex() {
    int[] a = {0, 1, 1, 2, 2, 2, 0, 1, 3, 3};
    int[] b = {1, 1, 0, 2, 2, 0, 0, 1, 4, 4};
    java.util.Map<Long, Long> cells = new java.util.HashMap<>();
    for (int i = 0; i < a.length; i++) {
      cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1L, Long::sum);
    }
    assertEquals(AdjustedRand.of(a, b), AdjustedRand.ofContingency(cells), 1e-12);
  }
}
