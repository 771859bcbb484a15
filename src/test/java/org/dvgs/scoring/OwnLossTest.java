package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Losses;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.model.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The own loss scoring returns per row and snapshot is the row's loss under the snapshot's model, computed here
 * independently by a plain forward pass of every row alone, and RowStats folds it into the checkpoint-weighted mean.
 */
class OwnLossTest {

  @ParameterizedTest
  @CsvSource({
    "CLASSIFIER, GHOST, 200, false", "CLASSIFIER, NAIVE, 40, false", "CLASSIFIER, GHOST, 5, false", "CLASSIFIER, GHOST, 200, true",
    "AUTOENCODER, GHOST, 200, false", "AUTOENCODER, NAIVE, 40, false", "REGRESSOR, GHOST, 200, false"
  })
  void ownLossIsTheLossUnderEachSnapshot(Task task, ScoringMethod method, int n, boolean withinClass) {
    int d = 10;
    int classes = task == Task.CLASSIFIER ? 3 : 0;
    int[] widths = task == Task.AUTOENCODER ? new int[] {d, 12, 4, 12, d} : new int[] {d, 16, task == Task.CLASSIFIER ? 3 : 1};
    NetworkSpec spec = new NetworkSpec(task, widths, ActivationKind.MISH, 0.3, true, classes, BlockOrder.NORM_ACT_DROPOUT);
    DenseRows target = GhostVsNaiveTest.rows(96, d, classes, 1);
    List<Snapshot> snaps = GhostVsNaiveTest.snapshots(spec, target, 2, withinClass);
    DenseRows source = GhostVsNaiveTest.rows(n, d, classes, 2);
    ScoringOptions options = new ScoringOptions(
        SimilarityMetric.COSINE, method, ScoringOptions.layerMask(List.of(), spec.layers()), false, 11,
        withinClass ? TargetGradient.WITHIN_CLASS : TargetGradient.BATCH);
    long[] keys = GhostVsNaiveTest.keys(n);
    SnapshotScorer.Scores got;
    double[][] sims;
    try (SnapshotScorer scorer = new SnapshotScorer(spec, snaps, options, Device.cpu())) {
      got = scorer.scoreWithLosses(source.features(), source.labels(), keys, n);
      sims = scorer.score(source.features(), source.labels(), keys, n);
    }
    assertEquals(snaps.size(), got.losses().length);
    for (int s = 0; s < snaps.size(); s++) {
      assertArrayEquals(sims[s], got.similarities()[s], 0.0, "similarities are those of score()");
      double[] want = directLosses(spec, snaps.get(s), source);
      for (int i = 0; i < n; i++) {
        assertEquals(want[i], got.losses()[s][i], 1e-6 * Math.max(1, Math.abs(want[i])), "snapshot " + s + " row " + i);
      }
    }

    // The weighted mean over checkpoints, with the weights of the similarities and a skipped (weight 0) checkpoint.
    double[] w = new double[snaps.size()];
    for (int s = 0; s < w.length; s++) {
      w[s] = s == 1 ? 0 : 0.5 + s;
    }
    RowStats stats = new RowStats(new double[n], new double[n], 0, 0L).add(got.similarities(), got.losses(), w);
    for (int i = 0; i < n; i++) {
      double num = 0;
      double den = 0;
      for (int s = 0; s < w.length; s++) {
        num += w[s] * got.losses()[s][i];
        den += w[s];
      }
      assertEquals(num / den, stats.loss()[i], 1e-12 * Math.max(1, Math.abs(num / den)));
    }
    assertArrayEquals(new RowStats(new double[n], new double[n], 0, 0L).add(got.similarities(), w).mean(), stats.mean(), 0.0);
  }

  /** Each row's loss by its own forward pass (eval mode), through {@link Losses#perSample}. */
  private static double[] directLosses(NetworkSpec spec, Snapshot snap, DenseRows rows) {
    int d = rows.width();
    double[] out = new double[rows.rows()];
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); Network net = Network.upload(m, spec, snap.parameters(), false)) {
      for (int i = 0; i < rows.rows(); i++) {
        try (NDManager scope = m.newSubManager()) {
          NDArray x = Tensors.floats(scope, Arrays.copyOfRange(rows.features(), i * d, (i + 1) * d), new Shape(1, d));
          NDArray t = Losses.targets(scope, spec, new float[] {rows.labels()[i]}, 1);
          out[i] = Losses.perSample(spec, net.forward(x, null, null, null), x, t).getFloat();
        }
      }
    }
    return out;
  }
}
