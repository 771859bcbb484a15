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
    for (int l = 0; l < params.layers(); l++) {
      update(2 * l, params.weights()[l], grad.weights()[l]);
      update(2 * l + 1, params.biases()[l], grad.biases()[l]);
    }
  }

  private void update(int slot, float[] p, float[] g) {
    if (adam != null) {
      adam.update(slot, p, g);
    } else {
      sgd.update(slot, p, g);
    }
  }
}
