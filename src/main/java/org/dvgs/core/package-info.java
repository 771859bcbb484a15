/**
 * The small numeric primitives every other package shares, each written once: exact AUROC with ties
 * ({@link org.dvgs.core.Auroc}), and means, medians, variances, standard deviations, running (Welford) moments, average
 * ranks and Pearson/Spearman correlation ({@link org.dvgs.core.Stats}).
 *
 * <p>Plain Java over arrays: this package imports neither Spark nor DJL (nor any other {@code org.dvgs} package), so
 * it can be used on the driver, inside executor functions and in tests alike. Sums run in array order, so a result
 * depends only on its input and its order, never on where it is computed.
 */
package org.dvgs.core;
