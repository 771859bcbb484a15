package org.dvgs.config;

/**
 * The metric in which a source row's gradient is compared with the target gradient: the plain Euclidean one
 * ({@code none}, the DVGS paper's), or Adam's diagonal preconditioner at the snapshot ({@code adam}): every
 * parameter weighted by {@code 1 / (sqrt(v_hat) + eps)}, with {@code v_hat} Adam's bias-corrected second moment
 * in the step the snapshot was taken at. {@code auto} (the default) is Adam's metric when the target is trained
 * with Adam and the Euclidean one otherwise; it is resolved once, when the configuration is built
 * ({@link #resolve}), so that a built {@link DvgsConfig} only ever holds {@code none} or {@code adam} and a run
 * with {@code training.optimizer = sgd} needs no scoring key of its own. Written in configs in kebab case.
 */
public enum Preconditioner {
  NONE, ADAM, AUTO;

  /** This setting for a target trained with {@code optimizer}: {@code auto} becomes {@code adam} or {@code none}. */
  public Preconditioner resolve(OptimizerKind optimizer) {
    if (this != AUTO) {
      return this;
    }
    return optimizer == OptimizerKind.ADAM ? ADAM : NONE;
  }
}
