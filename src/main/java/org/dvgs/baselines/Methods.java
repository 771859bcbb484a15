package org.dvgs.baselines;

import org.dvgs.config.EvaluationConfig.Method;
import org.dvgs.config.Keys;

/**
 * The implementation of each method in {@code dvgs.evaluation.methods} other than DVGS, whose implementation
 * ({@code org.dvgs.pipeline.DvgsMethod}) runs the valuation job and so lives with it.
 */
public final class Methods {
  private Methods() {}

  /** The implementation of {@code m}; DVGS has none here (see the class comment). */
  public static ValuationMethod of(Method m) {
    return switch (m) {
      case RANDOM -> new RandomValues();
      case LOO -> new LeaveOneOut();
      case TMC_SHAPLEY -> new TmcDataShapley();
      case DVRL -> new Dvrl();
      case KNN_SHAPLEY -> new KnnShapley();
      case CONFIDENT_LEARNING -> new ConfidentLearning();
      case DVGS, TARGET_LOSS -> throw new IllegalArgumentException(Keys.kebab(m) + " trains as the valuation job does and lives with it (org.dvgs.pipeline)");
    };
  }
}
