/**
 * The commands' orchestration: {@link org.dvgs.pipeline.ValuationJob} (the {@code value} command: load, train,
 * score, aggregate, write), {@link org.dvgs.pipeline.EvaluateRun}, {@link org.dvgs.pipeline.BenchRun} and
 * {@link org.dvgs.pipeline.DemoRun}, with {@link org.dvgs.pipeline.Sessions} (the Spark session) and
 * {@link org.dvgs.pipeline.TaskAttempts} (failed task attempts per stage, for the manifest).
 *
 * <p>Commands built on the valuation ({@code org.dvgs.l1000}, {@code org.dvgs.uniqueness}) import this package,
 * never the other way round.
 *
 * <p>May import: {@code org.dvgs.aggregation}, {@code org.dvgs.baselines}, {@code org.dvgs.config},
 * {@code org.dvgs.core}, {@code org.dvgs.evaluation}, {@code org.dvgs.io}, {@code org.dvgs.model},
 * {@code org.dvgs.output}, {@code org.dvgs.scoring}, {@code org.dvgs.spark}, {@code org.dvgs.training}.
 */
package org.dvgs.pipeline;
