package org.dvgs.config;

/** Feature scaling. Written in configs in kebab case. */
public enum ScalingMethod {
  NONE, MIN_MAX, Z_SCORE
}
