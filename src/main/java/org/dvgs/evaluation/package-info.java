/**
 * Experiments on values: {@link org.dvgs.evaluation.Corruption} of inputs on purpose, metrics
 * ({@link org.dvgs.evaluation.Auroc}, {@link org.dvgs.evaluation.ValueMetrics},
 * {@link org.dvgs.evaluation.Correlations}, {@link org.dvgs.evaluation.AdjustedRand}), filter-and-retrain
 * ({@link org.dvgs.evaluation.FilterRetrain}, {@link org.dvgs.evaluation.RetrainModels}) and generated data
 * ({@link org.dvgs.evaluation.SyntheticData}).
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.io}, {@code org.dvgs.model}, {@code org.dvgs.spark},
 * {@code org.dvgs.training}.
 */
package org.dvgs.evaluation;
