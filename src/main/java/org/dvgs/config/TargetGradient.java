package org.dvgs.config;

/** Which target gradient a source row is compared with. */
public enum TargetGradient {
  /** The gradient of the whole target batch (the DVGS paper's choice). */
  BATCH,
  /** The gradient of the target-batch rows of the source row's own class (classifier only). */
  WITHIN_CLASS
}
