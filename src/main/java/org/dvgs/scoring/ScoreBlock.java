package org.dvgs.scoring;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.util.LongAccumulator;
import org.dvgs.config.DeviceKind;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;

/**
 * Executor function: scores one partition's batches against one broadcast block of snapshots and folds the
 * similarities into that partition's running row statistics. The statistics and the batches are zipped partition by
 * partition, so no shuffle is needed and each row sees its values in the same order on every run; each pair is
 * checked by its id checksum ({@link RowStats#check}), so a recomputed batch that no longer matches fails the task.
 */
public final class ScoreBlock implements FlatMapFunction2<Iterator<RowStats>, Iterator<SourceBatch>, RowStats> {
  private static final long serialVersionUID = 2L;

  private final Broadcast<ArrayList<Snapshot>> block;
  private final NetworkSpec spec;
  private final ScoringOptions options;
  private final DeviceKind device;
  private final int threads;
  private final long passBytes;
  private final LongAccumulator scored;

  /** Scores the block with all its snapshots stacked into one pass. */
  public ScoreBlock(Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options, DeviceKind device, int threads) {
    this(block, spec, options, device, threads, Long.MAX_VALUE, null);
  }

  /**
   * @param passBytes memory budget of one checkpoint-batched pass (see {@link SnapshotScorer#snapshotsPerPass})
   * @param scored receives the sample-checkpoints scored, batch by batch (see {@link ScoringProgress}); or null
   */
  public ScoreBlock(
      Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options, DeviceKind device, int threads, long passBytes,
      LongAccumulator scored) {
    this.block = block;
    this.spec = spec;
    this.options = options;
    this.device = device;
    this.threads = threads;
    this.passBytes = passBytes;
    this.scored = scored;
  }

  @Override
  public Iterator<RowStats> call(Iterator<RowStats> stats, Iterator<SourceBatch> batches) {
    Engines.threads(threads);
    List<RowStats> out = new ArrayList<>();
    try (SnapshotScorer scorer = new SnapshotScorer(spec, block.value(), options, Engines.device(device, assignedGpu()), passBytes)) {
      if (scored != null) {
        // Pass by pass, so that heartbeats carry progress from within a batch (see ScoringProgress).
        scorer.onProgress(scored::add);
      }
      while (batches.hasNext()) {
        SourceBatch b = batches.next();
        if (!stats.hasNext()) {
          throw new IllegalStateException("row statistics and source batches are out of step");
        }
        RowStats s = stats.next();
        s.check(b, "scoring, partition " + partition());
        out.add(s.add(scorer.score(b.features(), b.labels(), b.keys(), b.rows())));
      }
    }
    if (stats.hasNext()) {
      throw new IllegalStateException("scoring, partition " + partition() + ": more row statistics than source batches");
    }
    // After the work, so that a drill also checks that a retried task's partial results are discarded.
    FaultInjection.maybeFail("scoring");
    return out.iterator();
  }

  /** The partition of the running task, for messages ("?" outside a task). */
  static String partition() {
    TaskContext tc = TaskContext.get();
    return tc == null ? "?" : String.valueOf(tc.partitionId());
  }

  /** The GPU Spark assigned to this task (spark.task.resource.gpu.amount), or -1. */
  static int assignedGpu() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return -1;
    }
    scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
    if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
      return -1;
    }
    try {
      return Integer.parseInt(gpu.get().addresses()[0].trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Initial statistics: one empty {@link RowStats} per batch. */
  public static final class Init implements org.apache.spark.api.java.function.Function<SourceBatch, RowStats> {
    private static final long serialVersionUID = 2L;

    @Override
    public RowStats call(SourceBatch b) {
      return RowStats.empty(b);
    }
  }
}
