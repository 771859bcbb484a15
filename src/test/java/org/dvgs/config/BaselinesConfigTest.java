package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** Settings of leave-one-out, TMC Data Shapley and their utility model: defaults, and errors naming the key. */
class BaselinesConfigTest {
  static String error(String... overrides) {
    return assertThrows(ConfigValidationException.class, () -> {
      DvgsConfig c = TestConfigs.of(overrides);
      c.evaluation().checkFor(c.model());
    }).getMessage();
  }

  static void contains(String message, String part) {
    assertTrue(message.contains(part), message);
  }

  @Test
  void defaults() {
    BaselinesConfig b = TestConfigs.of().evaluation().baselines();
    assertEquals(BaselinesConfig.UtilityMetric.AUTO, b.utility().metric());
    assertEquals(BaselinesConfig.UtilityMetric.ACCURACY, b.utility().resolved(Task.CLASSIFIER));
    assertEquals(BaselinesConfig.UtilityMetric.R2, b.utility().resolved(Task.REGRESSOR));
    assertEquals(0.0, b.loo().timeBudgetSeconds());
    assertEquals(1, b.loo().baselineFits());
    assertEquals(0.01, b.tmcShapley().truncationTolerance());
    assertEquals(90.0, TestConfigs.of("evaluation.baselines.tmc-shapley.time-budget=90s").evaluation().baselines().tmcShapley().timeBudgetSeconds());
    assertEquals(1800.0, TestConfigs.of("evaluation.baselines.loo.time-budget=30m").evaluation().baselines().loo().timeBudgetSeconds());
  }

  @Test
  void badValuesNameTheirKey() {
    contains(error("evaluation.baselines.utility.metric=f1"), "dvgs.evaluation.baselines.utility.metric = \"f1\" is not one of");
    contains(error("evaluation.baselines.utility.l2=0"), "dvgs.evaluation.baselines.utility.l2 must be > 0");
    contains(error("evaluation.baselines.utility.max-iter=0"), "dvgs.evaluation.baselines.utility.max-iter must be > 0");
    contains(error("evaluation.baselines.loo.baseline-fits=0"), "dvgs.evaluation.baselines.loo.baseline-fits must be > 0");
    contains(error("evaluation.baselines.loo.time-budget=-5s"), "dvgs.evaluation.baselines.loo.time-budget");
    contains(error("evaluation.baselines.loo.time-budget=soon"), "dvgs.evaluation.baselines.loo.time-budget");
    contains(error("evaluation.baselines.tmc-shapley.truncation-tolerance=1.5"),
        "dvgs.evaluation.baselines.tmc-shapley.truncation-tolerance must be in [0, 1), got 1.5");
    contains(error("evaluation.baselines.tmc-shapley.max-permutations=2.5"), "dvgs.evaluation.baselines.tmc-shapley.max-permutations must be a whole number");
    contains(error("evaluation.baselines.tmc-shapley.convergence-window=0"), "dvgs.evaluation.baselines.tmc-shapley.convergence-window must be > 0");
    contains(error("evaluation.baselines.tmc-shapley.permutations-per-round=-1"), "dvgs.evaluation.baselines.tmc-shapley.permutations-per-round must be >= 0");
    contains(assertThrows(ConfigValidationException.class, () -> TestConfigs.of("evaluation.baselines.tmc-shapley.patience=3")).getMessage(),
        "dvgs.evaluation.baselines.tmc-shapley.patience");
  }

  @Test
  void theUtilityMetricMustSuitTheTask() {
    contains(error("evaluation.methods=[dvgs, loo]", "evaluation.baselines.utility.metric=r2"),
        "dvgs.evaluation.baselines.utility.metric = r2 needs dvgs.model.task = regressor");
    contains(error("model.task=regressor", "evaluation.methods=[tmc-shapley]", "evaluation.baselines.utility.metric=auroc"),
        "dvgs.evaluation.baselines.utility.metric = auroc needs dvgs.model.task = classifier");
    // Only checked when a method fits the utility model.
    DvgsConfig c = TestConfigs.of("evaluation.methods=[dvgs, random]", "evaluation.baselines.utility.metric=r2");
    c.evaluation().checkFor(c.model());
  }

  @Test
  void anAutoencoderIsRefusedAtStartUp() {
    contains(error("model.task=autoencoder", "evaluation.label-flip-fraction=0", "evaluation.feature-noise.sigma-max=1",
        "evaluation.methods=[dvgs, loo, tmc-shapley]"),
        "dvgs.evaluation.methods includes loo and tmc-shapley but dvgs.model.task = autoencoder");
  }
}
