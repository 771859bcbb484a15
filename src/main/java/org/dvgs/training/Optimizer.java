package org.dvgs.training;

import org.dvgs.config.OptimizerKind;
import org.dvgs.config.TrainingConfig;
import org.dvgs.model.ParameterSet;

/**
 * The configured optimiser ({@link Adam} or {@link Sgd}) over a network's parameters: layer {@code l}'s weights
 * are slot {@code 2 l}, its biases slot {@code 2 l + 1}. Plain float arrays are updated in place, so the step is
 * deterministic and engine independent.
 */
final class Optimizer {
  private final Adam adam;
  private final Sgd sgd;
  private int slotsLayers;

  Optimizer(TrainingConfig cfg) {
    if (cfg.optimizer() == OptimizerKind.ADAM) {
      adam = new Adam(cfg.learningRate(), cfg.weightDecay());
      sgd = null;
    } else {
      adam = null;
      sgd = new Sgd(cfg.learningRate(), cfg.momentum(), cfg.weightDecay());
    }
  }

  /** Applies one step of {@code grad} to {@code params}. */
  void step(ParameterSet params, ParameterSet grad) {
    if (adam != null) {
      adam.nextStep();
    }
    slotsLayers = params.layers();
    for (int l = 0; l < params.layers(); l++) {
      update(2 * l, params.weights()[l], grad.weights()[l]);
      update(2 * l + 1, params.biases()[l], grad.biases()[l]);
    }
  }

  /**
   * Adam's diagonal preconditioner after the last {@link #step} (see {@link Adam#preconditioner}), per layer in the
   * parameter layout.
   *
   * @throws IllegalStateException with SGD, which has none
   */
  ParameterSet preconditioner() {
    if (adam == null) {
      throw new IllegalStateException("SGD keeps no second moment to precondition with");
    }
    int layers = adam.steps() == 0 ? 0 : slotsLayers;
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = adam.preconditioner(2 * l);
      b[l] = adam.preconditioner(2 * l + 1);
    }
    return new ParameterSet(w, b);
  }

  private void update(int slot, float[] p, float[] g) {
    if (adam != null) {
      adam.update(slot, p, g);
    } else {
      sgd.update(slot, p, g);
    }
  }
}
