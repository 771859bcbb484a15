package org.dvgs.config;

/** Rows the scaler is fitted on. Written in configs in kebab case. */
public enum ScalingFit {
  TARGET, TARGET_AND_SOURCE
}
