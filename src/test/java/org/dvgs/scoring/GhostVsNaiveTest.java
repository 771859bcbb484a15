package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ghost path must reproduce per-sample autograd exactly (up to float rounding). */
public class GhostVsNaiveTest {

  /** Random rows of {@code d} features and labels in {@code [0, classes)}, from {@code seed}. */
  public static DenseRows rows(int n, int d, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * d];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) r.nextGaussian();
      }
      y[i] = classes > 0 ? r.nextInt(classes) : 0f;
    }
    return new DenseRows(x, y, n, d);
  }

  public static List<Snapshot> snapshots(NetworkSpec spec, DenseRows target, int epochs) {
    return snapshots(spec, target, epochs, false);
  }

  /** Trained snapshots; with {@code classGradients}, each also carries one target gradient per class. */
  public static List<Snapshot> snapshots(NetworkSpec spec, DenseRows target, int epochs, boolean classGradients) {
    // With class gradients every step is a snapshot, so that batches with and without a rare class both appear.
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 32, epochs, 1, classGradients ? 1 : 3, "", 0);
    List<Snapshot> out = new ArrayList<>();
    new TargetTrainer(spec, tc, spec.task() == Task.CLASSIFIER, 7, Device.cpu(), classGradients).train(0, target, out::add, null);
    return out;
  }

  static long[] keys(int n) {
    long[] k = new long[n];
    for (int i = 0; i < n; i++) {
      k[i] = 1000 + i;
    }
    return k;
  }

  @ParameterizedTest
  @CsvSource({
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', NORM_ACT_DROPOUT",
    "CLASSIFIER, MISH, true, 0.5, true, COSINE, '', NORM_ACT_DROPOUT",
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '1 2', NORM_ACT_DROPOUT",
    "CLASSIFIER, RELU, false, 0.0, false, NEG_EUCLIDEAN, '0', NORM_ACT_DROPOUT",
    "AUTOENCODER, RELU, false, 0.2, false, COSINE, '', NORM_ACT_DROPOUT",
    "AUTOENCODER, RELU, true, 0.2, true, COSINE, '2 3', NORM_ACT_DROPOUT",
    "AUTOENCODER, TANH, true, 0.0, false, SCALAR_PROJECTION, '', NORM_ACT_DROPOUT",
    "REGRESSOR, MISH, false, 0.0, false, DOT, '', NORM_ACT_DROPOUT",
    "CLASSIFIER, MISH, true, 0.5, false, COSINE, '', DROPOUT_ACT_NORM",
    "CLASSIFIER, MISH, true, 0.5, true, COSINE, '', DROPOUT_ACT_NORM"
  })
  void ghostMatchesNaive(
      Task task, ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, String layerList,
      BlockOrder order) {
    int d = 12;
    int classes = task == Task.CLASSIFIER ? 3 : 0;
    int[] widths = task == Task.AUTOENCODER ? new int[] {d, 16, 4, 16, d} : new int[] {d, 20, 20, task == Task.CLASSIFIER ? 3 : 1};
    NetworkSpec spec = new NetworkSpec(task, widths, act, dropout, norm, classes, order == null ? BlockOrder.NORM_ACT_DROPOUT : order);
    DenseRows target = rows(96, d, classes, 1);
    List<Snapshot> snaps = snapshots(spec, target, 3);
    DenseRows source = rows(200, d, classes, 2);
    long[] keys = keys(source.rows());
    List<Integer> subset = new ArrayList<>();
    for (String l : layerList.trim().split("\\s+")) {
      if (!l.isEmpty()) {
        subset.add(Integer.parseInt(l));
      }
    }
    boolean[] layers = ScoringOptions.layerMask(subset, spec.layers());
    ScoringOptions ghost = new ScoringOptions(metric, ScoringMethod.GHOST, layers, trainMode, 11);
    assertGhostMatchesNaive(spec, snaps, source, ghost);
  }

  /**
   * Within-class scoring on a 3-class model: each row against its own class's target gradient. The target has
   * few rows of class 2, so some 32-row training batches lack it and those checkpoints exercise the fallback to the
   * batch gradient for class-2 rows.
   */
  @ParameterizedTest
  @CsvSource({
    "MISH, true, 0.5, false, COSINE, '', NORM_ACT_DROPOUT",
    "MISH, true, 0.5, true, COSINE, '', NORM_ACT_DROPOUT",
    "MISH, true, 0.5, false, COSINE, '1 2', DROPOUT_ACT_NORM",
    "RELU, false, 0.0, false, NEG_EUCLIDEAN, '0', NORM_ACT_DROPOUT",
    "TANH, true, 0.2, false, SCALAR_PROJECTION, '', NORM_ACT_DROPOUT",
    "MISH, false, 0.0, false, DOT, '', NORM_ACT_DROPOUT",
    "RELU, false, 0.3, true, COSINE, '1 2', NORM_ACT_DROPOUT",
    "TANH, true, 0.0, false, DOT, '', DROPOUT_ACT_NORM"
  })
  void withinClassGhostMatchesNaive(
      ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, String layerList, BlockOrder order) {
    int d = 12;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 20, 20, 3}, act, dropout, norm, 3, order);
    DenseRows target = rows(96, d, 3, 1);
    for (int i = 0; i < target.rows(); i++) {
      // Class 2 only in rows 0 and 1: most training batches have no row of it.
      target.labels()[i] = i < 2 ? 2f : target.labels()[i] == 2f ? (float) (i % 2) : target.labels()[i];
    }
    List<Snapshot> snaps = snapshots(spec, target, 2, true);
    long absent = snaps.stream().filter(s -> s.classGradients()[2] == null).count();
    assertTrue(absent > 0 && absent < snaps.size(), "class 2 absent from " + absent + " of " + snaps.size() + " batches");
    DenseRows source = rows(200, d, 3, 2);
    List<Integer> subset = new ArrayList<>();
    for (String l : layerList.trim().split("\\s+")) {
      if (!l.isEmpty()) {
        subset.add(Integer.parseInt(l));
      }
    }
    boolean[] layers = ScoringOptions.layerMask(subset, spec.layers());
    ScoringOptions ghost = new ScoringOptions(metric, ScoringMethod.GHOST, layers, trainMode, 11, TargetGradient.WITHIN_CLASS);
    assertGhostMatchesNaive(spec, snaps, source, ghost);
  }

  /**
   * The largest difference allowed between ghost in whole batches and naive, relative above 1, for every cell, the
   * 0.1% beyond 1e-5 included: a ReLU or Mish input within rounding of zero can flip between the batched and the
   * one-row matrix product and move that row's similarity by more than rounding (up to 1.4e-3 seen on a large
   * autoencoder, see STACK-NOTES). Measured over every case of this class: largest 1.1e-6, no cell beyond 1e-5.
   */
  static final double OUTLIER_BOUND = 1e-3;

  /**
   * Ghost at batch size 1 agrees with naive within 1e-5 (relative above 1); in whole batches for 99.9% of cells, and
   * the rest within {@link #OUTLIER_BOUND}.
   */
  static void assertGhostMatchesNaive(NetworkSpec spec, List<Snapshot> snaps, DenseRows source, ScoringOptions ghost) {
    int d = source.width();
    long[] keys = keys(source.rows());
    ScoringOptions naive = ghost.withMethodNaive();
    double[][] n;
    double[][] g;
    double[][] g1 = new double[snaps.size()][source.rows()];
    try (SnapshotScorer ns = new SnapshotScorer(spec, snaps, naive, Device.cpu());
        SnapshotScorer gs = new SnapshotScorer(spec, snaps, ghost, Device.cpu())) {
      n = ns.score(source.features(), source.labels(), keys, source.rows());
      g = gs.score(source.features(), source.labels(), keys, source.rows());
      for (int i = 0; i < source.rows(); i++) {
        float[] row = java.util.Arrays.copyOfRange(source.features(), i * d, (i + 1) * d);
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
      for (int i = 0; i < source.rows(); i++) {
        double scale = Math.max(1.0, Math.abs(n[s][i]));
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
    assertTrue(worst <= OUTLIER_BOUND, "largest difference in batches " + worst + " at " + worstCell);
  }
}
