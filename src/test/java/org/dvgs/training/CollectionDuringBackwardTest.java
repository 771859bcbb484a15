package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.dvgs.baselines.Dvrl;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.scoring.GhostVsNaiveTest;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * Back-propagated computations give the same numbers when the garbage collector runs between their forward and
 * backward passes. DJL's {@code div(Number)}, {@code mul(Number)} and {@code maximum(Number)} wrap the scalar's direct
 * buffer without a copy and close it at once; autograd keeps the wrapped tensor for backward, so a collection in
 * between frees memory backward then reads (see {@code Tensors.scalar}). Class-balanced training divided its loss
 * that way, and trained differently from one run to the next when a collection fell between the two passes.
 *
 * <p>Here another thread collects without pause while the same restart is trained several times; every result must
 * equal the one trained with no collector running. Surefire runs this class in a small-heap JVM of its own (see
 * pom.xml), so each full collection is short and many fall inside the training steps. With the divisor and DVRL's
 * scalars passed as numbers, both tests failed when they were written: the first training and the first DVRL run
 * under collection differed from the reference.
 */
class CollectionDuringBackwardTest {
  private static final int REPEATS = 2;

  /** Runs {@code body} while another thread collects garbage continuously; returns the collections it ran. */
  private static <T> T underCollection(Supplier<T> body, AtomicLong collections) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    Thread gc = new Thread(() -> {
      while (!stop.get()) {
        System.gc();
        collections.incrementAndGet();
      }
    }, "dvgs-test-collector");
    gc.setDaemon(true);
    gc.start();
    try {
      return body.get();
    } finally {
      stop.set(true);
      gc.join();
    }
  }

  @Test
  void classBalancedTrainingIsTheSameWhileTheCollectorRuns() throws InterruptedException {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {20, 64, 64, 2}, ActivationKind.MISH, 0.0, false, 2);
    DenseRows target = GhostVsNaiveTest.rows(300, 20, 2, 41);
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, target.rows(), 40, 1, 1, "", 0);
    TargetTrainer trainer = new TargetTrainer(spec, tc, true, 7, Device.cpu(), false);
    ParameterSet reference = trainer.fit(0, target);
    AtomicLong collections = new AtomicLong();
    for (int k = 0; k < REPEATS; k++) {
      ParameterSet again = underCollection(() -> trainer.fit(0, target), collections);
      for (int l = 0; l < spec.layers(); l++) {
        assertArrayEquals(reference.weights()[l], again.weights()[l], "training " + k + " under collection, layer " + l + " weights");
        assertArrayEquals(reference.biases()[l], again.biases()[l], "training " + k + " under collection, layer " + l + " biases");
      }
    }
    // Without collections during the steps the test would prove nothing.
    assertTrue(collections.get() >= 10 * REPEATS, "only " + collections.get() + " collections ran during the trainings");
  }

  @Test
  void dvrlIsTheSameWhileTheCollectorRuns() throws InterruptedException {
    BaselinesConfig.Dvrl cfg = TestConfigs.of(
            "evaluation.baselines.dvrl.outer-iterations=40", "evaluation.baselines.dvrl.inner-iterations=10",
            "evaluation.baselines.dvrl.hidden=32", "evaluation.baselines.dvrl.predictor-hidden=[16]")
        .evaluation().baselines().dvrl();
    DenseRows s = GhostVsNaiveTest.rows(200, 6, 2, 11);
    DenseRows t = GhostVsNaiveTest.rows(100, 6, 2, 12);
    float[] reference = Dvrl.run(s, t, Task.CLASSIFIER, 2, cfg, 5L, Device.cpu()).values();
    AtomicLong collections = new AtomicLong();
    for (int k = 0; k < 2; k++) {
      float[] again = underCollection(() -> Dvrl.run(s, t, Task.CLASSIFIER, 2, cfg, 5L, Device.cpu()).values(), collections);
      assertEquals(reference.length, again.length);
      assertArrayEquals(reference, again, "DVRL run " + k + " under collection");
    }
    assertTrue(collections.get() >= 10, "only " + collections.get() + " collections ran during the DVRL runs");
  }
}
