package org.dvgs.config;

/**
 * Driver training on the target set.
 *
 * @param optimizer Adam or SGD
 * @param learningRate step size
 * @param momentum SGD momentum
 * @param weightDecay L2 penalty added to the gradient used for the step (not to the snapshot gradient)
 * @param batchSize target rows per iteration
 * @param epochs passes over the target per restart
 * @param restarts independent restarts with their own seeds
 * @param snapshotEvery snapshot every T iterations
 * @param checkpointDir where snapshots are persisted ("" = under the output)
 * @param logEvery progress log period in iterations (0 = by time only, see reference.conf)
 * @param intraOpThreads PyTorch intra-op threads of each restart's training thread (0 = the driver's cores shared by
 *     the restarts that train at once)
 * @param restartMode restarts trained together as one stacked network, or each on its own thread; a run of one
 *     restart always trains it alone
 */
public record TrainingConfig(
    OptimizerKind optimizer,
    double learningRate,
    double momentum,
    double weightDecay,
    int batchSize,
    int epochs,
    int restarts,
    int snapshotEvery,
    String checkpointDir,
    int logEvery,
    int intraOpThreads,
    RestartMode restartMode) {

  /** Training with the given intra-op threads and each restart on its own thread ({@link RestartMode#PARALLEL}). */
  public TrainingConfig(
      OptimizerKind optimizer, double learningRate, double momentum, double weightDecay, int batchSize, int epochs,
      int restarts, int snapshotEvery, String checkpointDir, int logEvery, int intraOpThreads) {
    this(optimizer, learningRate, momentum, weightDecay, batchSize, epochs, restarts, snapshotEvery, checkpointDir, logEvery,
        intraOpThreads, RestartMode.PARALLEL);
  }

  /** Training with the derived number of intra-op threads. */
  public TrainingConfig(
      OptimizerKind optimizer, double learningRate, double momentum, double weightDecay, int batchSize, int epochs,
      int restarts, int snapshotEvery, String checkpointDir, int logEvery) {
    this(optimizer, learningRate, momentum, weightDecay, batchSize, epochs, restarts, snapshotEvery, checkpointDir, logEvery, 0);
  }

  static TrainingConfig from(Keys k) {
    return new TrainingConfig(
        k.enumValue("optimizer", OptimizerKind.class),
        k.positive("learning-rate"),
        k.inRange("momentum", 0.0, 1.0, false),
        k.inRange("weight-decay", 0.0, Double.MAX_VALUE, true),
        k.positiveInt("batch-size"),
        k.positiveInt("epochs"),
        k.positiveInt("restarts"),
        k.positiveInt("snapshot-every"),
        k.string("checkpoint-dir").trim(),
        k.nonNegativeInt("log-every"),
        k.nonNegativeInt("intra-op-threads"),
        k.enumValue("restart-mode", RestartMode.class));
  }
}
