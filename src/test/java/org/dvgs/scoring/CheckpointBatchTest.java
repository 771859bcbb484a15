package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.Preconditioner;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.config.OptimizerKind;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.training.TargetTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoint-batched ghost scoring (snapshots stacked, one set of batched products per layer) gives the values of
 * scoring one snapshot at a time, for every similarity and option, whatever number of snapshots a pass takes, and
 * a row's values do not depend on the batch it is scored in.
 */
class CheckpointBatchTest {

  /** Snapshots of a short Adam training run: 20 steps, one snapshot every third, 7 in all. */
  static List<Snapshot> snapshots(NetworkSpec spec, DenseRows target, boolean classGradients, boolean preconditioner) {
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 16, 5, 1, 3, "", 0);
    List<Snapshot> out = new ArrayList<>();
    new TargetTrainer(spec, tc, spec.task() == Task.CLASSIFIER, 7, Device.cpu(), classGradients, preconditioner)
        .train(0, target, out::add, null);
    return out;
  }

  static double[][] scoreInBatches(NetworkSpec spec, List<Snapshot> snaps, ScoringOptions o, DenseRows source, int batch, boolean losses) {
    int n = snaps.size();
    int rows = source.rows();
    int d = source.width();
    double[][] out = new double[losses ? 2 * n : n][rows];
    long[] keys = GhostVsNaiveTest.keys(rows);
    try (SnapshotScorer s = new SnapshotScorer(spec, snaps, o, Device.cpu())) {
      for (int start = 0; start < rows; start += batch) {
        int m = Math.min(batch, rows - start);
        float[] x = Arrays.copyOfRange(source.features(), start * d, (start + m) * d);
        float[] y = Arrays.copyOfRange(source.labels(), start, start + m);
        long[] k = Arrays.copyOfRange(keys, start, start + m);
        double[][] part;
        if (losses) {
          SnapshotScorer.Scores sc = s.scoreWithLosses(x, y, k, m);
          part = new double[2 * n][];
          System.arraycopy(sc.similarities(), 0, part, 0, n);
          System.arraycopy(sc.losses(), 0, part, n, n);
        } else {
          part = s.score(x, y, k, m);
        }
        for (int j = 0; j < part.length; j++) {
          System.arraycopy(part[j], 0, out[j], start, m);
        }
      }
    }
    return out;
  }

  /** Per snapshot, every value within 1e-6 of the reference, relative to that snapshot's largest |value| (at least 1). */
  static void assertClose(double[][] expected, double[][] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int s = 0; s < expected.length; s++) {
      double scale = 1;
      for (double v : expected[s]) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < expected[s].length; i++) {
        assertTrue(Double.isFinite(actual[s][i]), what + ": snapshot " + s + " row " + i);
        assertEquals(expected[s][i], actual[s][i], 1e-6 * scale, what + ": snapshot " + s + " row " + i);
      }
    }
  }

  static boolean[] layers(String list, int count) {
    List<Integer> subset = new ArrayList<>();
    for (String l : list.trim().split("\\s+")) {
      if (!l.isEmpty()) {
        subset.add(Integer.parseInt(l));
      }
    }
    return ScoringOptions.layerMask(subset, count);
  }

  @ParameterizedTest
  @CsvSource({
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', BATCH, NONE, 12, 20",
    "CLASSIFIER, MISH, true, 0.5, true, COSINE, '', BATCH, NONE, 12, 20",
    "CLASSIFIER, MISH, true, 0.5, true, DOT, '1 2', WITHIN_CLASS, NONE, 12, 20",
    "CLASSIFIER, RELU, false, 0.0, false, NEG_EUCLIDEAN, '0', BATCH, ADAM, 12, 20",
    "CLASSIFIER, TANH, true, 0.3, true, SCALAR_PROJECTION, '', WITHIN_CLASS, ADAM, 12, 20",
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', WITHIN_CLASS, NONE, 12, 20",
    "AUTOENCODER, RELU, false, 0.2, true, COSINE, '', BATCH, NONE, 12, 20",
    "AUTOENCODER, TANH, true, 0.0, false, SCALAR_PROJECTION, '2 3', BATCH, ADAM, 12, 20",
    "REGRESSOR, MISH, false, 0.0, false, DOT, '', BATCH, NONE, 12, 20",
    "REGRESSOR, MISH, true, 0.2, true, NEG_EUCLIDEAN, '', BATCH, ADAM, 12, 20",
    // Layers so small that a few rows' product is under PyTorch's plain-loop threshold (SMALL_PRODUCT).
    "CLASSIFIER, RELU, false, 0.0, false, COSINE, '', WITHIN_CLASS, NONE, 4, 6",
    "REGRESSOR, TANH, true, 0.0, false, DOT, '', BATCH, NONE, 4, 6"
  })
  void batchedMatchesOneSnapshotAtATime(
      Task task, ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, String layerList,
      TargetGradient target, Preconditioner pre, int d, int h) {
    int classes = task == Task.CLASSIFIER ? 3 : 0;
    int[] widths = task == Task.AUTOENCODER ? new int[] {d, 16, 4, 16, d} : new int[] {d, h, h, task == Task.CLASSIFIER ? 3 : 1};
    NetworkSpec spec = new NetworkSpec(task, widths, act, dropout, norm, classes, BlockOrder.NORM_ACT_DROPOUT);
    DenseRows targetRows = GhostVsNaiveTest.rows(64, d, classes, 1);
    if (target == TargetGradient.WITHIN_CLASS) {
      // Class 2 only in the first rows: some training batches lack it, and their checkpoints fall back.
      for (int i = 0; i < targetRows.rows(); i++) {
        targetRows.labels()[i] = i < 2 ? 2f : targetRows.labels()[i] == 2f ? (float) (i % 2) : targetRows.labels()[i];
      }
    }
    List<Snapshot> snaps = snapshots(spec, targetRows, target == TargetGradient.WITHIN_CLASS, pre == Preconditioner.ADAM);
    assertEquals(7, snaps.size(), "snapshots (passes of 2 and 3 do not divide them)");
    DenseRows source = GhostVsNaiveTest.rows(150, d, classes, 2);
    ScoringOptions one = new ScoringOptions(metric, ScoringMethod.GHOST, layers(layerList, spec.layers()), trainMode, 11, target, pre);
    assertEquals(false, one.checkpointBatched());
    double[][] reference = scoreInBatches(spec, snaps, one, source, 64, true);
    long big = 256L << 20;
    double[][] all = scoreInBatches(spec, snaps, one.withCheckpointBatch(0, big), source, 64, true);
    assertClose(reference, all, "every snapshot in one pass");
    for (int cap : new int[] {2, 3}) {
      // Passes of 2 and 3 snapshots: neither divides the 7 snapshots.
      double[][] capped = scoreInBatches(spec, snaps, one.withCheckpointBatch(cap, big), source, 64, true);
      assertClose(reference, capped, "passes of " + cap);
      for (int s = 0; s < all.length; s++) {
        assertArrayEquals(all[s], capped[s], "a snapshot's values do not depend on its pass-mates: passes of " + cap + ", snapshot " + s);
      }
    }
    // A budget too small for two snapshots: passes of two (the last of three), the same values again.
    double[][] single = scoreInBatches(spec, snaps, one.withCheckpointBatch(0, 1), source, 64, true);
    for (int s = 0; s < all.length; s++) {
      assertArrayEquals(all[s], single[s], "the smallest passes, snapshot " + s);
    }
    // Batch size and position: batches of 1, 5 (padded), 7 and the whole source give each row the same values.
    for (int batch : new int[] {1, 5, 7, 150}) {
      double[][] other = scoreInBatches(spec, snaps, one.withCheckpointBatch(0, big), source, batch, false);
      for (int s = 0; s < other.length; s++) {
        assertArrayEquals(all[s], other[s], "batches of " + batch + ", snapshot " + s);
      }
    }
  }

  @Test
  void passSizeFollowsTheBudget() {
    NetworkSpec spec = new NetworkSpec(Task.AUTOENCODER, new int[] {978, 512, 256, 32, 256, 512, 978}, ActivationKind.RELU, 0, false, 0,
        BlockOrder.NORM_ACT_DROPOUT);
    long perRow = SnapshotScorer.bytesPerRowAndSnapshot(spec);
    assertEquals(4L * (16 * 2546 + 2 * 2546), perRow);
    assertEquals(5, SnapshotScorer.snapshotsPerPass(spec, 256, 100, 0, 256L << 20));
    assertEquals(3, SnapshotScorer.snapshotsPerPass(spec, 256, 100, 3, 256L << 20));
    assertEquals(2, SnapshotScorer.snapshotsPerPass(spec, 256, 2, 0, 256L << 20));
    // Never fewer than two where there are two (see snapshotsPerPass), and one of one.
    assertEquals(2, SnapshotScorer.snapshotsPerPass(spec, 4096, 100, 0, 1L << 20));
    assertEquals(1, SnapshotScorer.snapshotsPerPass(spec, 256, 1, 0, 256L << 20));
    // A batch padded to MIN_BATCH_ROWS costs what that many rows cost.
    assertEquals(SnapshotScorer.snapshotsPerPass(spec, SnapshotScorer.MIN_BATCH_ROWS, 1000, 0, 64L << 20),
        SnapshotScorer.snapshotsPerPass(spec, 1, 1000, 0, 64L << 20));
  }
}
