package org.dvgs.scoring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.dvgs.config.DeviceKind;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.spark.JobGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores the persisted source batches against every snapshot. Snapshots stream from the driver's checkpoint store
 * in blocks that fit a memory budget; each block is broadcast once and scored in one Spark job, whose output
 * (running per-row statistics) is persisted and zipped with the next block's job. The zips are by position; each
 * statistics-batch pair is checked by the batch's id checksum ({@link RowStats#check}), and the batches are packed
 * so that a recomputed partition gives the same batches ({@link SourceBatch.Pack}).
 */
public final class ScoringStage {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringStage.class);

  /**
   * What scoring produced.
   *
   * @param stats per-batch row statistics, aligned with the batches RDD (persisted)
   * @param blocks broadcast blocks
   * @param snapshots snapshots scored
   * @param sampleCheckpoints rows times snapshots
   * @param seconds wall time
   * @param blockSeconds each block's job, in order
   */
  public record Result(JavaRDD<RowStats> stats, int blocks, long snapshots, long sampleCheckpoints, double seconds, List<Double> blockSeconds) {
    public double throughput() {
      return seconds > 0 ? sampleCheckpoints / seconds : 0;
    }
  }

  private ScoringStage() {}

  /** Snapshots per block for a memory budget (at least one), for snapshots with the batch gradient only. */
  public static int snapshotsPerBlock(NetworkSpec spec, long budgetBytes) {
    return snapshotsPerBlock(spec, 1, budgetBytes);
  }

  /**
   * Snapshots per block for a memory budget (at least one).
   *
   * @param gradients parameter-sized gradients each snapshot carries besides its parameters: 1 (the batch gradient),
   *     or 1 + classes with within-class scoring (an upper bound: a class absent from a step's batch stores none)
   */
  public static int snapshotsPerBlock(NetworkSpec spec, int gradients, long budgetBytes) {
    long perSnapshot = (1L + gradients) * 4 * spec.parameterCount() + 64;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / perSnapshot));
  }

  /** Parameter-sized gradients per snapshot under these options (see {@link #snapshotsPerBlock(NetworkSpec, int, long)}). */
  public static int gradientsPerSnapshot(NetworkSpec spec, ScoringOptions options) {
    return options.withinClass() ? 1 + spec.numClasses() : 1;
  }

  /**
   * Runs the scoring, counting the sample-checkpoints scored into {@code counter} (see {@link ScoringProgress}).
   *
   * @param batches persisted source batches
   * @param rows total rows in {@code batches}
   * @param snapshots snapshots in order (restart, iteration)
   * @param totalSnapshots how many {@code snapshots} yields (for progress)
   * @param budgetBytes memory budget of one block
   * @param threads intra-op threads per task
   * @param counter the progress counter, or null
   */
  public static Result run(
      JavaSparkContext jsc,
      JavaRDD<SourceBatch> batches,
      long rows,
      NetworkSpec spec,
      ScoringOptions options,
      Iterator<Snapshot> snapshots,
      long totalSnapshots,
      long budgetBytes,
      DeviceKind device,
      int threads,
      StorageLevel level,
      LongAccumulator counter) {
    // The caller's job group is back when scoring returns or fails; each block runs in dvgs's own group.
    JobGroups saved = JobGroups.save(jsc);
    try {
      return scoreBlocks(jsc, batches, rows, spec, options, snapshots, totalSnapshots, budgetBytes, device, threads, level, counter);
    } finally {
      saved.restore();
    }
  }

  private static Result scoreBlocks(
      JavaSparkContext jsc,
      JavaRDD<SourceBatch> batches,
      long rows,
      NetworkSpec spec,
      ScoringOptions options,
      Iterator<Snapshot> snapshots,
      long totalSnapshots,
      long budgetBytes,
      DeviceKind device,
      int threads,
      StorageLevel level,
      LongAccumulator counter) {
    long t0 = System.nanoTime();
    int perBlock = snapshotsPerBlock(spec, gradientsPerSnapshot(spec, options), budgetBytes);
    long blocksTotal = Math.max(1, (totalSnapshots + perBlock - 1) / perBlock);
    JavaRDD<RowStats> acc = batches.map(new ScoreBlock.Init());
    int block = 0;
    long scored = 0;
    List<Double> blockSeconds = new ArrayList<>();
    while (snapshots.hasNext()) {
      ArrayList<Snapshot> items = new ArrayList<>(perBlock);
      while (snapshots.hasNext() && items.size() < perBlock) {
        items.add(snapshots.next());
      }
      block++;
      if (block > 1) {
        FaultInjection.maybeEvict(jsc, batches, level);
      }
      String what = "dvgs scoring: block " + block + " of " + blocksTotal + " (" + items.size() + " snapshots x " + rows + " rows)";
      jsc.setJobGroup("dvgs-scoring", what, false);
      Broadcast<ArrayList<Snapshot>> bc = jsc.broadcast(items);
      long tb = System.nanoTime();
      JavaRDD<RowStats> next = acc.zipPartitions(batches, new ScoreBlock(bc, spec, options, device, threads, counter)).persist(level);
      next.count();
      acc.unpersist(false);
      bc.unpersist(false);
      acc = next;
      scored += items.size();
      double secs = (System.nanoTime() - tb) / 1e9;
      blockSeconds.add(secs);
      LOG.info("{}: {} s, {} sample-checkpoints/s", what, String.format("%.2f", secs), String.format("%.0f", items.size() * rows / Math.max(secs, 1e-9)));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Result(acc, block, scored, scored * rows, seconds, List.copyOf(blockSeconds));
  }
}
