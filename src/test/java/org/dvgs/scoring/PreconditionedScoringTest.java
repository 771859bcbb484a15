package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.Preconditioner;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.training.TargetTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Similarities in the metric of Adam's preconditioner: ghost against per-sample autograd, and its invariances. */
class PreconditionedScoringTest {

  /** Snapshots carrying Adam's preconditioner (and, with {@code classGradients}, per-class gradients). */
  static List<Snapshot> snapshots(NetworkSpec spec, DenseRows target, int epochs, boolean classGradients) {
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 32, epochs, 1, classGradients ? 1 : 3, "", 0);
    List<Snapshot> out = new ArrayList<>();
    new TargetTrainer(spec, tc, spec.task() == Task.CLASSIFIER, 7, Device.cpu(), classGradients, true).train(0, target, out::add, null);
    return out;
  }

  static boolean[] layers(NetworkSpec spec, String list) {
    List<Integer> subset = new ArrayList<>();
    for (String l : list.trim().split("\\s+")) {
      if (!l.isEmpty()) {
        subset.add(Integer.parseInt(l));
      }
    }
    return ScoringOptions.layerMask(subset, spec.layers());
  }

  static ScoringOptions adam(SimilarityMetric metric, boolean[] layers, boolean trainMode, TargetGradient tg) {
    return new ScoringOptions(metric, ScoringMethod.GHOST, layers, trainMode, 11, tg, Preconditioner.ADAM);
  }

  @ParameterizedTest
  @CsvSource({
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', NORM_ACT_DROPOUT",
    "CLASSIFIER, MISH, true, 0.5, true, DOT, '', NORM_ACT_DROPOUT",
    "CLASSIFIER, MISH, true, 0.5, true, NEG_EUCLIDEAN, '1 2', DROPOUT_ACT_NORM",
    "CLASSIFIER, RELU, false, 0.0, false, SCALAR_PROJECTION, '0', NORM_ACT_DROPOUT",
    "REGRESSOR, MISH, false, 0.2, true, COSINE, '', NORM_ACT_DROPOUT",
    "REGRESSOR, TANH, true, 0.0, false, DOT, '1', NORM_ACT_DROPOUT",
    "REGRESSOR, RELU, false, 0.0, false, NEG_EUCLIDEAN, '', NORM_ACT_DROPOUT",
    "REGRESSOR, MISH, true, 0.0, false, SCALAR_PROJECTION, '0 2', NORM_ACT_DROPOUT",
    "AUTOENCODER, RELU, false, 0.2, true, COSINE, '2 3', NORM_ACT_DROPOUT",
    "AUTOENCODER, TANH, true, 0.0, false, DOT, '', NORM_ACT_DROPOUT",
    "AUTOENCODER, MISH, true, 0.2, false, NEG_EUCLIDEAN, '', DROPOUT_ACT_NORM",
    "AUTOENCODER, RELU, true, 0.0, false, SCALAR_PROJECTION, '0', NORM_ACT_DROPOUT"
  })
  void ghostMatchesNaive(
      Task task, ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, String layerList,
      BlockOrder order) {
    int d = 12;
    int classes = task == Task.CLASSIFIER ? 3 : 0;
    int[] widths = task == Task.AUTOENCODER ? new int[] {d, 16, 4, 16, d} : new int[] {d, 20, 20, task == Task.CLASSIFIER ? 3 : 1};
    NetworkSpec spec = new NetworkSpec(task, widths, act, dropout, norm, classes, order);
    DenseRows target = GhostVsNaiveTest.rows(96, d, classes, 1);
    if (task == Task.REGRESSOR) {
      for (int i = 0; i < target.rows(); i++) {
        target.labels()[i] = target.features()[i * d] - 0.5f * target.features()[i * d + 3];
      }
    }
    List<Snapshot> snaps = snapshots(spec, target, 3, false);
    DenseRows source = GhostVsNaiveTest.rows(200, d, classes, 2);
    assertGhostMatchesNaive(spec, snaps, source, adam(metric, layers(spec, layerList), trainMode, TargetGradient.BATCH));
  }

  @ParameterizedTest
  @CsvSource({
    "MISH, true, 0.5, false, COSINE, '', NORM_ACT_DROPOUT",
    "MISH, true, 0.5, true, DOT, '', DROPOUT_ACT_NORM",
    "RELU, false, 0.3, true, NEG_EUCLIDEAN, '1 2', NORM_ACT_DROPOUT",
    "TANH, true, 0.0, false, SCALAR_PROJECTION, '0', NORM_ACT_DROPOUT"
  })
  void withinClassGhostMatchesNaive(
      ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, String layerList, BlockOrder order) {
    int d = 12;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 20, 20, 3}, act, dropout, norm, 3, order);
    DenseRows target = GhostVsNaiveTest.rows(96, d, 3, 1);
    for (int i = 0; i < target.rows(); i++) {
      // Class 2 only in rows 0 and 1: most training batches lack it, so the fallback to the batch gradient is scored too.
      target.labels()[i] = i < 2 ? 2f : target.labels()[i] == 2f ? (float) (i % 2) : target.labels()[i];
    }
    List<Snapshot> snaps = snapshots(spec, target, 2, true);
    long absent = snaps.stream().filter(s -> s.classGradients()[2] == null).count();
    assertTrue(absent > 0 && absent < snaps.size(), "class 2 absent from " + absent + " of " + snaps.size() + " batches");
    DenseRows source = GhostVsNaiveTest.rows(200, d, 3, 2);
    assertGhostMatchesNaive(
        spec, snaps, source, adam(metric, layers(spec, layerList), trainMode, TargetGradient.WITHIN_CLASS));
  }

  /**
   * Ghost at batch size 1 agrees with naive within 1e-5, and in whole batches for 99.9% of cells (the rest within
   * {@link GhostVsNaiveTest#OUTLIER_BOUND}), each relative to the larger of 1 and the snapshot's largest |value|. The
   * scale is per snapshot, not per cell as for the Euclidean metric: Adam's weights reach {@code 1 / eps} on
   * parameters whose gradient has been about zero, so an unnormalised similarity (dot, projection, distance) sums
   * terms of very different size, and one float rounding of one gradient element, the same for every row of that
   * snapshot, moves a small value by more than 1e-5 of itself (seen: 4e-5 on a dot of 0.51 at the first
   * snapshot, unchanged when the ghost contraction was done in double).
   */
  static void assertGhostMatchesNaive(NetworkSpec spec, List<Snapshot> snaps, DenseRows source, ScoringOptions ghost) {
    int d = source.width();
    long[] keys = GhostVsNaiveTest.keys(source.rows());
    double[][] n;
    double[][] g;
    double[][] g1 = new double[snaps.size()][source.rows()];
    try (SnapshotScorer ns = new SnapshotScorer(spec, snaps, ghost.withMethodNaive(), Device.cpu());
        SnapshotScorer gs = new SnapshotScorer(spec, snaps, ghost, Device.cpu())) {
      n = ns.score(source.features(), source.labels(), keys, source.rows());
      g = gs.score(source.features(), source.labels(), keys, source.rows());
      for (int i = 0; i < source.rows(); i++) {
        float[] row = Arrays.copyOfRange(source.features(), i * d, (i + 1) * d);
        double[][] one = gs.score(row, new float[] {source.labels()[i]}, new long[] {keys[i]}, 1);
        for (int s = 0; s < snaps.size(); s++) {
          g1[s][i] = one[s][0];
        }
      }
    }
    int total = 0;
    int close = 0;
    double worst = 0;
    String worstCell = "none";
    for (int s = 0; s < snaps.size(); s++) {
      double scale = 1;
      for (double v : n[s]) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < source.rows(); i++) {
        assertEquals(n[s][i], g1[s][i], 1e-5 * scale, "batch size 1, snapshot " + s + " row " + i);
        total++;
        double diff = Math.abs(n[s][i] - g[s][i]) / scale;
        if (diff <= 1e-5) {
          close++;
        }
        if (!(diff <= worst)) {
          worst = diff;
          worstCell = "snapshot " + s + " row " + i + ": naive " + n[s][i] + ", ghost " + g[s][i];
        }
      }
    }
    assertTrue(close >= 0.999 * total, close + " of " + total + " within tolerance in batches");
    assertTrue(worst <= GhostVsNaiveTest.OUTLIER_BOUND, "largest difference in batches " + worst + " at " + worstCell);
  }

  /**
   * The stored weights are Adam's {@code 1 / (sqrt(v_hat) + eps)} of the step, recomputed here from the snapshots'
   * own target gradients (a snapshot at every step, no weight decay): {@code v_t = sum_k (1 - b2) b2^(t-k) g_k^2}.
   */
  @Test
  void unresolvedAutoIsRefused() {
    // A scorer cannot know which optimizer trained the snapshots: auto must be resolved by the configuration first.
    String m = assertThrows(IllegalArgumentException.class,
        () -> new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 1, TargetGradient.BATCH, Preconditioner.AUTO)).getMessage();
    assertTrue(m.contains("auto"), m);
  }

  @Test
  void storedWeightsAreAdamsPreconditionerOfTheStep() {
    int d = 5;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 7, 2}, ActivationKind.TANH, 0.0, false, 2);
    DenseRows target = GhostVsNaiveTest.rows(40, d, 2, 4);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 16, 4, 1, 1, "", 0);
    List<Snapshot> snaps = new ArrayList<>();
    new TargetTrainer(spec, tc, false, 3, Device.cpu(), false, true).train(0, target, snaps::add, null);
    assertEquals(12, snaps.size());
    int layer = 0;
    int n = snaps.get(0).targetGradient().weights()[layer].length;
    double[] v = new double[n];
    double worst = 0;
    for (int t = 0; t < snaps.size(); t++) {
      float[] g = snaps.get(t).targetGradient().weights()[layer];
      float[] p = snaps.get(t).preconditioner().weights()[layer];
      double bc = 1 - Math.pow(0.999, t + 1);
      for (int j = 0; j < n; j++) {
        v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
        double expected = 1 / (Math.sqrt(v[j] / bc) + 1e-8);
        worst = Math.max(worst, Math.abs(p[j] - expected) / expected);
      }
    }
    assertTrue(worst < 1e-5, "largest relative difference " + worst);
  }

  /** With every weight 1 the preconditioned metric is the Euclidean one: the same similarities up to rounding. */
  @Test
  void unitWeightsGiveTheUnpreconditionedValues() {
    int d = 12;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 20, 20, 3}, ActivationKind.MISH, 0.5, true, 3);
    DenseRows target = GhostVsNaiveTest.rows(96, d, 3, 1);
    List<Snapshot> ones = new ArrayList<>();
    for (Snapshot s : snapshots(spec, target, 2, false)) {
      ParameterSet p = s.preconditioner();
      float[][] w = new float[p.layers()][];
      float[][] b = new float[p.layers()][];
      for (int l = 0; l < p.layers(); l++) {
        w[l] = new float[p.weights()[l].length];
        b[l] = new float[p.biases()[l].length];
        Arrays.fill(w[l], 1f);
        Arrays.fill(b[l], 1f);
      }
      ones.add(s.withPreconditioner(new ParameterSet(w, b)));
    }
    DenseRows source = GhostVsNaiveTest.rows(150, d, 3, 2);
    long[] keys = GhostVsNaiveTest.keys(source.rows());
    for (SimilarityMetric metric : SimilarityMetric.values()) {
      ScoringOptions plain = new ScoringOptions(metric, ScoringMethod.GHOST, null, true, 11);
      double[][] a;
      double[][] p;
      try (SnapshotScorer sa = new SnapshotScorer(spec, ones, plain, Device.cpu());
          SnapshotScorer sp = new SnapshotScorer(spec, ones, adam(metric, null, true, TargetGradient.BATCH), Device.cpu())) {
        a = sa.score(source.features(), source.labels(), keys, source.rows());
        p = sp.score(source.features(), source.labels(), keys, source.rows());
      }
      for (int s = 0; s < a.length; s++) {
        for (int i = 0; i < a[s].length; i++) {
          assertEquals(a[s][i], p[s][i], 1e-5 * Math.max(1, Math.abs(a[s][i])), metric + " snapshot " + s + " row " + i);
        }
      }
    }
  }

  /** Adam's weights do change the values (so the tests above compare something), and they change the ranking. */
  @Test
  void adamWeightsChangeTheValues() {
    int d = 12;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 20, 20, 3}, ActivationKind.MISH, 0.0, true, 3);
    List<Snapshot> snaps = snapshots(spec, GhostVsNaiveTest.rows(96, d, 3, 1), 2, false);
    DenseRows source = GhostVsNaiveTest.rows(100, d, 3, 2);
    long[] keys = GhostVsNaiveTest.keys(source.rows());
    double[][] a;
    double[][] p;
    try (SnapshotScorer sa = new SnapshotScorer(spec, snaps, new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 11), Device.cpu());
        SnapshotScorer sp = new SnapshotScorer(spec, snaps, adam(SimilarityMetric.COSINE, null, false, TargetGradient.BATCH), Device.cpu())) {
      a = sa.score(source.features(), source.labels(), keys, source.rows());
      p = sp.score(source.features(), source.labels(), keys, source.rows());
    }
    double diff = 0;
    for (int s = 0; s < a.length; s++) {
      for (int i = 0; i < a[s].length; i++) {
        diff = Math.max(diff, Math.abs(a[s][i] - p[s][i]));
      }
    }
    assertTrue(diff > 0.05, "largest change " + diff);
  }

  /**
   * A row's value does not depend on the rows batched with it: the source scored whole, in batches of 7 (padded to
   * the minimum), 37 and 64, and in another order gives the same doubles.
   */
  @Test
  void valuesIndependentOfBatching() {
    int d = 12;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 20, 20, 3}, ActivationKind.MISH, 0.5, true, 3);
    List<Snapshot> snaps = snapshots(spec, GhostVsNaiveTest.rows(96, d, 3, 1), 2, true);
    DenseRows source = GhostVsNaiveTest.rows(150, d, 3, 2);
    long[] keys = GhostVsNaiveTest.keys(source.rows());
    for (TargetGradient tg : TargetGradient.values()) {
      ScoringOptions o = adam(SimilarityMetric.COSINE, null, true, tg);
      try (SnapshotScorer sc = new SnapshotScorer(spec, snaps, o, Device.cpu())) {
        double[][] whole = sc.score(source.features(), source.labels(), keys, source.rows());
        for (int batch : new int[] {7, 37, 64}) {
          double[][] parts = new double[whole.length][source.rows()];
          for (int from = 0; from < source.rows(); from += batch) {
            int to = Math.min(source.rows(), from + batch);
            double[][] got = sc.score(
                Arrays.copyOfRange(source.features(), from * d, to * d), Arrays.copyOfRange(source.labels(), from, to),
                Arrays.copyOfRange(keys, from, to), to - from);
            for (int s = 0; s < whole.length; s++) {
              System.arraycopy(got[s], 0, parts[s], from, to - from);
            }
          }
          for (int s = 0; s < whole.length; s++) {
            assertArrayEquals(whole[s], parts[s], 0.0, tg + ", batches of " + batch + ", snapshot " + s);
          }
        }
        // Reversed row order.
        int n = source.rows();
        float[] f = new float[n * d];
        float[] y = new float[n];
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
          System.arraycopy(source.features(), (n - 1 - i) * d, f, i * d, d);
          y[i] = source.labels()[n - 1 - i];
          k[i] = keys[n - 1 - i];
        }
        double[][] rev = sc.score(f, y, k, n);
        for (int s = 0; s < whole.length; s++) {
          for (int i = 0; i < n; i++) {
            assertEquals(whole[s][n - 1 - i], rev[s][i], 0.0, tg + " reversed, snapshot " + s + " row " + i);
          }
        }
      }
    }
  }

  /** Snapshots without preconditioner weights are refused, never scored in the Euclidean metric instead. */
  @Test
  void snapshotsWithoutWeightsAreRefused() {
    int d = 6;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 8, 2}, ActivationKind.RELU, 0.0, false, 2);
    List<Snapshot> plain = GhostVsNaiveTest.snapshots(spec, GhostVsNaiveTest.rows(64, d, 2, 1), 1);
    for (ScoringMethod m : ScoringMethod.values()) {
      ScoringOptions o = new ScoringOptions(SimilarityMetric.COSINE, m, null, false, 1, TargetGradient.BATCH, Preconditioner.ADAM);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotScorer(spec, plain, o, Device.cpu()));
      assertNotNull(e.getMessage());
      assertTrue(e.getMessage().contains("dvgs.scoring.preconditioner"), e.getMessage());
    }
  }
}
