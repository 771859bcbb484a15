package org.dvgs.config;

/**
 * The metric in which a source row's gradient is compared with the target gradient: the plain Euclidean one
 * ({@code none}, the DVGS paper's), or Adam's diagonal preconditioner at the snapshot ({@code adam}): every
 * parameter weighted by {@code 1 / (sqrt(v_hat) + eps)}, with {@code v_hat} Adam's bias-corrected second moment
 * in the step the snapshot was taken at. Written in configs in kebab case.
 */
public enum Preconditioner {
  NONE, ADAM
}
