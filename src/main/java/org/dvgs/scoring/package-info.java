/**
 * Executor-side scoring: source rows packed into {@link org.dvgs.scoring.SourceBatch}es, scored against the
 * broadcast snapshots by {@link org.dvgs.scoring.SnapshotScorer} ("ghost" gradient products, no per-sample
 * gradients) with the {@link org.dvgs.scoring.Similarities}, per block ({@link org.dvgs.scoring.ScoreBlock}) and per
 * stage ({@link org.dvgs.scoring.ScoringStage}), with {@link org.dvgs.scoring.RowStats} per row and
 * {@link org.dvgs.scoring.FaultInjection} for fault drills.
 *
 * <p>Never imports {@code org.dvgs.training}: executors need the snapshots, not the trainer.
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.io}, {@code org.dvgs.model}, {@code org.dvgs.spark}.
 */
package org.dvgs.scoring;
