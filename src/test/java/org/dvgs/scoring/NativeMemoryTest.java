package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.io.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.junit.jupiter.api.Test;

/**
 * Resident memory stays flat over many scoring batches. The same measurement with one deliberately leaked tensor
 * per batch shows growth, so the check is sensitive enough to catch a real leak.
 */
class NativeMemoryTest {
  static final int BATCHES = 1200;
  static final int ROWS = 256;
  static final long LEAK_LIMIT_MB = 60;

  static long rssMb() throws IOException {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  long growth(boolean leak) throws IOException {
    return growth(leak, false);
  }

  long growth(boolean leak, boolean withinClass) throws IOException {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {32, 128, 128, 4}, ActivationKind.MISH, 0.2, true, 4);
    DenseRows target = GhostVsNaiveTest.rows(64, 32, 4, 9);
    List<Snapshot> snaps = GhostVsNaiveTest.snapshots(spec, target, 1, withinClass).subList(0, 1);
    DenseRows src = GhostVsNaiveTest.rows(ROWS, 32, 4, 10);
    long[] keys = GhostVsNaiveTest.keys(ROWS);
    ScoringOptions opts =
        new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, true, 1, withinClass ? TargetGradient.WITHIN_CLASS : TargetGradient.BATCH);
    long before = 0;
    try (SnapshotScorer scorer = new SnapshotScorer(spec, snaps, opts, Device.cpu());
        NDManager longLived = NDManager.newBaseManager()) {
      for (int i = 0; i < BATCHES; i++) {
        scorer.score(src.features(), src.labels(), keys, ROWS);
        if (leak) {
          NDArray kept = longLived.zeros(new Shape(ROWS, 128));
          kept.addi(1f);
        }
        if (i == 200) {
          System.gc();
          before = rssMb();
        }
      }
      System.gc();
      return rssMb() - before;
    }
  }

  @Test
  void residentMemoryStaysFlatOverManyBatches() throws IOException {
    long flat = growth(false);
    assertTrue(flat < LEAK_LIMIT_MB, "resident memory grew by " + flat + " MB over " + (BATCHES - 200) + " batches");
    // 1,000 leaked 256 x 128 float tensors are 125 MB: the same check must see that.
    long leaking = growth(true);
    assertTrue(leaking >= LEAK_LIMIT_MB, "a deliberate leak grew resident memory by only " + leaking + " MB");
  }

  @Test
  void withinClassScoringStaysFlat() throws IOException {
    // Per-class slices and the label reordering allocate per batch too; all of it must be freed with the batch.
    long flat = growth(false, true);
    assertTrue(flat < LEAK_LIMIT_MB, "within-class: resident memory grew by " + flat + " MB over " + (BATCHES - 200) + " batches");
  }
}
