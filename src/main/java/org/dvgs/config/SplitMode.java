package org.dvgs.config;

/** How one table is split into target and source. Written in configs in kebab case. */
public enum SplitMode {
  NONE, FRACTION, COLUMN
}
