/**
 * Valuation methods other than DVGS, run by {@code evaluate} on the same sampled, corrupted and scaled inputs so
 * that their values, metrics and runtimes can be compared side by side.
 *
 * <p>Every method implements {@link org.dvgs.baselines.ValuationMethod} and returns one {@link
 * org.dvgs.baselines.SampleValue} per valid source row; {@link org.dvgs.baselines.MethodValues} turns them into the
 * value-table schema DVGS writes. Methods that need the whole source in memory (leave-one-out, TMC Data Shapley,
 * DVRL) collect it with {@link org.dvgs.baselines.SourceRows}, which refuses sources above
 * {@code dvgs.evaluation.baselines.max-rows}.
 */
package org.dvgs.baselines;
