/**
 * The small numeric primitives every other package shares, each written once: exact AUROC with ties
 * ({@link org.dvgs.core.Auroc}), and means, medians, variances, standard deviations, running (Welford) moments, average
 * ranks and Pearson/Spearman correlation ({@link org.dvgs.core.Stats}); and the plain values rows travel as
 * ({@link org.dvgs.core.CanonicalRow}, {@link org.dvgs.core.DenseRows}), the seeded mixing behind stable row hashes
 * ({@link org.dvgs.core.Mix}) and the user-input error every package throws ({@link org.dvgs.core.InputException}).
 *
 * <p>Plain Java over arrays: this package imports neither Spark nor DJL (nor any other {@code org.dvgs} package), so
 * it can be used on the driver, inside executor functions and in tests alike. Sums run in array order, so a result
 * depends only on its input and its order, never on where it is computed.
 *
 * <p>May import:
 */
package org.dvgs.core;
