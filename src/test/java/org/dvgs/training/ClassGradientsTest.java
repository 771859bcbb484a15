package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Autograd;
import org.dvgs.model.Losses;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.model.SnapshotCodec;
import org.junit.jupiter.api.Test;

/** Per-class target gradients: checked against an independent backward pass, and their mix against the batch's. */
class ClassGradientsTest {
  static final NetworkSpec SPEC = new NetworkSpec(Task.CLASSIFIER, new int[] {6, 10, 3}, ActivationKind.MISH, 0.0, true, 3);

  static DenseRows target(int n, boolean withClass2) {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[n * 6];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 6; j++) {
        x[i * 6 + j] = (float) r.nextGaussian();
      }
      // Unbalanced classes: 0 most, 2 least (or none).
      int c = i % 6 < 3 ? 0 : i % 6 < 5 ? 1 : 2;
      y[i] = withClass2 ? c : Math.min(c, 1);
    }
    return new DenseRows(x, y, n, 6);
  }

  static List<Snapshot> train(DenseRows t, boolean classBalanced, boolean classGradients) {
    // Batch = the whole target, so every snapshot's batch is the full set whatever the order.
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, t.rows(), 3, 1, 1, "", 0);
    List<Snapshot> out = new ArrayList<>();
    new TargetTrainer(SPEC, tc, classBalanced, 5, Device.cpu(), classGradients).train(0, t, out::add, null);
    return out;
  }

  /** The gradient of the mean loss over the rows of class c (all rows when c < 0), by a separate forward and backward pass. */
  static float[] independent(ParameterSet p, DenseRows t, int c, int layer) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < t.rows(); i++) {
      if (c < 0 || (int) t.labels()[i] == c) {
        idx.add(i);
      }
    }
    float[] x = new float[idx.size() * 6];
    float[] y = new float[idx.size()];
    for (int k = 0; k < idx.size(); k++) {
      System.arraycopy(t.features(), idx.get(k) * 6, x, k * 6, 6);
      y[k] = t.labels()[idx.get(k)];
    }
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        Network net = Network.upload(m, SPEC, p, true)) {
      NDArray xs = m.create(x, new Shape(idx.size(), 6));
      Autograd.gradMode(true);
      try {
        NDArray loss = Losses.perSample(SPEC, net.forward(xs, null, null, null), xs, Losses.targets(m, SPEC, y, idx.size())).mean();
        Autograd.backward(loss);
      } finally {
        Autograd.gradMode(false);
      }
      return net.gradients().weights()[layer];
    }
  }

  @Test
  void classGradientsMatchAnIndependentBackwardPassAndMixIntoTheBatchGradient() {
    DenseRows t = target(60, true);
    List<Snapshot> snaps = train(t, true, true);
    assertEquals(3, snaps.size());
    float[] w = TargetTrainer.classWeights(t.labels(), 3);
    int[] n = new int[3];
    for (float y : t.labels()) {
      n[(int) y]++;
    }
    for (Snapshot s : snaps) {
      assertEquals(3, s.classGradients().length);
      for (int c = 0; c < 3; c++) {
        float[] mine = s.classGradients()[c].weights()[0];
        float[] ref = independent(s.parameters(), t, c, 0);
        for (int j = 0; j < ref.length; j++) {
          assertEquals(ref[j], mine[j], 1e-5, "class " + c + " weight " + j);
        }
      }
      // Class-balanced batch loss = sum_c w_c n_c mean_c / sum_c w_c n_c, so its gradient mixes the class gradients.
      double total = 0;
      for (int c = 0; c < 3; c++) {
        total += w[c] * n[c];
      }
      float[] batch = s.targetGradient().weights()[1];
      for (int j = 0; j < batch.length; j++) {
        double mix = 0;
        for (int c = 0; c < 3; c++) {
          mix += w[c] * n[c] / total * s.classGradients()[c].weights()[1][j];
        }
        assertEquals(batch[j], mix, 1e-5, "weight " + j);
      }
    }
  }

  @Test
  void aClassAbsentFromTheBatchGetsTheBatchGradient() {
    DenseRows t = target(60, false);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 60, 1, 1, 1, "", 0);
    List<Snapshot> out = new ArrayList<>();
    new TargetTrainer(SPEC, tc, false, 5, Device.cpu(), true).train(0, t, out::add, null);
    Snapshot s = out.get(0);
    // No gradient is stored for the absent class; scoring uses the batch gradient in its place: the gradient of the
    // mean loss over the whole batch (here the whole target), from a backward pass of its own.
    assertNull(s.classGradients()[2]);
    float[] all = independent(s.parameters(), t, -1, 0);
    float[] used = s.gradientForClass(2).weights()[0];
    float[] class0 = independent(s.parameters(), t, 0, 0);
    double fromAll = 0;
    double fromClass0 = 0;
    for (int j = 0; j < all.length; j++) {
      fromAll = Math.max(fromAll, Math.abs(all[j] - used[j]));
      fromClass0 = Math.max(fromClass0, Math.abs(class0[j] - used[j]));
    }
    assertTrue(fromAll < 1e-5, "absent class 2 uses the batch gradient: max difference " + fromAll);
    assertTrue(fromClass0 > 1e-3, "which is not class 0's: max difference " + fromClass0);
  }

  @Test
  void withoutTheOptionSnapshotsCarryNoClassGradientsAndTheCodecRoundTripsBoth() throws Exception {
    DenseRows t = target(60, true);
    assertNull(train(t, false, false).get(0).classGradients());
    for (boolean cg : new boolean[] {false, true}) {
      Snapshot s = train(t, false, cg).get(1);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        SnapshotCodec.writeHeader(out, SPEC, cg ? 3 : 0);
        SnapshotCodec.write(out, s);
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        SnapshotCodec.readHeader(in, SPEC, cg ? 3 : 0, "memory");
        Snapshot back = SnapshotCodec.read(in, SPEC, cg ? 3 : 0);
        assertNotNull(back);
        assertEquals(cg, back.classGradients() != null);
        assertEquals(s.restart(), back.restart());
        assertEquals(s.iteration(), back.iteration());
        assertSameValues(s.parameters(), back.parameters());
        assertSameValues(s.targetGradient(), back.targetGradient());
        if (cg) {
          for (int c = 0; c < 3; c++) {
            assertSameValues(s.classGradients()[c], back.classGradients()[c]);
          }
        }
        assertNull(SnapshotCodec.read(in, SPEC, cg ? 3 : 0));
      }
    }
  }

  static void assertSameValues(ParameterSet a, ParameterSet b) {
    assertEquals(a.layers(), b.layers());
    for (int l = 0; l < a.layers(); l++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(a.weights()[l], b.weights()[l], "weights of layer " + l);
      org.junit.jupiter.api.Assertions.assertArrayEquals(a.biases()[l], b.biases()[l], "biases of layer " + l);
    }
  }

  @Test
  void onlyForClassifiers() {
    NetworkSpec reg = new NetworkSpec(Task.REGRESSOR, new int[] {6, 4, 1}, ActivationKind.RELU, 0, false, 0);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 8, 1, 1, 1, "", 0);
    assertThrows(IllegalArgumentException.class, () -> new TargetTrainer(reg, tc, false, 1, Device.cpu(), true));
  }
}
