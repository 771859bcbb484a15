package org.dvgs.baselines;

import org.dvgs.config.EvaluationConfig.Method;

/** The implementation of each method in {@code dvgs.evaluation.methods} other than DVGS, which is the job itself. */
public final class Methods {
  private Methods() {}

  /** The implementation of {@code m}; DVGS has none here ({@code evaluate} runs the valuation job for it). */
  public static ValuationMethod of(Method m) {
    return switch (m) {
      case RANDOM -> new RandomValues();
      case LOO -> new LeaveOneOut();
      case TMC_SHAPLEY -> new TmcDataShapley();
      case DVRL -> new Dvrl();
      case KNN_SHAPLEY -> new KnnShapley();
      case DVGS -> throw new IllegalArgumentException("dvgs is run by the valuation job, not as a baseline");
    };
  }
}
