package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoint-batched ghost scoring against the per-snapshot path it replaces: the same similarities to 1e-6
 * (relative above 1) for every task, similarity and option, and the same bits whatever the number of snapshots that
 * share a pass and whatever the batching of the rows.
 */
class StackedScoringTest {
  static final double TOLERANCE = 1e-6;

  @ParameterizedTest(name = "{0} {1} norm={2} dropout={3} train-mode={4} {5} layers=[{6}] {7} {8}")
  @CsvSource({
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', NORM_ACT_DROPOUT, BATCH",
    "CLASSIFIER, MISH, true, 0.5, true, COSINE, '', NORM_ACT_DROPOUT, BATCH",
    "CLASSIFIER, MISH, true, 0.5, true, DOT, '1 2', DROPOUT_ACT_NORM, BATCH",
    "CLASSIFIER, RELU, false, 0.0, false, NEG_EUCLIDEAN, '0', NORM_ACT_DROPOUT, BATCH",
    "CLASSIFIER, TANH, true, 0.2, false, SCALAR_PROJECTION, '', NORM_ACT_DROPOUT, BATCH",
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', NORM_ACT_DROPOUT, WITHIN_CLASS",
    "CLASSIFIER, MISH, true, 0.5, true, NEG_EUCLIDEAN, '1 2', DROPOUT_ACT_NORM, WITHIN_CLASS",
    "CLASSIFIER, RELU, false, 0.3, true, SCALAR_PROJECTION, '0', NORM_ACT_DROPOUT, WITHIN_CLASS",
    "CLASSIFIER, TANH, true, 0.0, false, DOT, '', NORM_ACT_DROPOUT, WITHIN_CLASS",
    "AUTOENCODER, RELU, false, 0.2, false, COSINE, '', NORM_ACT_DROPOUT, BATCH",
    "AUTOENCODER, RELU, true, 0.2, true, NEG_EUCLIDEAN, '2 3', NORM_ACT_DROPOUT, BATCH",
    "AUTOENCODER, TANH, true, 0.0, false, SCALAR_PROJECTION, '', DROPOUT_ACT_NORM, BATCH",
    "AUTOENCODER, MISH, false, 0.0, false, DOT, '', NORM_ACT_DROPOUT, BATCH",
    "REGRESSOR, MISH, false, 0.0, false, DOT, '', NORM_ACT_DROPOUT, BATCH",
    "REGRESSOR, RELU, true, 0.3, true, COSINE, '0 2', NORM_ACT_DROPOUT, BATCH",
    "REGRESSOR, TANH, false, 0.0, false, NEG_EUCLIDEAN, '', NORM_ACT_DROPOUT, BATCH",
    "REGRESSOR, MISH, true, 0.0, false, SCALAR_PROJECTION, '1', DROPOUT_ACT_NORM, BATCH"
  })
  void stackedMatchesPerSnapshot(
      Task task, ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, String layerList,
      BlockOrder order, TargetGradient target) {
    int d = 12;
    int classes = task == Task.CLASSIFIER ? 3 : 0;
    int[] widths = task == Task.AUTOENCODER ? new int[] {d, 16, 4, 16, d} : new int[] {d, 20, 20, task == Task.CLASSIFIER ? 3 : 1};
    NetworkSpec spec = new NetworkSpec(task, widths, act, dropout, norm, classes, order);
    boolean withinClass = target == TargetGradient.WITHIN_CLASS;
    DenseRows targetRows = GhostVsNaiveTest.rows(96, d, classes, 1);
    if (withinClass) {
      // Class 2 only in rows 0 and 1: some checkpoints fall back to the batch gradient for it.
      for (int i = 0; i < targetRows.rows(); i++) {
        targetRows.labels()[i] = i < 2 ? 2f : targetRows.labels()[i] == 2f ? (float) (i % 2) : targetRows.labels()[i];
      }
    }
    List<Snapshot> snaps = GhostVsNaiveTest.snapshots(spec, targetRows, withinClass ? 2 : 7, withinClass);
    ScoringOptions options = new ScoringOptions(metric, ScoringMethod.GHOST, mask(layerList, spec.layers()), trainMode, 11, target);
    assertStackedMatches(spec, snaps, GhostVsNaiveTest.rows(200, d, classes, 2), options);
  }

