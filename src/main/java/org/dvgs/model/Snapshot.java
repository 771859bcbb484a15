package org.dvgs.model;

import java.io.Serializable;
import org.dvgs.io.Mix;

/**
 * The model at one checkpoint of driver training: the parameters before an optimizer step and the target batch
 * gradient computed at those parameters (the gradient that step used).
 *
 * @param restart restart index
 * @param iteration optimizer step within the restart (0-based)
 * @param targetLoss target batch loss at this step
 * @param parameters network parameters
 * @param targetGradient gradient of the target batch loss
 * @param classGradients per class, the gradient of the loss over the target-batch rows of that class (the batch
 *     gradient for a class absent from the batch); null when not computed
 */
public record Snapshot(
    int restart, long iteration, double targetLoss, ParameterSet parameters, ParameterSet targetGradient, ParameterSet[] classGradients)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  /** A snapshot without class gradients. */
  public Snapshot(int restart, long iteration, double targetLoss, ParameterSet parameters, ParameterSet targetGradient) {
    this(restart, iteration, targetLoss, parameters, targetGradient, null);
  }

  /** Squared norm of one class's gradient over the given layers (all layers when {@code layers} is null). */
  public double classSquaredNorm(int c, boolean[] layers) {
    double s = 0;
    for (int l = 0; l < classGradients[c].layers(); l++) {
      if (layers == null || layers[l]) {
        s += classGradients[c].squaredNorm(l);
      }
    }
    return s;
  }

  /** Squared norm of the target gradient over the given layers (all layers when {@code layers} is null). */
  public double targetSquaredNorm(boolean[] layers) {
    double s = 0;
    for (int l = 0; l < targetGradient.layers(); l++) {
      if (layers == null || layers[l]) {
        s += targetGradient.squaredNorm(l);
      }
    }
    return s;
  }

  /** Stable 64-bit key of this checkpoint, used to draw per-sample dropout masks. */
  public long key() {
    return Mix.mix(Mix.mix(restart) ^ Mix.mix(iteration + 0x5bd1e995L));
  }
}
