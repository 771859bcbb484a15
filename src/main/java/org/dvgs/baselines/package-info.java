/**
 * Valuation methods other than DVGS, run by {@code evaluate} on the same sampled, corrupted and scaled inputs so
 * that their values, metrics and runtimes can be compared side by side, and the contract every method of an
 * experiment follows, DVGS included.
 *
 * <p>Every method implements {@link org.dvgs.baselines.ValuationMethod} and returns one {@link
 * org.dvgs.baselines.SampleValue} per valid source row; {@link org.dvgs.baselines.MethodValues} turns them into the
 * value-table schema DVGS writes. {@code evaluate} runs each method for each seed through {@link
 * org.dvgs.baselines.ValuationMethod#run}, which gets the seed's shared inputs from an {@link
 * org.dvgs.baselines.ExperimentSeed} and returns a {@link org.dvgs.baselines.MethodRun}; DVGS (in {@code pipeline},
 * since it is the valuation job) overrides it to write a whole valuation run. Methods that need the whole source in
 * memory (leave-one-out, TMC Data Shapley, DVRL) collect it with {@link org.dvgs.baselines.SourceRows}, which refuses
 * sources above {@code dvgs.evaluation.baselines.max-rows}.
 *
 * <p>Imports the lower packages ({@code config}, {@code io}, {@code model}, {@code aggregation}, {@code training}),
 * Spark (and Breeze, on Spark's class path through MLlib: the utility model's L-BFGS) and DJL; never {@code pipeline}, {@code cli} or {@code report}.
 *
 * <p>May import: {@code org.dvgs.aggregation}, {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.io},
 * {@code org.dvgs.model}, {@code org.dvgs.scoring}, {@code org.dvgs.training}.
 */
package org.dvgs.baselines;
