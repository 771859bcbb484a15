package org.dvgs.config;

/** Hidden-layer activation. Written in configs in kebab case. */
public enum ActivationKind {
  RELU, MISH, TANH
}
