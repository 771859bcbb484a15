package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.Preconditioner;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Autograd;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A row's values do not depend on what the JVM did before scoring: the process-wide engine state that earlier work
 * leaves behind (intra-op threads set by another thread's training or scoring task, and by this thread; grad mode
 * left on; a native heap full of holes, so that tensors land at other addresses) changes neither the values of
 * one-snapshot-at-a-time nor of checkpoint-batched scoring, nor their independence of batching and of pass-mates.
 */
class ScoringProcessStateTest {

  @ParameterizedTest
  @CsvSource({
    "CLASSIFIER, MISH, true, 0.5, true, COSINE, WITHIN_CLASS, ADAM, 12, 20",
    "CLASSIFIER, TANH, true, 0.3, false, DOT, BATCH, NONE, 12, 20",
    "REGRESSOR, TANH, true, 0.0, false, NEG_EUCLIDEAN, BATCH, NONE, 4, 6"
  })
  void valuesDoNotDependOnEngineStateLeftBehind(
      Task task, ActivationKind act, boolean norm, double dropout, boolean trainMode, SimilarityMetric metric, TargetGradient target,
      Preconditioner pre, int d, int h) throws InterruptedException {
    int classes = task == Task.CLASSIFIER ? 3 : 0;
    NetworkSpec spec = new NetworkSpec(task, new int[] {d, h, h, task == Task.CLASSIFIER ? 3 : 1}, act, dropout, norm, classes,
        BlockOrder.NORM_ACT_DROPOUT);
    List<Snapshot> snaps = CheckpointBatchTest.snapshots(spec, GhostVsNaiveTest.rows(64, d, classes, 1), target == TargetGradient.WITHIN_CLASS,
        pre == Preconditioner.ADAM);
    DenseRows source = GhostVsNaiveTest.rows(150, d, classes, 2);
    ScoringOptions one = new ScoringOptions(metric, ScoringMethod.GHOST, null, trainMode, 11, target, pre);
    ScoringOptions stacked = one.withCheckpointBatch(0, 256L << 20);
    // Values in the state the test JVM starts in (one intra-op thread).
    double[][] oneClean = CheckpointBatchTest.scoreInBatches(spec, snaps, one, source, 64, false);
    double[][] stackedClean = CheckpointBatchTest.scoreInBatches(spec, snaps, stacked, source, 64, false);

    NDManager holes = NDManager.newBaseManager();
    try {
      leaveEngineStateBehind(holes);
      for (int batch : new int[] {1, 7, 37, 150}) {
        assertSame(oneClean, CheckpointBatchTest.scoreInBatches(spec, snaps, one, source, batch, false), "one snapshot at a time, batches of " + batch);
        assertSame(stackedClean, CheckpointBatchTest.scoreInBatches(spec, snaps, stacked, source, batch, false), "stacked, batches of " + batch);
      }
      for (int cap : new int[] {2, 3}) {
        assertSame(stackedClean, CheckpointBatchTest.scoreInBatches(spec, snaps, one.withCheckpointBatch(cap, 256L << 20), source, 64, false),
            "stacked, passes of " + cap);
      }
    } finally {
      holes.close();
      Autograd.gradMode(false);
      Engines.threads(1);
    }
  }

  /**
   * What earlier tests and tasks leave in the process: another thread sets 4 intra-op threads (the global count and
   * MKL's), this thread 2, grad mode is left on, and many live tensors of odd sizes with freed ones between them.
   */
  static void leaveEngineStateBehind(NDManager holes) throws InterruptedException {
    Thread other = new Thread(() -> Engines.threads(4));
    other.start();
    other.join();
    Engines.threads(2);
    Autograd.gradMode(true);
    SplittableRandom r = new SplittableRandom(3);
    List<NDArray> live = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      live.add(holes.zeros(new Shape(1 + r.nextInt(5000))));
    }
    for (int i = 0; i < live.size(); i += 2) {
      live.get(i).close();
    }
  }

  private static void assertSame(double[][] expected, double[][] actual, String what) {
    for (int s = 0; s < expected.length; s++) {
      assertArrayEquals(expected[s], actual[s], 0.0, what + ", snapshot " + s);
    }
  }
}
