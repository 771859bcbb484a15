/**
 * Small helpers over Spark's driver-side API that several packages share: {@link org.dvgs.spark.JobGroups} saves
 * the calling thread's job group before a stage sets its own and puts it back afterwards; {@link org.dvgs.spark.SideBySide} runs driver-side work on a few threads that keep
 * the caller's job group.
 *
 * <p>Imports Spark only (no other {@code org.dvgs} package), so that both the executor-side stages of {@code scoring}
 * and the orchestration of {@code pipeline} can use it without an import cycle.
 *
 * <p>May import:
 */
package org.dvgs.spark;
