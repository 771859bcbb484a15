package org.dvgs.config;

/**
 * How the similarities of a row at the checkpoints are weighted into its value ({@code dvgs.aggregation.weighting}):
 * {@code mean} (every checkpoint weighs the same, the DVGS paper), {@code learning-rate} (each checkpoint weighs the
 * learning rate of its optimizer step, as in TracIn; with a constant learning rate this is the mean), or
 * {@code loss-drop} (each checkpoint weighs how much the target loss fell since the previous snapshot of the same
 * restart, clipped at 0; a restart's first kept snapshot weighs 0).
 */
public enum CheckpointWeighting {
  MEAN, LEARNING_RATE, LOSS_DROP
}
