package org.dvgs.training;

import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent with optional heavy-ball momentum and L2 weight decay, as {@code torch.optim.SGD}
 * (no dampening, no Nesterov), on plain float arrays addressed by slot like {@link Adam}.
 */
final class Sgd {
  private final double lr;
  private final double momentum;
  private final double weightDecay;
  private final List<float[]> buf = new ArrayList<>();

  Sgd(double lr, double momentum, double weightDecay) {
    this.lr = lr;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  /** Updates {@code p} in place from its gradient {@code g}. */
  void update(int slot, float[] p, float[] g) {
    while (buf.size() <= slot) {
      buf.add(null);
    }
    float[] b = buf.get(slot);
    if (b == null) {
      b = new float[p.length];
      buf.set(slot, b);
    }
    for (int i = 0; i < p.length; i++) {
      double gi = g[i] + weightDecay * p[i];
      if (momentum > 0) {
        b[i] = (float) (momentum * b[i] + gi);
        gi = b[i];
      }
      p[i] = (float) (p[i] - lr * gi);
    }
  }
}
