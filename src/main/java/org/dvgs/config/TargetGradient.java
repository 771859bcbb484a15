package org.dvgs.config;

/**
 * Which target gradient a source row is compared with at each checkpoint: the gradient of the whole target batch
 * (the DVGS default), or, for a classifier, the gradient of the loss over the target-batch rows of the row's own
 * class ({@code within-class}). Written in configs in kebab case.
 */
public enum TargetGradient {
  BATCH, WITHIN_CLASS
}
