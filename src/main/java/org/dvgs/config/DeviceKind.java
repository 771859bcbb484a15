package org.dvgs.config;

/** Compute device selection. Written in configs in kebab case. */
public enum DeviceKind {
  AUTO, CPU, GPU
}
