/**
 * Data uniqueness by gradient similarity (the {@code unique} command, {@link org.dvgs.uniqueness.UniqueJob}, and its
 * benchmark {@link org.dvgs.uniqueness.UniqueBench}): each row's loss gradient over the last layers projected to
 * a few dimensions ({@link org.dvgs.uniqueness.KroneckerProjection}, {@link org.dvgs.uniqueness.GradientProjector},
 * {@link org.dvgs.uniqueness.ProjectRows}, giving {@link org.dvgs.uniqueness.ProjectedRow}s), and the greedy choice
 * of rows unlike every row kept so far ({@link org.dvgs.uniqueness.UniqueSelection},
 * {@link org.dvgs.uniqueness.KeptSet}). Its report page is in {@code org.dvgs.report}, which reads the manifest.
 *
 * <p>May import: {@code org.dvgs.aggregation}, {@code org.dvgs.config}, {@code org.dvgs.core},
 * {@code org.dvgs.evaluation}, {@code org.dvgs.io}, {@code org.dvgs.model}, {@code org.dvgs.output},
 * {@code org.dvgs.pipeline}, {@code org.dvgs.scoring}, {@code org.dvgs.spark}, {@code org.dvgs.training}.
 */
package org.dvgs.uniqueness;
