package org.dvgs.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import org.dvgs.baselines.Problems.Problem;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** Leave-one-out against a hand-solved ridge regression, its baseline fits, time budget and determinism. */
class LeaveOneOutTest {

  /**
   * R^2 on the target of ridge regression fitted on {@code rows} without row {@code skip}, solved independently of the
   * production code: the normal equations of the design [x, 1] with penalty {@code l2} on the weights only, by Gaussian
   * elimination with partial pivoting.
   */
  static double ridgeR2(List<CanonicalRow> rows, int skip, DenseRows target, double l2) {
    int d = rows.get(0).features().length;
    int p = d + 1;
    double[][] a = new double[p][p + 1];
    for (int i = 0; i < rows.size(); i++) {
      if (i == skip) {
        continue;
      }
      double[] z = new double[p];
      for (int j = 0; j < d; j++) {
        z[j] = rows.get(i).features()[j];
      }
      z[d] = 1;
      for (int r = 0; r < p; r++) {
        for (int c = 0; c < p; c++) {
          a[r][c] += z[r] * z[c];
        }
        a[r][p] += z[r] * (float) rows.get(i).label(); // the methods see labels as floats
      }
    }
    for (int j = 0; j < d; j++) {
      a[j][j] += l2;
    }
    for (int col = 0; col < p; col++) {
      int piv = col;
      for (int r = col + 1; r < p; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
          piv = r;
        }
      }
      double[] t = a[col];
      a[col] = a[piv];
      a[piv] = t;
      for (int r = 0; r < p; r++) {
        if (r != col) {
          double f = a[r][col] / a[col][col];
          for (int c = col; c <= p; c++) {
            a[r][c] -= f * a[col][c];
          }
        }
      }
    }
    double[] coef = new double[p];
    for (int j = 0; j < p; j++) {
      coef[j] = a[j][p] / a[j][j];
    }
    double mean = 0;
    for (float v : target.labels()) {
      mean += v;
    }
    mean /= target.rows();
    double res = 0;
    double tot = 0;
    for (int i = 0; i < target.rows(); i++) {
      double pred = coef[d];
      for (int j = 0; j < d; j++) {
        pred += coef[j] * target.features()[i * d + j];
      }
      res += Math.pow(target.labels()[i] - pred, 2);
      tot += Math.pow(target.labels()[i] - mean, 2);
    }
    return 1 - res / tot;
  }

  static List<SampleValue> sorted(MethodResult r) {
    return r.values().collect().stream().sorted(Comparator.comparing(SampleValue::id)).toList();
  }

  @Test
  void ridgeLeaveOneOutMatchesTheNormalEquationsSolvedByHand() {
    Problem p = Problems.regression(9, 7, 3, 0.4, 12);
    double l2 = 0.5;
    MethodResult r = new LeaveOneOut().value(SharedSpark.get(), p.context(3, 3, "evaluation.baselines.utility.l2=" + l2,
        "evaluation.baselines.loo.baseline-fits=3"));
    double all = ridgeR2(p.source(), -1, p.target(), l2);
    assertEquals(all, (double) r.details().get("utility_all"), 1e-9);
    assertEquals(0.0, (double) r.details().get("baseline_spread"), 1e-12, "ridge is closed form: every baseline fit agrees");
    List<SampleValue> v = sorted(r);
    for (int i = 0; i < 9; i++) {
      double expected = all - ridgeR2(p.source(), i, p.target(), l2);
      assertEquals(expected, v.get(i).value(), 1e-9, "row " + i);
      assertEquals(1, v.get(i).estimates());
      assertEquals(p.source().get(i).corrupted(), v.get(i).corrupted());
    }
    assertEquals(9, r.details().get("rows_done"));
    assertEquals(false, r.details().get("budget_exhausted"));
  }

  @Test
  void logisticBaselinesAgreeAndValuesDoNotDependOnPartitioning() {
    Problem p = Problems.classification(80, 60, 5, 3, 0.2, 31);
    String[] o = {"evaluation.baselines.utility.metric=auroc", "evaluation.baselines.loo.baseline-fits=2",
        "evaluation.baselines.utility.tolerance=1e-9"};
    MethodResult a = new LeaveOneOut().value(SharedSpark.get(), p.context(5, 1, o));
    MethodResult b = new LeaveOneOut().value(SharedSpark.get(), p.context(5, 7, o));
    assertTrue((double) a.details().get("baseline_spread") < 1e-6, a.details().toString());
    double[] va = sorted(a).stream().mapToDouble(SampleValue::value).toArray();
    assertArrayEquals(va, sorted(b).stream().mapToDouble(SampleValue::value).toArray());
    // A row whose removal is fitted from scratch gives the same utility as the warm-started fit.
    MethodContext ctx = p.context(5, 1, o);
    UtilityModel model = UtilityModel.of(p.rows().rows(), p.target(), ctx.task(), 3, ctx.config().utility());
    int[] without0 = new int[79];
    for (int i = 1; i < 80; i++) {
      without0[i - 1] = i;
    }
    assertEquals((double) a.details().get("utility_all") - model.utilityOf(without0), va[0], 1e-6);
    assertTrue(java.util.Arrays.stream(va).anyMatch(x -> x != 0), "some row must matter");
    assertEquals(80, MethodValues.table(SharedSpark.get(), a.values(), "loo").count());
  }

  @Test
  void timeBudgetStopsAndRecordsTheRowsNotReached() {
    Problem p = Problems.classification(400, 100, 20, 2, 0.2, 2);
    MethodResult r = new LeaveOneOut().value(SharedSpark.get(), p.context(1, 2, "evaluation.baselines.loo.time-budget=1ms"));
    assertEquals(true, r.details().get("budget_exhausted"), r.details().toString());
    int done = (int) r.details().get("rows_done");
    assertTrue(done < 400);
    List<SampleValue> v = sorted(r);
    assertEquals(400 - done, v.stream().filter(s -> s.estimates() == 0).count());
    assertTrue(v.stream().filter(s -> s.estimates() == 0).allMatch(s -> s.value() == 0));
  }
}
