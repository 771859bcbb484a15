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
  private final LongAccumulator scored;
  private final double[] weights;
  private final double[] centre;
  private final double[] scale;
  private final boolean ownLoss;

  /** Scores the block's snapshots against every batch of a partition. */
  public ScoreBlock(Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options, DeviceKind device, int threads) {
    this(block, spec, options, device, threads, null);
  }

  /**
   * As above, counting progress.
   *
   * @param scored receives the sample-checkpoints scored, batch by batch (see {@link ScoringProgress}); or null
   */
  public ScoreBlock(
      Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options, DeviceKind device, int threads,
      LongAccumulator scored) {
    this(block, spec, options, device, threads, scored, null, null, null, false);
  }

  /**
   * As above, with the block's checkpoint weights and standardisation ({@code dvgs.aggregation}).
   *
   * @param weights one per snapshot of the block (null = unit weights)
   * @param centre with {@code scale}, each snapshot's similarities become {@code (s - centre) / scale} (0 where
   *     the scale is 0) before they are folded; both null = raw similarities
   * @param ownLoss whether each row's own loss is folded in too (only a combination with the loss reads it)
   */
  public ScoreBlock(
      Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options, DeviceKind device, int threads,
      LongAccumulator scored, double[] weights, double[] centre, double[] scale, boolean ownLoss) {
    this.ownLoss = ownLoss;
    this.weights = weights;
    this.centre = centre;
    this.scale = scale;
    this.block = block;
    this.spec = spec;
    this.options = options;
    this.device = device;
    this.threads = threads;
    this.scored = scored;
  }

  @Override
  public Iterator<RowStats> call(Iterator<RowStats> stats, Iterator<SourceBatch> batches) {
    List<RowStats> out = new ArrayList<>();
    try (SnapshotScorer scorer = open(spec, block.value(), options, device, threads)) {
      while (batches.hasNext()) {
        SourceBatch b = batches.next();
        if (!stats.hasNext()) {
          throw new IllegalStateException("row statistics and source batches are out of step");
        }
        RowStats s = stats.next();
        s.check(b, "scoring, partition " + partition());
        if (ownLoss) {
          SnapshotScorer.Scores sc = scorer.scoreWithLosses(b.features(), b.labels(), b.keys(), b.rows());
          out.add(s.add(standardise(sc.similarities(), centre, scale), sc.losses(), weights));
        } else {
          out.add(s.add(standardise(scorer.score(b.features(), b.labels(), b.keys(), b.rows()), centre, scale), null, weights));
        }
        if (scored != null) {
          scored.add((long) b.rows() * block.value().size());
        }
      }
    }
    if (stats.hasNext()) {
      throw new IllegalStateException("scoring, partition " + partition() + ": more row statistics than source batches");
    }
    // After the work, so that a drill also checks that a retried task's partial results are discarded.
    FaultInjection.maybeFail("scoring");
    return out.iterator();
  }

  /**
   * Opens a scorer in a task: sets the task's PyTorch intra-op threads and uploads the snapshots to the device
   * Spark assigned to the task (or the configured kind). Every executor-side scoring path opens its scorer here.
   */
  public static SnapshotScorer open(NetworkSpec spec, List<Snapshot> snapshots, ScoringOptions options, DeviceKind device, int threads) {
    Engines.threads(threads);
    return new SnapshotScorer(spec, snapshots, options, Engines.device(device, assignedGpu()));
  }

  /**
   * Scores one batch of rows against the scorer's snapshots and folds the similarities into the rows' running
   * statistics (and the rows' own losses) in snapshot order: the one place where similarities become values, so that every scoring path sums
   * in the same order and gives the same values bit for bit.
   */
  public static RowStats fold(RowStats stats, SnapshotScorer scorer, float[] features, float[] labels, long[] keys, int rows) {
    return fold(stats, scorer, features, labels, keys, rows, null, null, null);
  }

  /**
   * As {@link #fold(RowStats, SnapshotScorer, float[], float[], long[], int)}, with the block's checkpoint weights and
   * standardisation ({@code dvgs.aggregation}; see {@link ScoringStage.Pending}): the same arithmetic as the
   * command's blocks.
   */
  public static RowStats fold(
      RowStats stats, SnapshotScorer scorer, float[] features, float[] labels, long[] keys, int rows, double[] weights, double[] centre,
      double[] scale) {
    // A batch may hold no valid rows (the Spark ML model keeps a partition's invalid rows in batches of their own).
    if (rows == 0) {
      return stats;
    }
    // The Spark ML model refuses a combination with the loss, so the own losses are not needed here.
    return stats.add(standardise(scorer.score(features, labels, keys, rows), centre, scale), null, weights);
  }

  /** Standardises {@code sims[snapshot][row]} in place by each snapshot's centre and scale (nulls: unchanged). */
  static double[][] standardise(double[][] sims, double[] centre, double[] scale) {
    if (centre == null) {
      return sims;
    }
    for (int k = 0; k < sims.length; k++) {
      double[] s = sims[k];
      for (int i = 0; i < s.length; i++) {
        s[i] = scale[k] > 0 ? (s[i] - centre[k]) / scale[k] : 0.0;
      }
    }
    return sims;
  }

  /** The partition of the running task, for messages ("?" outside a task). */
  static String partition() {
    TaskContext tc = TaskContext.get();
    return tc == null ? "?" : String.valueOf(tc.partitionId());
  }

  /** The GPU Spark assigned to this task (spark.task.resource.gpu.amount), or -1. */
  public static int assignedGpu() {
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
