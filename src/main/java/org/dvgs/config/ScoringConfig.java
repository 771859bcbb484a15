package org.dvgs.config;

import java.util.List;

/**
 * Executor scoring of the source set.
 *
 * @param similarity the similarity measure
 * @param method ghost (batched) or naive (per-sample autograd)
 * @param layers 0-based linear layers included in the similarity; empty = all
 * @param batchSize source rows per batch
 * @param trainModeDropout source gradients with per-sample dropout masks instead of dropout off
 * @param blockMemoryMb memory budget of one broadcast block of snapshots
 * @param partitions source partitions (0 = as read)
 * @param intraOpThreads PyTorch threads per task (0 = cores / task slots)
 * @param storageLevel Spark storage level name for the persisted source
 * @param targetGradient the target batch gradient, or per class the gradient over the batch rows of that class
 * @param progressIntervalS seconds between two progress lines while scoring and aggregation run
 * @param preconditioner the metric of the similarity: Euclidean, or Adam's diagonal preconditioner at the snapshot
 *     ({@code auto} until {@link #resolvedFor} has resolved it; a built {@link DvgsConfig} holds the resolved one)
 * @param checkpointBatch ghost scoring: at most this many snapshots per set of batched products (0 = as many as
 *     {@code block-memory-mb} allows for the intermediates; 1 = one snapshot at a time, two-dimensional products;
 *     {@link #CHECKPOINT_BATCH_AUTO} = chosen per network and batch size when scoring is set up)
 */
public record ScoringConfig(
    SimilarityMetric similarity,
    ScoringMethod method,
    List<Integer> layers,
    int batchSize,
    boolean trainModeDropout,
    int blockMemoryMb,
    int partitions,
    int intraOpThreads,
    String storageLevel,
    TargetGradient targetGradient,
    double progressIntervalS,
    Preconditioner preconditioner,
    int checkpointBatch) {

  /**
   * {@code checkpoint-batch = auto} (the default): how many snapshots to stack, if any, is chosen from the network's
   * size at the batch size when scoring is set up.
   */
  public static final int CHECKPOINT_BATCH_AUTO = -1;

  static ScoringConfig from(Keys k) {
    ScoringConfig s =
        new ScoringConfig(
            k.enumValue("similarity", SimilarityMetric.class),
            k.enumValue("method", ScoringMethod.class),
            k.ints("layers"),
            k.positiveInt("batch-size"),
            k.bool("train-mode-dropout"),
            k.positiveInt("block-memory-mb"),
            k.nonNegativeInt("partitions"),
            k.nonNegativeInt("intra-op-threads"),
            k.string("storage-level").trim().toUpperCase(java.util.Locale.ROOT),
            k.enumValue("target-gradient", TargetGradient.class),
            k.seconds("progress-interval"),
            k.enumValue("preconditioner", Preconditioner.class),
            checkpointBatch(k));
    if (!(s.progressIntervalS > 0)) {
      throw new ConfigValidationException(k.full("progress-interval") + " must be > 0, got " + s.progressIntervalS + " s");
    }
    for (int i = 0; i < s.layers.size(); i++) {
      if (s.layers.get(i) < 0) {
        throw new ConfigValidationException(k.full("layers") + "[" + i + "] must be >= 0, got " + s.layers.get(i));
      }
    }
    if (s.layers.stream().distinct().count() != s.layers.size()) {
      throw new ConfigValidationException(k.full("layers") + " lists a layer twice: " + s.layers);
    }
    List<String> levels =
        List.of("MEMORY_ONLY", "MEMORY_ONLY_SER", "MEMORY_AND_DISK", "MEMORY_AND_DISK_SER", "DISK_ONLY", "OFF_HEAP");
    if (!levels.contains(s.storageLevel)) {
      throw new ConfigValidationException(k.full("storage-level") + " = " + s.storageLevel + " is not one of " + levels);
    }
    return s;
  }

  /** {@code checkpoint-batch}: {@code auto} or a whole number >= 0. */
  private static int checkpointBatch(Keys k) {
    String v = k.string("checkpoint-batch").trim();
    if (v.equalsIgnoreCase("auto")) {
      return CHECKPOINT_BATCH_AUTO;
    }
    if (!v.matches("[+-]?[0-9]+(\\.[0-9]+)?")) {
      throw new ConfigValidationException(k.full("checkpoint-batch") + " must be auto or a whole number >= 0, got '" + v + "'");
    }
    return k.nonNegativeInt("checkpoint-batch");
  }

  /**
   * Checks the scoring settings that depend on the model: a within-class target gradient needs classes.
   *
   * @throws ConfigValidationException naming {@code dvgs.scoring.target-gradient}
   */
  void requireCompatible(ModelConfig model) {
    if (targetGradient == TargetGradient.WITHIN_CLASS && model.task() != Task.CLASSIFIER) {
      throw new ConfigValidationException(
          DvgsConfig.ROOT + ".scoring.target-gradient = within-class needs class labels (dvgs.model.task = classifier), got "
              + "dvgs.model.task = " + Keys.kebab(model.task()) + "; use target-gradient = batch");
    }
  }

  /**
   * These settings with {@code preconditioner = auto} resolved for the target's optimizer: Adam's metric when it is
   * trained with Adam, the Euclidean one otherwise (an explicit {@code none} or {@code adam} stays as it is).
   */
  public ScoringConfig resolvedFor(TrainingConfig training) {
    Preconditioner p = preconditioner.resolve(training.optimizer());
    if (p == preconditioner) {
      return this;
    }
    return new ScoringConfig(similarity, method, layers, batchSize, trainModeDropout, blockMemoryMb, partitions, intraOpThreads, storageLevel,
        targetGradient, progressIntervalS, p, checkpointBatch);
  }

  /**
   * Checks the scoring settings that depend on training: the Adam preconditioner needs Adam's second moment.
   *
   * @throws ConfigValidationException naming {@code dvgs.scoring.preconditioner}
   */
  void requireCompatible(TrainingConfig training) {
    if (preconditioner == Preconditioner.ADAM && training.optimizer() != OptimizerKind.ADAM) {
      throw new ConfigValidationException(
          DvgsConfig.ROOT + ".scoring.preconditioner = adam needs Adam's second moment (dvgs.training.optimizer = adam), got "
              + "dvgs.training.optimizer = " + Keys.kebab(training.optimizer()) + "; use preconditioner = none");
    }
  }
}
