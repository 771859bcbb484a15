/**
 * Driver-side training of the network on the target set: {@link org.dvgs.training.TargetTrainer} and its
 * optimisers, {@link org.dvgs.training.TrainingStage} (every restart, stacked into one network or in parallel, reusing
 * snapshots that verify),
 * {@link org.dvgs.training.TrainingProgress} (the console progress line) and
 * {@link org.dvgs.training.SnapshotStore} (the checkpoint files).
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.model}, {@code org.dvgs.output}.
 */
package org.dvgs.training;
