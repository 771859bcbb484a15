package org.dvgs.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import org.dvgs.baselines.Problems.Problem;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** TMC Data Shapley against exact Shapley values by enumeration, its stopping rules, and its determinism. */
class TmcDataShapleyTest {

  /** Exact Shapley values by enumerating every subset: phi_i = sum_S |S|!(n-|S|-1)!/n! (U(S+i) - U(S)). */
  static double[] exactShapley(UtilityModel model) {
    int n = model.size();
    double[] u = new double[1 << n];
    for (int mask = 0; mask < (1 << n); mask++) {
      int[] rows = new int[Integer.bitCount(mask)];
      int k = 0;
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) != 0) {
          rows[k++] = i;
        }
      }
      u[mask] = model.utilityOf(rows);
    }
    double[] fact = new double[n + 1];
    fact[0] = 1;
    for (int i = 1; i <= n; i++) {
      fact[i] = fact[i - 1] * i;
    }
    double[] phi = new double[n];
    for (int i = 0; i < n; i++) {
      for (int mask = 0; mask < (1 << n); mask++) {
        if ((mask & (1 << i)) == 0) {
          int s = Integer.bitCount(mask);
          phi[i] += fact[s] * fact[n - s - 1] / fact[n] * (u[mask | (1 << i)] - u[mask]);
        }
      }
    }
    return phi;
  }

  static double[] values(MethodResult r, int n) {
    List<SampleValue> v = r.values().collect().stream().sorted(Comparator.comparing(SampleValue::id)).toList();
    assertEquals(n, v.size());
    return v.stream().mapToDouble(SampleValue::value).toArray();
  }

  static double[] stds(MethodResult r) {
    return r.values().collect().stream().sorted(Comparator.comparing(SampleValue::id)).mapToDouble(SampleValue::std).toArray();
  }

  static UtilityModel model(Problem p, MethodContext ctx) {
    return UtilityModel.of(p.rows().rows(), p.target(), ctx.task(), p.numClasses(), ctx.config().utility());
  }

  /** Without truncation, the estimate is within 4 standard errors of the exact value, and the bound is informative. */
  static void assertMatchesExact(Problem p, String... extra) {
    int permutations = 1500;
    String[] o = new String[extra.length + 4];
    o[0] = "evaluation.baselines.tmc-shapley.truncation-tolerance=0";
    o[1] = "evaluation.baselines.tmc-shapley.max-permutations=" + permutations;
    o[2] = "evaluation.baselines.tmc-shapley.convergence-window=100000";
    o[3] = "evaluation.baselines.tmc-shapley.permutations-per-round=500";
    System.arraycopy(extra, 0, o, 4, extra.length);
    MethodContext ctx = p.context(11, 2, o);
    UtilityModel model = model(p, ctx);
    double[] exact = exactShapley(model);
    MethodResult r = new TmcDataShapley().value(SharedSpark.get(), ctx);
    double[] est = values(r, exact.length);
    double[] std = stds(r);
    assertEquals(permutations, r.details().get("permutations"));
    assertEquals(false, r.details().get("converged"));
    assertEquals(true, r.details().get("max_permutations_reached"));
    double scale = 0;
    for (double v : exact) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < exact.length; i++) {
      double bound = 4 * std[i] / Math.sqrt(permutations) + 1e-9;
      assertTrue(Math.abs(est[i] - exact[i]) <= bound, "row " + i + ": TMC " + est[i] + " vs exact " + exact[i] + " (bound " + bound + ")");
      assertTrue(bound < 0.25 * scale, "the bound " + bound + " says nothing next to values of size " + scale);
    }
  }

  @Test
  void ridgeMatchesExactShapleyOnSixPoints() {
    assertMatchesExact(Problems.regression(6, 12, 2, 0.5, 3));
  }

  @Test
  void logisticMatchesExactShapleyOnSixPoints() {
    assertMatchesExact(Problems.classification(6, 40, 2, 2, 0.2, 5), "evaluation.baselines.utility.metric=auroc",
        "evaluation.baselines.utility.tolerance=1e-10");
  }

  @Test
  void exactShapleyIsEfficientAndTmcWithoutTruncationToo() {
    Problem p = Problems.regression(5, 10, 2, 0.3, 8);
    MethodContext ctx = p.context(2, 1, "evaluation.baselines.tmc-shapley.truncation-tolerance=0",
        "evaluation.baselines.tmc-shapley.max-permutations=30", "evaluation.baselines.tmc-shapley.convergence-window=1000");
    UtilityModel model = model(p, ctx);
    double gain = model.utilityOf(0, 1, 2, 3, 4) - model.emptyUtility();
    assertEquals(gain, java.util.Arrays.stream(exactShapley(model)).sum(), 1e-9);
    // Every permutation's marginals telescope to U(all) - U(empty), so their mean does too.
    MethodResult r = new TmcDataShapley().value(SharedSpark.get(), ctx);
    assertEquals(gain, java.util.Arrays.stream(values(r, 5)).sum(), 1e-9);
  }

  @Test
  void sameSeedSameValuesWhateverTheRoundsAndPartitions() {
    Problem p = Problems.classification(40, 60, 4, 3, 0.2, 21);
    String[] common = {"evaluation.baselines.tmc-shapley.convergence-window=8", "evaluation.baselines.tmc-shapley.convergence-tolerance=0.2",
        "evaluation.baselines.tmc-shapley.max-permutations=200", "evaluation.baselines.tmc-shapley.truncation-tolerance=0.02",
        "evaluation.baselines.utility.metric=auroc"};
    MethodResult a = new TmcDataShapley().value(SharedSpark.get(), p.context(7, 1, with(common, "evaluation.baselines.tmc-shapley.permutations-per-round=3")));
    MethodResult b = new TmcDataShapley().value(SharedSpark.get(), p.context(7, 4, with(common, "evaluation.baselines.tmc-shapley.permutations-per-round=16")));
    assertEquals(true, a.details().get("converged"), a.details().toString());
    assertEquals(a.details().get("permutations"), b.details().get("permutations"));
    assertTrue((int) a.details().get("permutations") < 200);
    assertArrayEquals(values(a, 40), values(b, 40));
    assertArrayEquals(stds(a), stds(b));
    MethodResult c = new TmcDataShapley().value(SharedSpark.get(), p.context(8, 1, with(common, "evaluation.baselines.tmc-shapley.permutations-per-round=3")));
    assertFalse(java.util.Arrays.equals(values(a, 40), values(c, 40)), "another seed draws other permutations");
    assertEquals(40, MethodValues.table(SharedSpark.get(), a.values(), "tmc").count());
  }

  @Test
  void truncationStopsPermutationsEarly() {
    Problem p = Problems.regression(60, 40, 3, 0.2, 4);
    MethodResult r = new TmcDataShapley().value(SharedSpark.get(), p.context(1, 2, "evaluation.baselines.tmc-shapley.max-permutations=20",
        "evaluation.baselines.tmc-shapley.truncation-tolerance=0.05", "evaluation.baselines.tmc-shapley.truncation-patience=2"));
    assertEquals(20, r.details().get("permutations"));
    assertEquals(20, r.details().get("permutations_truncated"));
    assertTrue((double) r.details().get("mean_prefix_fraction") < 0.9, r.details().toString());
  }

  @Test
  void timeBudgetStopsAndRecordsHowFarItGot() {
    Problem p = Problems.classification(300, 100, 10, 2, 0.2, 9);
    long t0 = System.nanoTime();
    MethodResult r = new TmcDataShapley().value(SharedSpark.get(), p.context(1, 2, "evaluation.baselines.tmc-shapley.time-budget=2s",
        "evaluation.baselines.tmc-shapley.max-permutations=1000000", "evaluation.baselines.tmc-shapley.truncation-tolerance=0",
        "evaluation.baselines.tmc-shapley.convergence-window=1000000"));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(true, r.details().get("budget_exhausted"), r.details().toString());
    assertEquals(false, r.details().get("converged"));
    int done = (int) r.details().get("permutations");
    assertTrue(done > 0 && done < 1000000, r.details().toString());
    assertTrue(seconds < 30, "a 2 s budget took " + seconds + " s");
    for (SampleValue v : r.values().collect()) {
      assertEquals(done, v.estimates());
    }
    assertNotEquals(0, java.util.Arrays.stream(values(r, 300)).map(Math::abs).sum());
  }

  static String[] with(String[] base, String... more) {
    String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }
}
