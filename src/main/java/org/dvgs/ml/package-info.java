/**
 * The public Spark ML API of dvgs-spark: {@link org.dvgs.ml.DvgsValuation}, an {@code Estimator} that trains the
 * valuation network on a target DataFrame, and {@link org.dvgs.ml.DvgsValuationModel}, the fitted {@code Model}
 * that adds {@code value}, {@code value_std} and {@code n_checkpoints} to any source DataFrame, computed on the
 * executors as the {@code value} command computes them, and that saves to and loads from any Hadoop path.
 * {@link org.dvgs.ml.DvgsValuationSummary} is what a model reports about its training and its last transform.
 *
 * <p>This package sits on top: it may import {@code pipeline} (the training step the command shares),
 * {@code scoring}, {@code training}, {@code model}, {@code io} and {@code config}; nothing in the project imports it
 * except its tests.
 *
 * <p>May import: {@code org.dvgs.aggregation}, {@code org.dvgs.baselines}, {@code org.dvgs.config},
 * {@code org.dvgs.core}, {@code org.dvgs.evaluation}, {@code org.dvgs.io}, {@code org.dvgs.model},
 * {@code org.dvgs.output}, {@code org.dvgs.pipeline}, {@code org.dvgs.scoring}, {@code org.dvgs.spark},
 * {@code org.dvgs.training}.
 */
package org.dvgs.ml;
