package org.dvgs.config;

/**
 * How per-sample similarities are computed: batched ghost products (exact, no per-sample gradient), or
 * per-sample autograd (the reference, slow). Written in configs in kebab case.
 */
public enum ScoringMethod {
  GHOST, NAIVE
}
