package org.dvgs.scoring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.dvgs.config.AggregationConfig;
import org.dvgs.config.DeviceKind;
import org.dvgs.config.ValueCombine;
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
 * so that a recomputed partition gives the same batches ({@link SourceBatch.Pack}). The {@code value} command runs every
 * block here ({@link #run}); the Spark ML model runs all but the last ({@link #runAllButLast}) and folds the last one
 * into the rows it emits, so both split snapshots into the same blocks and sum in the same order.
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

  /**
   * Scoring with every block but the last one done: the last block is left to a lazy pass of the caller's (so that
   * it can be a stage of the caller's job and emit its own rows), which folds it into {@code stats} with
   * {@link ScoreBlock#fold}, batch by batch, as {@link ScoreBlock} folds every other block.
   *
   * @param stats per-batch row statistics of the blocks scored, aligned with the batches RDD (persisted); null when
   *     the last block is the only one, so the caller starts from {@link RowStats#empty} without a zip
   * @param last the last block, broadcast
   * @param lastWeights the last block's checkpoint weights, one per snapshot ({@code dvgs.aggregation})
   * @param lastCentre with standardisation, the last block's per-snapshot means over all rows; else null
   * @param lastScale with standardisation, the last block's per-snapshot standard deviations; else null
   * @param blocks blocks, the last one included
   * @param snapshots snapshots, those of the last block included
   */
  public record Pending(
      JavaRDD<RowStats> stats, Broadcast<ArrayList<Snapshot>> last, double[] lastWeights, double[] lastCentre, double[] lastScale, int blocks,
      long snapshots) {}

  private ScoringStage() {}

  /** Snapshots per block for a memory budget (at least one), for snapshots with the batch gradient only. */
  public static int snapshotsPerBlock(NetworkSpec spec, long budgetBytes) {
    return snapshotsPerBlock(spec, 1, budgetBytes);
  }

  /**
   * Snapshots per block for a memory budget (at least one).
   *
   * @param gradients parameter-sized gradients each snapshot carries besides its parameters: 1 (the batch gradient),
   *     or 1 + classes with within-class scoring (an upper bound: a class absent from a step's batch stores none),
   *     plus 1 for the preconditioner weights of preconditioned scoring
   */
  public static int snapshotsPerBlock(NetworkSpec spec, int gradients, long budgetBytes) {
    long perSnapshot = (1L + gradients) * 4 * spec.parameterCount() + 64;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / perSnapshot));
  }

  /** Parameter-sized gradients per snapshot under these options (see {@link #snapshotsPerBlock(NetworkSpec, int, long)}). */
  public static int gradientsPerSnapshot(NetworkSpec spec, ScoringOptions options) {
    return (options.withinClass() ? 1 + spec.numClasses() : 1) + (options.preconditioned() ? 1 : 0);
  }

  /**
   * Runs the scoring, counting the sample-checkpoints scored into {@code counter} (see {@link ScoringProgress}) and
   * aggregating under {@code agg} ({@code dvgs.aggregation}): snapshots of weight 0 (burn-in; no loss drop) are not
   * scored, and with standardisation each block is scored twice (its moments first).
   *
   * @param batches persisted source batches
   * @param rows total rows in {@code batches}
   * @param snapshots snapshots in order (restart, iteration)
   * @param totalSnapshots how many {@code snapshots} yields (for progress)
   * @param budgetBytes memory budget of one block
   * @param threads intra-op threads per task
   * @param progress the progress line: tasks count into its counter, and a snapshot found to have weight 0 beyond
   *     the burn-in lowers its total ({@link ScoringProgress#notScored}); or null
   * @param learningRate the training's learning rate (for {@code learning-rate} weighting)
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
      ScoringProgress progress,
      AggregationConfig agg,
      double learningRate) {
    return (Result) scoreBlocks(jsc, batches, rows, spec, options, snapshots, totalSnapshots, budgetBytes, device, threads, level, progress,
        agg, learningRate, false);
  }

  /**
   * As {@link #run}, but the last block is not scored: it is returned broadcast, with the statistics of the blocks
   * before it, for a lazy pass of the caller's. Each block before the last is one Spark job (its statistics
   * persisted at {@code level}); with a single block no job runs.
   *
   * @param batches the source batches; persisted by the caller when there is more than one block (each block's job
   *     reads them again)
   * @param rows rows in {@code batches} for log messages, or -1 when not counted
   * @param agg the checkpoint aggregation ({@code dvgs.aggregation}), as for {@link #run}
   * @param learningRate the training's learning rate (for {@code learning-rate} weighting)
   */
  public static Pending runAllButLast(
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
      AggregationConfig agg,
      double learningRate) {
    return (Pending) scoreBlocks(jsc, batches, rows, spec, options, snapshots, totalSnapshots, budgetBytes, device, threads, level, null,
        agg, learningRate, true);
  }

  /** Blocks for a budget: how many {@link #run} and {@link #runAllButLast} split {@code totalSnapshots} into. */
  public static long blocks(NetworkSpec spec, ScoringOptions options, long totalSnapshots, long budgetBytes) {
    int perBlock = snapshotsPerBlock(spec, gradientsPerSnapshot(spec, options), budgetBytes);
    return Math.max(1, (totalSnapshots + perBlock - 1) / perBlock);
  }

  /** The one loop over blocks: a {@link Result}, or with {@code holdLast} a {@link Pending}. */
  private static Object scoreBlocks(
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
      ScoringProgress progress,
      AggregationConfig agg,
      double learningRate,
      boolean holdLast) {
    LongAccumulator counter = progress == null ? null : progress.counter();
    long t0 = System.nanoTime();
    // The caller's job group is back when scoring returns or fails; each block runs in dvgs's own group.
    JobGroups saved = JobGroups.save(jsc);
    try {
      int perBlock = snapshotsPerBlock(spec, gradientsPerSnapshot(spec, options), budgetBytes);
      long blocksTotal = blocks(spec, options, totalSnapshots, budgetBytes);
      JavaRDD<RowStats> acc = batches.map(new ScoreBlock.Init());
      int block = 0;
      long scored = 0;
      CheckpointWeights weigh = new CheckpointWeights(agg, learningRate);
      List<Double> blockSeconds = new ArrayList<>();
      // Snapshots of weight 0 are dropped one ahead, so that "no snapshot follows" is known when a block is full (the
      // held-back last block) while at most one snapshot beyond the block is in memory.
      // A zero weight beyond the burn-in (loss-drop) is found only here; the progress total, which left out the
      // burn-in from the start, loses those rows as they are found.
      Kept kept = new Kept(snapshots, weigh, progress == null || rows < 0 ? null : () -> progress.notScored(rows));
      while (kept.hasNext()) {
        ArrayList<Snapshot> items = new ArrayList<>(perBlock);
        double[] w = new double[perBlock];
        while (kept.hasNext() && items.size() < perBlock) {
          Snapshot next = kept.next();
          w[items.size()] = kept.weight();
          items.add(next);
        }
        w = java.util.Arrays.copyOf(w, items.size());
        block++;
        boolean heldBack = holdLast && !kept.hasNext();
        if (block > 1 && !heldBack) {
          FaultInjection.maybeEvict(jsc, batches, level);
        }
        String what = "dvgs scoring: block " + block + " of " + blocksTotal + " (" + items.size() + " snapshots x " + (rows < 0 ? "the" : rows) + " rows)";
        jsc.setJobGroup("dvgs-scoring", what, false);
        Broadcast<ArrayList<Snapshot>> bc = jsc.broadcast(items);
        long tb = System.nanoTime();
        double[][] moments = agg.standardise() ? BlockMoments.of(batches, rows, bc, spec, options, device, threads) : new double[2][];
        if (heldBack) {
          weigh.requireWeight();
          return new Pending(block == 1 ? null : acc, bc, w, moments[0], moments[1], block, scored + items.size());
        }
        JavaRDD<RowStats> next =
            acc.zipPartitions(batches, new ScoreBlock(bc, spec, options, device, threads, counter, w, moments[0], moments[1],
                agg.combine() != ValueCombine.NONE)).persist(level);
        next.count();
        acc.unpersist(false);
        bc.unpersist(false);
        acc = next;
        scored += items.size();
        double secs = (System.nanoTime() - tb) / 1e9;
        blockSeconds.add(secs);
        LOG.info("{}: {} s, {} sample-checkpoints/s", what, String.format("%.2f", secs), rows < 0 ? "?" : String.format("%.0f", items.size() * rows / Math.max(secs, 1e-9)));
      }
      weigh.requireWeight();
      if (holdLast) {
        throw new IllegalArgumentException("no snapshots to score");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new Result(acc, block, scored, scored * rows, seconds, List.copyOf(blockSeconds));
    } finally {
      saved.restore();
    }
  }

  /** The snapshots of positive weight, in order, each with its weight; looks one snapshot ahead. */
  private static final class Kept implements Iterator<Snapshot> {
    private final Iterator<Snapshot> all;
    private final CheckpointWeights weigh;
    private Snapshot ahead;
    private double aheadWeight;
    private double weight;
    /** Told of each snapshot of weight 0 that is not a burn-in one, or null. */
    private final Runnable droppedAfterBurnIn;

    Kept(Iterator<Snapshot> all, CheckpointWeights weigh, Runnable droppedAfterBurnIn) {
      this.all = all;
      this.weigh = weigh;
      this.droppedAfterBurnIn = droppedAfterBurnIn;
    }

    @Override
    public boolean hasNext() {
      while (ahead == null && all.hasNext()) {
        Snapshot s = all.next();
        double w = weigh.next(s);
        if (w > 0) {
          ahead = s;
          aheadWeight = w;
        } else if (droppedAfterBurnIn != null && !weigh.lastWasBurnIn()) {
          droppedAfterBurnIn.run();
        }
      }
      return ahead != null;
    }

    @Override
    public Snapshot next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      Snapshot s = ahead;
      weight = aheadWeight;
      ahead = null;
      return s;
    }

    /** The weight of the snapshot {@link #next} returned last. */
    double weight() {
      return weight;
    }
  }
}
