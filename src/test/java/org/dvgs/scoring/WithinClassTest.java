package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
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
import org.dvgs.training.TargetTrainer;
import org.junit.jupiter.api.Test;

/** Within-class scoring compares each row with its own class's target gradient, checked against independent passes. */
class WithinClassTest {

  static List<Snapshot> train(NetworkSpec spec, DenseRows target, int batch, int epochs, boolean balanced, long[] fallbacks) {
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, batch, epochs, 1, 1, "", 0);
    List<Snapshot> out = new ArrayList<>();
    TargetTrainer.RestartResult r = new TargetTrainer(spec, tc, balanced, 3, Device.cpu(), true).train(0, target, out::add, null);
    if (fallbacks != null) {
      fallbacks[0] = r.classFallbacks();
    }
    return out;
  }

  /** Flattened gradient of the mean loss over the given rows, from its own DJL backward pass (dropout off). */
  static float[] gradient(NetworkSpec spec, ParameterSet params, float[] x, float[] y, int rows) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        Network net = Network.upload(m, spec, params, true)) {
      NDArray xs = m.create(x, new Shape(rows, spec.inputWidth()));
      NDArray t = Losses.targets(m, spec, y, rows);
      Autograd.gradMode(true);
      try {
        Autograd.backward(Losses.perSample(spec, net.forward(xs, null, null, null), xs, t).mean());
      } finally {
        Autograd.gradMode(false);
      }
      return flatten(net.gradients());
    }
  }

  static float[] flatten(ParameterSet p) {
    int n = 0;
    for (int l = 0; l < p.layers(); l++) {
      n += p.weights()[l].length + p.biases()[l].length;
    }
    float[] out = new float[n];
    int at = 0;
    for (int l = 0; l < p.layers(); l++) {
      System.arraycopy(p.weights()[l], 0, out, at, p.weights()[l].length);
      at += p.weights()[l].length;
      System.arraycopy(p.biases()[l], 0, out, at, p.biases()[l].length);
      at += p.biases()[l].length;
    }
    return out;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /** Rows of {@code data} with label {@code c}: features then labels. */
  static Object[] ofClass(DenseRows data, int c) {
    int d = data.width();
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < data.rows(); i++) {
      if ((int) data.labels()[i] == c) {
        idx.add(i);
      }
    }
    float[] x = new float[idx.size() * d];
    float[] y = new float[idx.size()];
    for (int j = 0; j < idx.size(); j++) {
      System.arraycopy(data.features(), idx.get(j) * d, x, j * d, d);
      y[j] = c;
    }
    return new Object[] {x, y, idx.size()};
  }

  @Test
  void twoClassRowsAreComparedWithTheirOwnClassGradient() {
    int d = 6;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 10, 2}, ActivationKind.MISH, 0.0, true, 2);
    DenseRows target = GhostVsNaiveTest.rows(60, d, 2, 21);
    // Full-batch training: every step's batch is the whole target, so the class gradients are reproducible here.
    List<Snapshot> snaps = train(spec, target, 60, 4, true, null);
    DenseRows source = GhostVsNaiveTest.rows(40, d, 2, 22);
    double[][] within;
    double[][] batch;
    ScoringOptions wc = new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5, TargetGradient.WITHIN_CLASS);
    ScoringOptions bo = new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5);
    try (SnapshotScorer w = new SnapshotScorer(spec, snaps, wc, Device.cpu());
        SnapshotScorer b = new SnapshotScorer(spec, snaps, bo, Device.cpu())) {
      within = w.score(source.features(), source.labels(), GhostVsNaiveTest.keys(40), 40);
      batch = b.score(source.features(), source.labels(), GhostVsNaiveTest.keys(40), 40);
    }
    int distinct = 0;
    for (int s = 0; s < snaps.size(); s++) {
      Snapshot snap = snaps.get(s);
      float[][] classGrad = new float[2][];
      for (int c = 0; c < 2; c++) {
        Object[] rows = ofClass(target, c);
        classGrad[c] = gradient(spec, snap.parameters(), (float[]) rows[0], (float[]) rows[1], (int) rows[2]);
        assertNotNull(snap.classGradients()[c]);
        assertTrue(maxAbsDiff(classGrad[c], flatten(snap.classGradients()[c])) < 1e-5, "stored class " + c + " gradient, snapshot " + s);
      }
      // Class-balanced weights n / (C n_c) give each class total weight n / C: the batch gradient is the mean of the two.
      float[] batchGrad = flatten(snap.targetGradient());
      for (int j = 0; j < batchGrad.length; j++) {
        assertEquals(batchGrad[j], 0.5 * (classGrad[0][j] + classGrad[1][j]), 1e-5, "batch = mean of class gradients, entry " + j);
      }
      for (int i = 0; i < source.rows(); i++) {
        int y = (int) source.labels()[i];
        float[] row = Arrays.copyOfRange(source.features(), i * d, (i + 1) * d);
        float[] own = gradient(spec, snap.parameters(), row, new float[] {y}, 1);
        assertEquals(cosine(own, classGrad[y]), within[s][i], 1e-5, "snapshot " + s + " row " + i + " against G_" + y);
        assertEquals(cosine(own, batchGrad), batch[s][i], 1e-5, "snapshot " + s + " row " + i + " against the batch gradient");
        if (Math.abs(cosine(own, classGrad[1 - y]) - within[s][i]) > 1e-3) {
          distinct++;
        }
      }
    }
    // The check above can tell the classes apart: the other class's gradient gives another similarity.
    assertTrue(distinct > 0.9 * snaps.size() * source.rows(), distinct + " cells differ from the other class's similarity");
  }

  @Test
  void aClassAbsentFromABatchFallsBackToTheBatchGradient() {
    int d = 6;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 10, 3}, ActivationKind.RELU, 0.0, false, 3);
    DenseRows target = GhostVsNaiveTest.rows(96, d, 2, 31);
    target.labels()[17] = 2f;
    int epochs = 3;
    long[] fallbacks = new long[1];
    // 32-row batches, 3 per epoch: exactly one of them holds the one class-2 row.
    List<Snapshot> snaps = train(spec, target, 32, epochs, false, fallbacks);
    assertEquals(3 * epochs, snaps.size());
    assertEquals(2L * epochs, fallbacks[0]);
    for (int e = 0; e < epochs; e++) {
      int present = 0;
      for (int k = 0; k < 3; k++) {
        Snapshot s = snaps.get(3 * e + k);
        assertNotNull(s.classGradients()[0]);
        assertNotNull(s.classGradients()[1]);
        present += s.classGradients()[2] == null ? 0 : 1;
      }
      assertEquals(1, present, "epoch " + e);
    }

    DenseRows source = GhostVsNaiveTest.rows(60, d, 3, 32);
    long[] keys = GhostVsNaiveTest.keys(60);
    double[][] within;
    double[][] batch;
    ScoringOptions wc = new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5, TargetGradient.WITHIN_CLASS);
    try (SnapshotScorer w = new SnapshotScorer(spec, snaps, wc, Device.cpu());
        SnapshotScorer b = new SnapshotScorer(spec, snaps, new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5), Device.cpu())) {
      within = w.score(source.features(), source.labels(), keys, 60);
      batch = b.score(source.features(), source.labels(), keys, 60);
    }
    // The snapshots as a restart reads them back from its checkpoint file: objects of their own, so that the checks
    // below compare values, not one object with itself.
    List<Snapshot> read = roundTrip(spec, snaps, 3);
    int fellBack = 0;
    int differ = 0;
    for (int s = 0; s < snaps.size(); s++) {
      boolean absent = snaps.get(s).classGradients()[2] == null;
      assertEquals(absent, read.get(s).classGradients()[2] == null, "snapshot " + s);
      float[] used = flatten(read.get(s).gradientForClass(2));
      float[] batchGrad = flatten(snaps.get(s).targetGradient());
      if (absent) {
        assertEquals(0.0, maxAbsDiff(batchGrad, used), 0.0, "absent class 2 at snapshot " + s + " uses the batch gradient");
      } else {
        assertEquals(0.0, maxAbsDiff(flatten(snaps.get(s).classGradients()[2]), used), 0.0, "class 2 gradient at snapshot " + s);
        assertTrue(maxAbsDiff(batchGrad, used) > 1e-4, "class 2's own gradient differs from the batch gradient at snapshot " + s);
      }
      for (int i = 0; i < 60; i++) {
        if ((int) source.labels()[i] == 2 && absent) {
          assertEquals(batch[s][i], within[s][i], 1e-6, "class-2 row " + i + " at snapshot " + s + " uses the batch gradient");
          fellBack++;
        } else if (Math.abs(batch[s][i] - within[s][i]) > 1e-4) {
          differ++;
        }
      }
    }
    assertTrue(fellBack > 0);
    assertTrue(differ > 0.9 * (snaps.size() * 60 - fellBack), differ + " rows with their own class gradient differ from batch");
  }

  /** Writes snapshots with the checkpoint codec and reads them back. */
  static List<Snapshot> roundTrip(NetworkSpec spec, List<Snapshot> snaps, int classes) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
        SnapshotCodec.writeHeader(out, spec, classes);
        for (Snapshot s : snaps) {
          SnapshotCodec.write(out, s);
        }
      }
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()));
      SnapshotCodec.readHeader(in, spec, classes, "memory");
      List<Snapshot> back = new ArrayList<>();
      for (Snapshot s = SnapshotCodec.read(in, spec, classes); s != null; s = SnapshotCodec.read(in, spec, classes)) {
        back.add(s);
      }
      assertEquals(snaps.size(), back.size());
      return back;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aClassMissingFromTheTargetAlwaysFallsBack() {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {4, 8, 3}, ActivationKind.TANH, 0.0, false, 3);
    long[] fallbacks = new long[1];
    List<Snapshot> snaps = train(spec, GhostVsNaiveTest.rows(40, 4, 2, 41), 20, 2, true, fallbacks);
    assertEquals(snaps.size(), fallbacks[0]);
    List<Snapshot> read = roundTrip(spec, snaps, 3);
    for (int s = 0; s < snaps.size(); s++) {
      assertNull(snaps.get(s).classGradients()[2]);
      // The norm scoring divides by, against the batch gradient's squared norm summed here from its values.
      double sq = 0;
      for (float v : flatten(snaps.get(s).targetGradient())) {
        sq += (double) v * v;
      }
      assertEquals(sq, read.get(s).classSquaredNorm(2, null), 1e-9 * sq, "snapshot " + s);
      assertTrue(Math.abs(sq - read.get(s).classSquaredNorm(0, null)) > 1e-6 * sq, "class 0 has a gradient of its own");
    }
    // Scoring: rows of the missing class get exactly their batch similarity, the other rows their own class's.
    DenseRows source = GhostVsNaiveTest.rows(60, 4, 3, 42);
    long[] keys = GhostVsNaiveTest.keys(60);
    double[][] within;
    double[][] batch;
    try (SnapshotScorer w = new SnapshotScorer(spec, read, new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5,
            TargetGradient.WITHIN_CLASS), Device.cpu());
        SnapshotScorer b = new SnapshotScorer(spec, snaps, new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5), Device.cpu())) {
      within = w.score(source.features(), source.labels(), keys, 60);
      batch = b.score(source.features(), source.labels(), keys, 60);
    }
    int class2 = 0;
    int differ = 0;
    for (int s = 0; s < snaps.size(); s++) {
      for (int i = 0; i < 60; i++) {
        if ((int) source.labels()[i] == 2) {
          assertEquals(batch[s][i], within[s][i], 1e-6, "class-2 row " + i + " at snapshot " + s);
          class2++;
        } else if (Math.abs(batch[s][i] - within[s][i]) > 1e-4) {
          differ++;
        }
      }
    }
    assertTrue(class2 > 0, "the source has class-2 rows");
    assertTrue(differ > 0.9 * (snaps.size() * 60 - class2), differ + " rows of classes 0 and 1 differ from their batch similarity");
  }

  @Test
  void batchOrderDoesNotChangeWithinClassValues() {
    int d = 8;
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {d, 12, 12, 3}, ActivationKind.MISH, 0.3, true, 3);
    List<Snapshot> snaps = train(spec, GhostVsNaiveTest.rows(90, d, 3, 51), 30, 1, true, null);
    DenseRows source = GhostVsNaiveTest.rows(50, d, 3, 52);
    long[] keys = GhostVsNaiveTest.keys(50);
    // Reverse the rows: each row keeps its key, so its similarities must not move.
    float[] rx = new float[source.features().length];
    float[] ry = new float[50];
    long[] rk = new long[50];
    for (int i = 0; i < 50; i++) {
      System.arraycopy(source.features(), i * d, rx, (49 - i) * d, d);
      ry[49 - i] = source.labels()[i];
      rk[49 - i] = keys[i];
    }
    ScoringOptions wc = new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, true, 5, TargetGradient.WITHIN_CLASS);
    try (SnapshotScorer w = new SnapshotScorer(spec, snaps, wc, Device.cpu())) {
      double[][] a = w.score(source.features(), source.labels(), keys, 50);
      double[][] b = w.score(rx, ry, rk, 50);
      double[][] again = w.score(source.features(), source.labels(), keys, 50);
      for (int s = 0; s < snaps.size(); s++) {
        for (int i = 0; i < 50; i++) {
          assertEquals(a[s][i], b[s][49 - i], 1e-6, "snapshot " + s + " row " + i);
          assertEquals(a[s][i], again[s][i], 0.0, "same batch twice, snapshot " + s + " row " + i);
        }
      }
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> w.score(new float[d], new float[] {3f}, new long[] {1}, 1));
      assertTrue(bad.getMessage().contains("label 3.0"), bad.getMessage());
    }
  }

  @Test
  void withinClassNeedsSnapshotsWithClassGradientsAndBudgetsForThem() {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {4, 8, 3}, ActivationKind.RELU, 0.0, false, 3);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 20, 1, 1, 1, "", 0);
    List<Snapshot> plain = new ArrayList<>();
    new TargetTrainer(spec, tc, false, 3, Device.cpu()).train(0, GhostVsNaiveTest.rows(40, 4, 3, 61), plain::add, null);
    ScoringOptions wc = new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5, TargetGradient.WITHIN_CLASS);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotScorer(spec, plain, wc, Device.cpu()));
    assertTrue(e.getMessage().contains("dvgs.scoring.target-gradient = within-class"), e.getMessage());

    // Parameters + batch gradient + 3 class gradients = 5 parameter-sized arrays per snapshot instead of 2.
    long per = 4 * spec.parameterCount();
    long budget = 100 * (5 * per + 64);
    assertEquals(100, ScoringStage.snapshotsPerBlock(spec, ScoringStage.gradientsPerSnapshot(spec, wc), budget));
    assertEquals(1, ScoringStage.gradientsPerSnapshot(spec, new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, false, 5)));
    assertEquals(budget / (2 * per + 64), ScoringStage.snapshotsPerBlock(spec, budget));
  }
}
