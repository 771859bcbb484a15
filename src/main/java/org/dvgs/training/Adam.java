package org.dvgs.training;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam with PyTorch's defaults and arithmetic ({@code torch.optim.Adam}: beta1 0.9, beta2 0.999, eps 1e-8, L2
 * weight decay added to the gradient, eps added after the bias-corrected square root), on plain float arrays.
 * The moments are kept in float like PyTorch's; each element's update is computed in double and rounded once, so a
 * step is the same on every engine and device.
 *
 * <p>Parameters are addressed by a slot number chosen by the caller (e.g. {@code 2 * layer} for weights and
 * {@code 2 * layer + 1} for biases); a slot's moments are created, zero, on its first update. One step is
 * {@link #nextStep()} followed by {@link #update} of every slot; the bias correction follows the step count.
 * Not thread-safe.
 */
public final class Adam {
  /** Decay of the first moment. */
  public static final double BETA1 = 0.9;
  /** Decay of the second moment. */
  public static final double BETA2 = 0.999;
  /** Added to the bias-corrected root of the second moment. */
  public static final double EPS = 1e-8;

  private final double lr;
  private final double weightDecay;
  private final List<float[]> m = new ArrayList<>();
  private final List<float[]> v = new ArrayList<>();
  private long step;
  private double stepSize;
  private double sqrtBc2;

  /**
   * @param lr learning rate
   * @param weightDecay L2 coefficient added to the gradient ({@code g + weightDecay * p}); 0 for none
   */
  public Adam(double lr, double weightDecay) {
    this.lr = lr;
    this.weightDecay = weightDecay;
  }

  /** Starts the next step: the updates that follow use its bias correction. */
  public void nextStep() {
    step++;
    stepSize = lr / (1 - Math.pow(BETA1, step));
    sqrtBc2 = Math.sqrt(1 - Math.pow(BETA2, step));
  }

  /** Steps taken so far. */
  public long steps() {
    return step;
  }

  /**
   * The diagonal preconditioner of slot {@code slot} in the current step, {@code 1 / (sqrt(v_hat) + eps)} with
   * {@code v_hat} the bias-corrected second moment after this step's update: per element, the factor the step
   * multiplied its bias-corrected first moment by (before the learning rate). Computed in double from the float
   * moment exactly as {@link #update} computes its denominator, and rounded once.
   *
   * @throws IllegalStateException when the slot has not been updated in any step yet
   */
  public float[] preconditioner(int slot) {
    if (slot >= v.size() || v.get(slot) == null) {
      throw new IllegalStateException("Adam slot " + slot + " has no second moment yet");
    }
    float[] vs = v.get(slot);
    float[] out = new float[vs.length];
    for (int i = 0; i < vs.length; i++) {
      out[i] = (float) (1.0 / (Math.sqrt(vs[i]) / sqrtBc2 + EPS));
    }
    return out;
  }

  /**
   * Updates {@code p} in place from its gradient {@code g} in the current step.
   *
   * @param slot which parameter this is (the same slot must always get arrays of the same length)
   * @throws IllegalStateException before the first {@link #nextStep()}
   */
  public void update(int slot, float[] p, float[] g) {
    if (step == 0) {
      throw new IllegalStateException("Adam.update before the first nextStep()");
    }
    if (p.length != g.length) {
      throw new IllegalArgumentException("slot " + slot + ": " + p.length + " parameters and " + g.length + " gradients");
    }
    while (m.size() <= slot) {
      m.add(null);
      v.add(null);
    }
    float[] ms = m.get(slot);
    float[] vs = v.get(slot);
    if (ms == null) {
      ms = new float[p.length];
      vs = new float[p.length];
      m.set(slot, ms);
      v.set(slot, vs);
    } else if (ms.length != p.length) {
      throw new IllegalArgumentException("slot " + slot + " had " + ms.length + " parameters, now " + p.length);
    }
    for (int i = 0; i < p.length; i++) {
      double gi = g[i] + weightDecay * p[i];
      ms[i] = (float) (BETA1 * ms[i] + (1 - BETA1) * gi);
      vs[i] = (float) (BETA2 * vs[i] + (1 - BETA2) * gi * gi);
      double denom = Math.sqrt(vs[i]) / sqrtBc2 + EPS;
      p[i] = (float) (p[i] - stepSize * ms[i] / denom);
    }
  }
}
