package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.config.Task;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resident memory stays flat over many scoring batches. The same measurement with one deliberately leaked tensor
 * per batch shows growth, so the check is sensitive enough to catch a real leak.
 *
 * <p>Surefire runs this class in a JVM of its own with a fixed, pre-touched heap (see pom.xml), so resident memory
 * moves only with native allocations. The first few hundred batches still grow it while PyTorch and the JIT warm
 * up, and single readings jitter by tens of MB, so growth is taken between the medians of readings at the start
 * and at the end of a measured window that follows a warm-up.
 */
class NativeMemoryTest {
  private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryTest.class);
  static final int WARMUP = 500;
  static final int MEASURED = 1000;
  static final int EVERY = 100;
  static final int ROWS = 256;
  static final long LEAK_LIMIT_MB = 30;

  static long rssMb() throws IOException {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  static long median3(long[] r, int from) {
    long[] w = Arrays.copyOfRange(r, from, from + 3);
    Arrays.sort(w);
    return w[1];
  }

  long growth(boolean leak) throws IOException {
    return growth(leak, false);
  }

  /** Resident growth in MB between the start and the end of the measured window; the readings go to the message. */
  long growth(boolean leak, boolean withinClass) throws IOException {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {32, 128, 128, 4}, ActivationKind.MISH, 0.2, true, 4);
    DenseRows target = GhostVsNaiveTest.rows(64, 32, 4, 9);
    List<Snapshot> snaps = GhostVsNaiveTest.snapshots(spec, target, 1, withinClass).subList(0, 1);
    DenseRows src = GhostVsNaiveTest.rows(ROWS, 32, 4, 10);
    long[] keys = GhostVsNaiveTest.keys(ROWS);
    ScoringOptions opts =
        new ScoringOptions(SimilarityMetric.COSINE, ScoringMethod.GHOST, null, true, 1, withinClass ? TargetGradient.WITHIN_CLASS : TargetGradient.BATCH);
    long[] readings = new long[MEASURED / EVERY + 1];
    try (SnapshotScorer scorer = new SnapshotScorer(spec, snaps, opts, Device.cpu());
        NDManager longLived = NDManager.newBaseManager()) {
      for (int i = 0; i < WARMUP + MEASURED; i++) {
        if (i >= WARMUP && (i - WARMUP) % EVERY == 0) {
          System.gc();
          readings[(i - WARMUP) / EVERY] = rssMb();
        }
        scorer.score(src.features(), src.labels(), keys, ROWS);
        if (leak && i >= WARMUP) {
          NDArray kept = longLived.zeros(new Shape(ROWS, 128));
          kept.addi(1f);
        }
      }
      System.gc();
      readings[readings.length - 1] = rssMb();
    }
    lastReadings = Arrays.toString(readings);
    LOG.info("leak={} withinClass={}: resident MB every {} batches after {} warm-up batches: {}", leak, withinClass, EVERY, WARMUP, lastReadings);
    return median3(readings, readings.length - 3) - median3(readings, 0);
  }

  private String lastReadings = "";

  @Test
  void residentMemoryStaysFlatOverManyBatches() throws IOException {
    long flat = growth(false);
    assertTrue(flat < LEAK_LIMIT_MB, "resident memory grew by " + flat + " MB over " + MEASURED + " batches; readings " + lastReadings);
    // 1,000 leaked 256 x 128 float tensors are 125 MB, about 100 MB of it between the two medians
    // (at least 64 MB measured): the check must see that, while scoring alone moved them by at most 2 MB.
    long leaking = growth(true);
    assertTrue(leaking >= LEAK_LIMIT_MB, "a deliberate leak grew resident memory by only " + leaking + " MB; readings " + lastReadings);
  }

  @Test
  void withinClassScoringStaysFlat() throws IOException {
    // Per-class slices and the label reordering allocate per batch too; all of it must be freed with the batch.
    long flat = growth(false, true);
    assertTrue(flat < LEAK_LIMIT_MB, "within-class: resident memory grew by " + flat + " MB over " + MEASURED + " batches; readings " + lastReadings);
  }
}
