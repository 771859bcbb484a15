package org.dvgs.baselines;

/**
 * One seed of an experiment, as the valuation methods it runs see it: its prepared inputs, shared by the methods,
 * and where each method's run id and value table go.
 */
public interface ExperimentSeed {
  /** The experiment seed. */
  long seed();

  /**
   * The seed's prepared inputs (sampled, corrupted, scaled) for the methods that share them, with the other
   * settings a method gets. Prepared, persisted and counted on first use, outside any method's runtime.
   */
  MethodContext context();

  /** How many valid source rows {@link #context()} holds: every method must value each of them once. */
  long sourceRows();

  /** The run id of {@code method}'s value table. */
  String runId(String method);

  /** Where {@code method}'s value table is written. */
  String valuesPath(String method);
}
