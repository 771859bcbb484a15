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
    int logEvery) {

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
        k.nonNegativeInt("log-every"));
  }
}
