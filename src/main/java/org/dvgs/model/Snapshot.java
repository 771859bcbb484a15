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
 */
public record Snapshot(int restart, long iteration, double targetLoss, ParameterSet parameters, ParameterSet targetGradient)
    implements Serializable {
  private static final long serialVersionUID = 1L;

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
