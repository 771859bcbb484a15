package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.junit.jupiter.api.Test;

/**
 * Restarts trained together as one stacked network against the same restarts trained one by one (the reference
 * path): every snapshot field (loss, parameters, batch gradient, per-class gradients, Adam's preconditioner) agrees
 * to float round-off, and a restart's snapshots do not depend on which restarts share its stack.
 *
 * <p>Tolerance: per array, the largest elementwise difference is at most {@link #TOL} times the array's largest
 * magnitude. The two paths run the same float32 arithmetic with different kernels (a batched matrix product and
 * batched reductions against one matrix product per restart), so sums may be added in another order, a relative
 * difference of a few float epsilons (1.2e-7) per operation. These short trainings (a few dozen steps) compound it
 * through the optimizer to well under 1e-4; a real mistake (a row, mask, weight or restart mixed up) moves values by
 * their own size, orders of magnitude more.
 */
class StackedRestartsTest {
  static final double TOL = 1e-4;

  static DenseRows data(int n, int d, int classes, Task task) {
    SplittableRandom r = new SplittableRandom(11);
    float[] x = new float[n * d];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) r.nextGaussian();
      }
      // Unbalanced classes, the last one rare, so that small batches miss it (within-class fallbacks).
      y[i] = switch (task) {
        case CLASSIFIER -> i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : classes - 1;
        case REGRESSOR -> x[i * d] - 0.5f * x[i * d + 1] + (float) (0.1 * r.nextGaussian());
        case AUTOENCODER -> 0f;
      };
    }
    return new DenseRows(x, y, n, d);
  }

  record Run(List<List<Snapshot>> perRestart, TargetTrainer.RestartResult[] results) {}

  static Run alone(TargetTrainer t, DenseRows data, int[] restarts) {
    List<List<Snapshot>> out = new ArrayList<>();
    TargetTrainer.RestartResult[] res = new TargetTrainer.RestartResult[restarts.length];
    for (int j = 0; j < restarts.length; j++) {
      List<Snapshot> s = new ArrayList<>();
      res[j] = t.train(restarts[j], data, s::add, null);
      out.add(s);
    }
    return new Run(out, res);
  }

  static Run stacked(TargetTrainer t, DenseRows data, int[] restarts) {
    List<List<Snapshot>> out = new ArrayList<>();
    List<Consumer<Snapshot>> sinks = new ArrayList<>();
    for (int j = 0; j < restarts.length; j++) {
      List<Snapshot> s = new ArrayList<>();
      out.add(s);
      sinks.add(s::add);
    }
    return new Run(out, t.trainStacked(restarts, data, sinks, null));
  }

  /** Largest |a - b| over the array divided by the largest |b| (0 for two zero arrays). */
  static double relDiff(float[] a, float[] b) {
    assertEquals(b.length, a.length, "array lengths");
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
      scale = Math.max(scale, Math.abs((double) b[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  static double relDiff(ParameterSet a, ParameterSet b) {
    assertEquals(b.layers(), a.layers(), "layers");
    double m = 0;
    for (int l = 0; l < a.layers(); l++) {
      m = Math.max(m, relDiff(a.weights()[l], b.weights()[l]));
      m = Math.max(m, relDiff(a.biases()[l], b.biases()[l]));
    }
    return m;
  }

  /** Compares two runs snapshot by snapshot and returns the largest relative difference of any field. */
  static double compare(Run got, Run want, boolean exact) {
    double worst = 0;
    assertEquals(want.perRestart().size(), got.perRestart().size());
    for (int j = 0; j < want.perRestart().size(); j++) {
      List<Snapshot> g = got.perRestart().get(j);
      List<Snapshot> w = want.perRestart().get(j);
      assertEquals(w.size(), g.size(), "snapshots of restart slot " + j);
      assertEquals(want.results()[j].restart(), got.results()[j].restart());
      assertEquals(want.results()[j].iterations(), got.results()[j].iterations());
      assertEquals(want.results()[j].snapshots(), got.results()[j].snapshots());
      assertEquals(want.results()[j].classFallbacks(), got.results()[j].classFallbacks());
      for (int i = 0; i < w.size(); i++) {
        Snapshot a = g.get(i);
        Snapshot b = w.get(i);
        assertEquals(b.restart(), a.restart());
        assertEquals(b.iteration(), a.iteration());
        worst = Math.max(worst, Math.abs(a.targetLoss() - b.targetLoss()) / Math.max(1e-30, Math.abs(b.targetLoss())));
        worst = Math.max(worst, relDiff(a.parameters(), b.parameters()));
        worst = Math.max(worst, relDiff(a.targetGradient(), b.targetGradient()));
        assertEquals(b.hasClassGradients(), a.hasClassGradients());
        if (b.hasClassGradients()) {
          assertEquals(b.classGradients().length, a.classGradients().length);
          for (int c = 0; c < b.classGradients().length; c++) {
            if (b.classGradients()[c] == null) {
              assertNull(a.classGradients()[c], "class " + c + " fell back alone, so it must in the stack");
            } else {
              assertNotNull(a.classGradients()[c], "class " + c + " present alone, so it must be in the stack");
              worst = Math.max(worst, relDiff(a.classGradients()[c], b.classGradients()[c]));
            }
          }
        }
        assertEquals(b.hasPreconditioner(), a.hasPreconditioner());
        if (b.hasPreconditioner()) {
          worst = Math.max(worst, relDiff(a.preconditioner(), b.preconditioner()));
        }
        if (exact) {
          assertEquals(b.targetLoss(), a.targetLoss());
          for (int l = 0; l < b.parameters().layers(); l++) {
            assertArrayEquals(b.parameters().weights()[l], a.parameters().weights()[l]);
            assertArrayEquals(b.targetGradient().weights()[l], a.targetGradient().weights()[l]);
            assertArrayEquals(b.targetGradient().biases()[l], a.targetGradient().biases()[l]);
          }
        }
      }
    }
    return worst;
  }

  static void assertRoundOff(TargetTrainer t, DenseRows data, int[] restarts) {
    Run want = alone(t, data, restarts);
    Run got = stacked(t, data, restarts);
    double worst = compare(got, want, false);
    assertTrue(worst <= TOL, "stacked restarts differ from restarts alone by " + worst + " (relative), above " + TOL);
    // The comparison must see a trained model: the restarts differ from each other by far more than the tolerance.
    double between = relDiff(want.perRestart().get(0).get(2).parameters(), want.perRestart().get(1).get(2).parameters());
    assertTrue(between > 1e-2, "restarts should differ, by " + between);
  }

  static final int[] THREE = {0, 1, 2};

  @Test
  void classifierAdamDropoutClassBalancedWithinClassAndPreconditioner() {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {7, 12, 9, 3}, ActivationKind.MISH, 0.3, true, 3);
    // 45 rows in batches of 16: 16, 16, 13 per epoch, the smaller last batch alike for every restart.
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 16, 4, 3, 2, "", 0);
    DenseRows data = data(45, 7, 3, Task.CLASSIFIER);
    TargetTrainer t = new TargetTrainer(spec, tc, true, 17, Device.cpu(), true, true);
    assertRoundOff(t, data, THREE);
    // Some batch missed the rare class, so the fallbacks were compared too.
    Run alone = alone(t, data, new int[] {0});
    assertTrue(alone.results()[0].classFallbacks() > 0, "the test should exercise a class missing from a batch");
  }

  @Test
  void classifierWithoutBalancingAndDropoutActNormOrder() {
    NetworkSpec spec = new NetworkSpec(
        Task.CLASSIFIER, new int[] {7, 10, 2}, ActivationKind.RELU, 0.5, true, 2, BlockOrder.DROPOUT_ACT_NORM);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 5e-3, 0, 1e-3, 40, 6, 2, 1, "", 0);
    assertRoundOff(new TargetTrainer(spec, tc, false, 3, Device.cpu(), true), data(40, 7, 2, Task.CLASSIFIER), THREE);
  }

  @Test
  void regressorSgdWithMomentum() {
    NetworkSpec spec = new NetworkSpec(Task.REGRESSOR, new int[] {5, 8, 8, 1}, ActivationKind.TANH, 0.2, false, 0);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.SGD, 1e-2, 0.9, 1e-4, 12, 3, 3, 1, "", 0);
    assertRoundOff(new TargetTrainer(spec, tc, false, 5, Device.cpu()), data(30, 5, 0, Task.REGRESSOR), THREE);
  }

  @Test
  void autoencoderAdamWithPreconditioner() {
    NetworkSpec spec = new NetworkSpec(Task.AUTOENCODER, new int[] {6, 4, 6}, ActivationKind.MISH, 0.1, true, 0);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 10, 3, 2, 3, "", 0);
    assertRoundOff(new TargetTrainer(spec, tc, false, 9, Device.cpu(), false, true), data(25, 6, 0, Task.AUTOENCODER), new int[] {0, 1});
  }

  @Test
  void aRestartsSnapshotsDoNotDependOnItsStackMates() {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {7, 12, 3}, ActivationKind.MISH, 0.3, true, 3);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 16, 3, 3, 1, "", 0);
    DenseRows data = data(45, 7, 3, Task.CLASSIFIER);
    TargetTrainer t = new TargetTrainer(spec, tc, true, 17, Device.cpu(), true, true);
    Run all = stacked(t, data, THREE);
    // A resumed run trains only the restarts its store lacks: restart 2 and 0 of three, in another order.
    Run some = stacked(t, data, new int[] {2, 0});
    Run want = new Run(
        List.of(all.perRestart().get(2), all.perRestart().get(0)), new TargetTrainer.RestartResult[] {all.results()[2], all.results()[0]});
    assertEquals(0.0, compare(some, want, true));
  }

  @Test
  void rejectsMismatchedSinksAndRepeatedRestarts() {
    NetworkSpec spec = new NetworkSpec(Task.REGRESSOR, new int[] {5, 1}, ActivationKind.TANH, 0.0, false, 0);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.SGD, 1e-2, 0, 0, 12, 1, 2, 1, "", 0);
    TargetTrainer t = new TargetTrainer(spec, tc, false, 5, Device.cpu());
    DenseRows data = data(10, 5, 0, Task.REGRESSOR);
    assertThrows(IllegalArgumentException.class, () -> t.trainStacked(new int[] {0, 1}, data, List.of(s -> {}), null));
    assertThrows(IllegalArgumentException.class, () -> t.trainStacked(new int[] {1, 1}, data, List.of(s -> {}, s -> {}), null));
  }
}