  /** The Adult protocol's shapes: 108 inputs, two hidden layers of 100 with Mish, norm and dropout 0.5, two classes. */
  @Test
  void adultShapes() {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {108, 100, 100, 2}, ActivationKind.MISH, 0.5, true, 2, BlockOrder.NORM_ACT_DROPOUT);
    List<Snapshot> snaps = GhostVsNaiveTest.snapshots(spec, GhostVsNaiveTest.rows(128, 108, 2, 3), 5);
    DenseRows source = GhostVsNaiveTest.rows(300, 108, 2, 4);
    ScoringOptions options = new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5);
    double[][] one = assertStackedMatches(spec, snaps, source, options);
    // Intra-op threads split the stacked element-wise work differently: no value moves.
    Engines.threads(2);
    try (SnapshotScorer s = new SnapshotScorer(spec, snaps, options, Device.cpu())) {
      assertSameBits(one, score(s, source, 300), "2 intra-op threads against 1");
    } finally {
      Engines.threads(1);
    }
  }

  static boolean[] mask(String layerList, int layers) {
    List<Integer> subset = new ArrayList<>();
    for (String l : layerList.trim().split("\\s+")) {
      if (!l.isEmpty()) {
        subset.add(Integer.parseInt(l));
      }
    }
    return ScoringOptions.layerMask(subset, layers);
  }

  /** Scores rows in batches of {@code batch} rows (the last one shorter): {@code [snapshot][row]}. */
  static double[][] score(SnapshotScorer s, DenseRows rows, int batch) {
    int d = rows.width();
    long[] keys = GhostVsNaiveTest.keys(rows.rows());
    double[][] out = null;
    for (int start = 0; start < rows.rows(); start += batch) {
      int n = Math.min(batch, rows.rows() - start);
      double[][] part = s.score(Arrays.copyOfRange(rows.features(), start * d, (start + n) * d), Arrays.copyOfRange(rows.labels(), start, start + n),
          Arrays.copyOfRange(keys, start, start + n), n);
      if (out == null) {
        out = new double[part.length][rows.rows()];
      }
      for (int k = 0; k < part.length; k++) {
        System.arraycopy(part[k], 0, out[k], start, n);
      }
    }
    return out;
  }

  static void assertSameBits(double[][] expected, double[][] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": snapshots");
    for (int k = 0; k < expected.length; k++) {
      for (int i = 0; i < expected[k].length; i++) {
        if (Double.doubleToLongBits(expected[k][i]) != Double.doubleToLongBits(actual[k][i])) {
          throw new AssertionError(what + ": snapshot " + k + " row " + i + ": " + expected[k][i] + " against " + actual[k][i]);
        }
      }
    }
  }

  /**
   * Stacked scoring, as many snapshots in a pass as the rows allow, agrees with the per-snapshot path to {@link #TOLERANCE}, and passes of
   * 1, 2 and 3 snapshots and batches of other sizes give the same bits; returns the stacked values.
   */
  static double[][] assertStackedMatches(NetworkSpec spec, List<Snapshot> snaps, DenseRows source, ScoringOptions options) {
    int n = source.rows();
    int targets = options.withinClass() ? spec.numClasses() : 1;
    double[][] reference;
    try (SnapshotScorer per = SnapshotScorer.perSnapshot(spec, snaps, options, Device.cpu())) {
      reference = score(per, source, 64);
      assertEquals(0, per.stackSize());
    }
    double[][] all;
    try (SnapshotScorer stacked = new SnapshotScorer(spec, snaps, options, Device.cpu())) {
      all = score(stacked, source, n);
      int cap = SnapshotScorer.snapshotsPerPass(spec, targets, SnapshotScorer.paddedRows(spec, n), Long.MAX_VALUE);
      // Passes of even size: ceil(n / passes) snapshots each, with as few passes as the cap allows.
      int passes = (snaps.size() + cap - 1) / cap;
      assertEquals((snaps.size() + passes - 1) / passes, stacked.stackSize(), "as many snapshots in a pass as the rows allow");
      assertTrue(stacked.stackSize() >= 3);
    }
    double worst = 0;
    for (int k = 0; k < snaps.size(); k++) {
      for (int i = 0; i < n; i++) {
        double diff = Math.abs(all[k][i] - reference[k][i]) / Math.max(1.0, Math.abs(reference[k][i]));
        worst = Math.max(worst, diff);
        assertTrue(diff <= TOLERANCE, "snapshot " + k + " row " + i + ": stacked " + all[k][i] + ", per snapshot " + reference[k][i]);
      }
    }
    assertTrue(snaps.size() >= 4, "enough snapshots to split: " + snaps.size());
    for (int k : new int[] {1, 2, 3}) {
      for (int batch : new int[] {n, 64, 7, 1}) {
        // The first batch sizes the passes: its padded rows decide the budget that gives k snapshots a pass.
        long budget = k * SnapshotScorer.bytesPerSnapshot(spec, targets, SnapshotScorer.paddedRows(spec, Math.min(batch, n)));
        try (SnapshotScorer s = new SnapshotScorer(spec, snaps, options, Device.cpu(), budget)) {
          double[][] got = score(s, source, batch);
          assertEquals(k, s.stackSize(), "snapshots per pass");
          assertSameBits(all, got, k + " snapshots per pass, batches of " + batch);
        }
      }
    }
    return all;
  }
}
