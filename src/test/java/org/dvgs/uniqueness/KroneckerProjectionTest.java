package org.dvgs.uniqueness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.Task;
import org.dvgs.config.UniqueConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.scoring.GhostVsNaiveTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Projected gradients against exact per-sample gradients (one backward pass per row). */
class KroneckerProjectionTest {

  static NetworkSpec spec(Task task) {
    int d = 12;
    return switch (task) {
      case CLASSIFIER -> new NetworkSpec(task, new int[] {d, 20, 16, 3}, ActivationKind.MISH, 0.0, true, 3);
      case REGRESSOR -> new NetworkSpec(task, new int[] {d, 20, 16, 1}, ActivationKind.RELU, 0.0, false, 0);
      case AUTOENCODER -> new NetworkSpec(task, new int[] {d, 16, 4, 16, d}, ActivationKind.TANH, 0.0, false, 0);
    };
  }

  static ParameterSet trained(NetworkSpec spec) {
    DenseRows target = GhostVsNaiveTest.rows(96, spec.inputWidth(), spec.numClasses(), 1);
    List<Snapshot> s = GhostVsNaiveTest.snapshots(spec, target, 3);
    return s.get(s.size() - 1).parameters();
  }

  /** Flattens a row's exact gradient (included layers: weights then bias). */
  static double[] flat(float[][][] g) {
    int n = 0;
    for (int l = 0; l < g[0].length; l++) {
      if (g[0][l] != null) {
        n += g[0][l].length + g[1][l].length;
      }
    }
    double[] f = new double[n];
    int p = 0;
    for (int l = 0; l < g[0].length; l++) {
      if (g[0][l] != null) {
        for (float v : g[0][l]) {
          f[p++] = v;
        }
        for (float v : g[1][l]) {
          f[p++] = v;
        }
      }
    }
    return f;
  }

  static double cos(double[] a, double[] b) {
    double d = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return d / Math.sqrt(na * nb);
  }

  static double[] row(float[] y, int i, int k) {
    double[] r = new double[k];
    for (int j = 0; j < k; j++) {
      r[j] = y[i * k + j];
    }
    return r;
  }

  @ParameterizedTest
  @CsvSource({"CLASSIFIER, 1", "CLASSIFIER, 0", "REGRESSOR, 2", "AUTOENCODER, 0"})
  void factoredProjectionEqualsDenseProjectionOfExactGradients(Task task, int lastLayers) {
    NetworkSpec spec = spec(task);
    ParameterSet p = trained(spec);
    DenseRows src = GhostVsNaiveTest.rows(40, spec.inputWidth(), spec.numClasses(), 2);
    KroneckerProjection proj = new KroneckerProjection(5, spec, lastLayers, 64);
    float[] y;
    try (GradientProjector gp = new GradientProjector(spec, p, proj, Device.cpu())) {
      y = gp.project(src.features(), src.labels(), src.rows());
    }
    float[][][][] exact = GradientProjector.exactGradients(spec, p, proj, src.features(), src.labels(), src.rows(), Device.cpu());
    for (int i = 0; i < src.rows(); i++) {
      float[] dense = proj.projectDense(exact[i][0], exact[i][1]);
      double scale = 0;
      for (float v : dense) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int j = 0; j < proj.k(); j++) {
        assertEquals(dense[j], y[i * proj.k() + j], 1e-4 * Math.max(scale, 1e-6), "row " + i + ", coordinate " + j);
      }
    }
  }

  /**
   * Johnson-Lindenstrauss: with k = 8 ln(N) / eps^2, every pairwise cosine of the projected gradients is within eps of
   * the exact one (N rows of a small classifier, exact gradients by per-row autograd); a far smaller k is not.
   */
  @ParameterizedTest
  @CsvSource({"1, 0.3", "0, 0.3", "1, 0.2"})
  void projectedCosinesWithinTheJohnsonLindenstraussBound(int lastLayers, double eps) {
    NetworkSpec spec = spec(Task.CLASSIFIER);
    ParameterSet p = trained(spec);
    int n = 150;
    DenseRows src = GhostVsNaiveTest.rows(n, spec.inputWidth(), spec.numClasses(), 3);
    int k = UniqueConfig.jlDimension(n, eps);
    KroneckerProjection proj = new KroneckerProjection(11, spec, lastLayers, k);
    KroneckerProjection small = new KroneckerProjection(11, spec, lastLayers, 8);
    float[] y;
    float[] ys;
    try (GradientProjector gp = new GradientProjector(spec, p, proj, Device.cpu());
        GradientProjector gs = new GradientProjector(spec, p, small, Device.cpu())) {
      y = gp.project(src.features(), src.labels(), n);
      ys = gs.project(src.features(), src.labels(), n);
    }
    float[][][][] exact = GradientProjector.exactGradients(spec, p, proj, src.features(), src.labels(), n, Device.cpu());
    double[][] g = new double[n][];
    for (int i = 0; i < n; i++) {
      g[i] = flat(exact[i]);
    }
    double max = 0;
    double maxSmall = 0;
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double t = cos(g[i], g[j]);
        double e = Math.abs(cos(row(y, i, k), row(y, j, k)) - t);
        max = Math.max(max, e);
        maxSmall = Math.max(maxSmall, Math.abs(cos(row(ys, i, 8), row(ys, j, 8)) - t));
        sum += e;
        pairs++;
      }
    }
    assertTrue(max <= eps, "max |projected cos - exact cos| = " + max + " > eps = " + eps + " at k = " + k);
    assertTrue(sum / pairs < eps / 4, "mean error " + sum / pairs);
    assertTrue(maxSmall > eps, "k = 8 should not meet eps = " + eps + ", max error " + maxSmall);
  }

  @Test
  void factorsAreSeededSignsScaledByOneOverRootK() {
    NetworkSpec spec = spec(Task.CLASSIFIER);
    KroneckerProjection a = new KroneckerProjection(1, spec, 1, 100);
    KroneckerProjection b = new KroneckerProjection(1, spec, 1, 100);
    KroneckerProjection c = new KroneckerProjection(2, spec, 1, 100);
    assertArrayEquals(a.inFactor(2), b.inFactor(2));
    assertNotEquals(java.util.Arrays.toString(a.inFactor(2)), java.util.Arrays.toString(c.inFactor(2)));
    float[] u = a.outFactor(2);
    assertEquals(100 * 3, u.length);
    int plus = 0;
    for (float v : u) {
      assertEquals(1f, Math.abs(v));
      plus += v > 0 ? 1 : 0;
    }
    assertTrue(plus > 100 && plus < 200, "signs balanced: " + plus + " of 300 positive");
    float[] v = a.inFactor(2);
    assertEquals(100 * 17, v.length);
    for (float x : v) {
      assertEquals(0.1f, Math.abs(x), 1e-7);
    }
    assertEquals(3 * 17, a.gradientDimension());
    assertEquals(2, a.firstLayer());
    assertTrue(!a.includes(1) && a.includes(2));
    assertEquals(20 * 13 + 16 * 21 + 3 * 17, new KroneckerProjection(1, spec, 0, 4).gradientDimension());
  }

  @Test
  void jlDimensionAndWarning() {
    assertEquals((int) Math.ceil(8 * Math.log(1000) / 0.09), UniqueConfig.jlDimension(1000, 0.3));
    assertEquals(615, UniqueConfig.jlDimension(1000, 0.3));
  }
}
