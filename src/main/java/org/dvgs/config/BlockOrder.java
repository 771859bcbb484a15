package org.dvgs.config;

/**
 * Order of the operations inside a hidden block after its linear layer. Written in configs in kebab case:
 * {@code norm-act-dropout} or {@code dropout-act-norm} (the DVGS authors' order).
 */
public enum BlockOrder {
  NORM_ACT_DROPOUT, DROPOUT_ACT_NORM
}
