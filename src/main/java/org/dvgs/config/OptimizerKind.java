package org.dvgs.config;

/** Driver optimizer. Written in configs in kebab case. */
public enum OptimizerKind {
  ADAM, SGD
}
