package org.dvgs.scoring;

import java.io.Serializable;
import java.util.List;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.Preconditioner;
import org.dvgs.config.ScoringConfig;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.SimilarityMetric;
import org.dvgs.config.TargetGradient;
import org.dvgs.model.NetworkSpec;

/**
 * What a scoring task needs besides data and snapshots; plain values so it serialises into Spark closures.
 *
 * @param metric similarity measure
 * @param method ghost or naive
 * @param layers which linear layers count (null = all)
 * @param trainModeDropout per-sample dropout masks when computing source gradients
 * @param seed the run seed (dropout mask stream)
 * @param targetGradient compare each row with the batch gradient, or with the gradient of its own label's class
 * @param preconditioner the metric: Euclidean, or Adam's diagonal preconditioner stored with each snapshot
 * @param checkpointBatch ghost path: at most this many snapshots scored in one set of batched products per layer
 *     ({@code dvgs.scoring.checkpoint-batch}); 0 = as many as {@code batchedBytes} allows; 1 = one snapshot at a time
 *     with two-dimensional products (the path before checkpoint batching)
 * @param batchedBytes ghost path: memory budget of one call's batched intermediates ({@code dvgs.scoring.block-memory-mb}),
 *     which bounds the snapshots scored together ({@link SnapshotScorer#snapshotsPerPass})
 */
public record ScoringOptions(
    SimilarityMetric metric,
    ScoringMethod method,
    boolean[] layers,
    boolean trainModeDropout,
    long seed,
    TargetGradient targetGradient,
    Preconditioner preconditioner,
    int checkpointBatch,
    long batchedBytes)
    implements Serializable {
  private static final long serialVersionUID = 4L;

  /** Checks the batching settings. */
  public ScoringOptions {
    if (checkpointBatch < 0) {
      throw new IllegalArgumentException("checkpointBatch must be >= 0, got " + checkpointBatch);
    }
    if (batchedBytes <= 0) {
      throw new IllegalArgumentException("batchedBytes must be > 0, got " + batchedBytes);
    }
    if (preconditioner == Preconditioner.AUTO) {
      // A scorer cannot tell which optimizer trained the snapshots; the configuration resolves auto before this.
      throw new IllegalArgumentException("preconditioner auto must be resolved for the optimizer first (ScoringConfig.resolvedFor)");
    }
  }

  /**
   * Options scoring one snapshot at a time (no checkpoint batching), as every scorer did before checkpoint batching:
   * the reference the batched path is tested against.
   */
  public ScoringOptions(
      SimilarityMetric metric, ScoringMethod method, boolean[] layers, boolean trainModeDropout, long seed, TargetGradient targetGradient,
      Preconditioner preconditioner) {
    this(metric, method, layers, trainModeDropout, seed, targetGradient, preconditioner, 1, Long.MAX_VALUE);
  }

  /** Options in the Euclidean metric. */
  public ScoringOptions(
      SimilarityMetric metric, ScoringMethod method, boolean[] layers, boolean trainModeDropout, long seed, TargetGradient targetGradient) {
    this(metric, method, layers, trainModeDropout, seed, targetGradient, Preconditioner.NONE);
  }

  /** Options comparing every row with the target batch gradient. */
  public ScoringOptions(SimilarityMetric metric, ScoringMethod method, boolean[] layers, boolean trainModeDropout, long seed) {
    this(metric, method, layers, trainModeDropout, seed, TargetGradient.BATCH);
  }

  /** Whether similarities are taken in Adam's preconditioned metric (snapshots must carry its weights). */
  public boolean preconditioned() {
    return preconditioner == Preconditioner.ADAM;
  }

  /** Whether rows are compared with their own class's target gradient. */
  public boolean withinClass() {
    return targetGradient == TargetGradient.WITHIN_CLASS;
  }

  /** Builds the layer mask from a configured list; empty = all layers. */
  public static boolean[] layerMask(List<Integer> layers, int count) {
    if (layers == null || layers.isEmpty()) {
      return null;
    }
    boolean[] mask = new boolean[count];
    for (int l : layers) {
      if (l >= count) {
        throw new ConfigValidationException(
            "dvgs.scoring.layers lists layer " + l + " but the network has " + count + " linear layers (0.." + (count - 1) + ")");
      }
      mask[l] = true;
    }
    return mask;
  }

  /** The same options with the naive (reference) method. */
  public ScoringOptions withMethodNaive() {
    return new ScoringOptions(metric, ScoringMethod.NAIVE, layers, trainModeDropout, seed, targetGradient, preconditioner, checkpointBatch,
        batchedBytes);
  }

  /**
   * The same options with checkpoint batching: at most {@code snapshots} per pass (0 = as many as the budget allows)
   * within {@code bytes} of batched intermediates.
   */
  public ScoringOptions withCheckpointBatch(int snapshots, long bytes) {
    return new ScoringOptions(metric, method, layers, trainModeDropout, seed, targetGradient, preconditioner, snapshots, bytes);
  }

  /**
   * Batched intermediates one pass of {@code checkpoint-batch = auto} may take: it stacks as many snapshots as fit
   * ({@link SnapshotScorer#bytesPerRowAndSnapshot} times the batch size, per snapshot), and scores one snapshot at a
   * time where fewer than two fit. Passes larger than this were slower than passes of a few snapshots on every
   * network measured, as the stacked arrays outgrow the caches, and where a single snapshot's intermediates already
   * exceed half of it the two-dimensional path was as fast or faster (BENCHMARKS.md, "Checkpoint batching: where it
   * pays").
   */
  public static final long AUTO_PASS_BYTES = 32L << 20;

  /**
   * The {@code checkpoint-batch} a scorer uses: the configured one, or for {@code auto}
   * ({@link ScoringConfig#CHECKPOINT_BATCH_AUTO}) the number of snapshots whose batched intermediates at the configured
   * batch size fit {@link #AUTO_PASS_BYTES}, or 1 (one at a time) where that is fewer than two. It depends on the
   * network and the configured batch size only, never on the rows of a particular batch, so a run's values do not
   * depend on how its rows are partitioned.
   */
  public static int resolveCheckpointBatch(int configured, NetworkSpec spec, int batchSize) {
    if (configured != ScoringConfig.CHECKPOINT_BATCH_AUTO) {
      return configured;
    }
    long perSnapshot = SnapshotScorer.bytesPerRowAndSnapshot(spec) * Math.max(batchSize, SnapshotScorer.MIN_BATCH_ROWS);
    long fit = AUTO_PASS_BYTES / perSnapshot;
    return fit >= 2 ? (int) Math.min(fit, Integer.MAX_VALUE) : 1;
  }

  /** A configured {@code checkpoint-batch} as written: {@code auto} or the number. */
  public static String checkpointBatchName(int configured) {
    return configured == ScoringConfig.CHECKPOINT_BATCH_AUTO ? "auto" : Integer.toString(configured);
  }

  /** Whether the ghost path stacks snapshots (false: one snapshot at a time with two-dimensional products). */
  public boolean checkpointBatched() {
    return checkpointBatch != 1;
  }

  public boolean includes(int layer) {
    return layers == null || layers[layer];
  }
}
