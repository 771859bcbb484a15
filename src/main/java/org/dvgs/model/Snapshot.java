package org.dvgs.model;

import java.io.Serializable;
import org.dvgs.core.Mix;

/**
 * The model at one checkpoint of driver training: the parameters before an optimizer step and the target batch
 * gradient computed at those parameters (the gradient that step used), optionally with one target gradient per
 * class for within-class scoring.
 *
 * @param restart restart index
 * @param iteration optimizer step within the restart (0-based)
 * @param targetLoss target batch loss at this step
 * @param parameters network parameters
 * @param targetGradient gradient of the target batch loss
 * @param classGradients null when only the batch gradient was kept; otherwise one entry per class: the gradient of
 *     the loss over the batch rows of that class, or null when the batch had no row of that class
 * @param preconditioner null unless kept for preconditioned scoring: Adam's diagonal preconditioner of this step,
 *     {@code 1 / (sqrt(v_hat) + eps)} per parameter, with {@code v_hat} the bias-corrected second moment after this
 *     step's gradient entered it (the weights the step divided its update by)
 */
public record Snapshot(
    int restart,
    long iteration,
    double targetLoss,
    ParameterSet parameters,
    ParameterSet targetGradient,
    ParameterSet[] classGradients,
    ParameterSet preconditioner)
    implements Serializable {
  private static final long serialVersionUID = 3L;

  /** A snapshot without preconditioner weights. */
  public Snapshot(
      int restart, long iteration, double targetLoss, ParameterSet parameters, ParameterSet targetGradient, ParameterSet[] classGradients) {
    this(restart, iteration, targetLoss, parameters, targetGradient, classGradients, null);
  }

  /** A snapshot with the batch gradient only. */
  public Snapshot(int restart, long iteration, double targetLoss, ParameterSet parameters, ParameterSet targetGradient) {
    this(restart, iteration, targetLoss, parameters, targetGradient, null);
  }

  /** Whether Adam's preconditioner weights were kept. */
  public boolean hasPreconditioner() {
    return preconditioner != null;
  }

  /** This snapshot with the given preconditioner weights. */
  public Snapshot withPreconditioner(ParameterSet weights) {
    return new Snapshot(restart, iteration, targetLoss, parameters, targetGradient, classGradients, weights);
  }

  /**
   * Squared norm of {@code g} in the metric of the preconditioner weights, {@code sum P o g o g}, over the given
   * layers (all when {@code layers} is null).
   */
  public double preconditionedSquaredNorm(ParameterSet g, boolean[] layers) {
    double s = 0;
    for (int l = 0; l < g.layers(); l++) {
      if (layers == null || layers[l]) {
        s += weightedSquares(g.weights()[l], preconditioner.weights()[l]) + weightedSquares(g.biases()[l], preconditioner.biases()[l]);
      }
    }
    return s;
  }

  private static double weightedSquares(float[] v, float[] w) {
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      s += (double) w[i] * v[i] * v[i];
    }
    return s;
  }

  /** Whether per-class gradients were kept. */
  public boolean hasClassGradients() {
    return classGradients != null;
  }

  /**
   * The target gradient a row of class {@code c} is compared with under within-class scoring: the class gradient,
   * or the batch gradient when the batch had no row of class {@code c} (or {@code c} is out of range).
   */
  public ParameterSet gradientForClass(int c) {
    if (classGradients == null || c < 0 || c >= classGradients.length || classGradients[c] == null) {
      return targetGradient;
    }
    return classGradients[c];
  }

  /** Squared norm of the target gradient over the given layers (all layers when {@code layers} is null). */
  public double targetSquaredNorm(boolean[] layers) {
    return squaredNorm(targetGradient, layers);
  }

  /** Squared norm of {@link #gradientForClass(int)} over the given layers (all when {@code layers} is null). */
  public double classSquaredNorm(int c, boolean[] layers) {
    return squaredNorm(gradientForClass(c), layers);
  }

  private static double squaredNorm(ParameterSet g, boolean[] layers) {
    double s = 0;
    for (int l = 0; l < g.layers(); l++) {
      if (layers == null || layers[l]) {
        s += g.squaredNorm(l);
      }
    }
    return s;
  }

  /** Stable 64-bit key of this checkpoint, used to draw per-sample dropout masks. */
  public long key() {
    return Mix.mix(Mix.mix(restart) ^ Mix.mix(iteration + 0x5bd1e995L));
  }
}
