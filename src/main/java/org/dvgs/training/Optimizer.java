package org.dvgs.training;

import org.dvgs.config.OptimizerKind;
import org.dvgs.config.TrainingConfig;
import org.dvgs.model.ParameterSet;

/**
 * Adam (PyTorch's defaults: beta1 0.9, beta2 0.999, eps 1e-8, L2 weight decay added to the gradient) or SGD with
 * momentum, updating plain float arrays in place so the step is deterministic and engine independent.
 */
final class Optimizer {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final OptimizerKind kind;
  private final double lr;
  private final double momentum;
  private final double weightDecay;
  private float[][] m;
  private float[][] v;
  private long step;

  Optimizer(TrainingConfig cfg) {
    this.kind = cfg.optimizer();
    this.lr = cfg.learningRate();
    this.momentum = cfg.momentum();
    this.weightDecay = cfg.weightDecay();
  }

  /** Applies one step of {@code grad} to {@code params}. */
  void step(ParameterSet params, ParameterSet grad) {
    int layers = params.layers();
    if (m == null) {
      m = new float[2 * layers][];
      v = new float[2 * layers][];
    }
    step++;
    for (int l = 0; l < layers; l++) {
      update(2 * l, params.weights()[l], grad.weights()[l]);
      update(2 * l + 1, params.biases()[l], grad.biases()[l]);
    }
  }

  private void update(int slot, float[] p, float[] g) {
    if (m[slot] == null) {
      m[slot] = new float[p.length];
      v[slot] = new float[p.length];
    }
    float[] ms = m[slot];
    float[] vs = v[slot];
    if (kind == OptimizerKind.ADAM) {
      double bc1 = 1 - Math.pow(BETA1, step);
      double bc2 = 1 - Math.pow(BETA2, step);
      double stepSize = lr / bc1;
      double sqrtBc2 = Math.sqrt(bc2);
      for (int i = 0; i < p.length; i++) {
        double gi = g[i] + weightDecay * p[i];
        ms[i] = (float) (BETA1 * ms[i] + (1 - BETA1) * gi);
        vs[i] = (float) (BETA2 * vs[i] + (1 - BETA2) * gi * gi);
        double denom = Math.sqrt(vs[i]) / sqrtBc2 + EPS;
        p[i] = (float) (p[i] - stepSize * ms[i] / denom);
      }
    } else {
      for (int i = 0; i < p.length; i++) {
        double gi = g[i] + weightDecay * p[i];
        if (momentum > 0) {
          ms[i] = (float) (momentum * ms[i] + gi);
          gi = ms[i];
        }
        p[i] = (float) (p[i] - lr * gi);
      }
    }
  }
}
