package org.dvgs.config;

/**
 * How one table is split into target and source. Written in configs in kebab case. {@code GROUP_BALANCED}: a
 * held-out test fraction is set aside, the target is sampled from the rest with weights 1 / (rows of the row's
 * group), and the source is what remains.
 */
public enum SplitMode {
  NONE, FRACTION, COLUMN, GROUP_BALANCED
}
