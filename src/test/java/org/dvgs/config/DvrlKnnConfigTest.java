package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** The dvrl and knn-shapley sections: defaults, and errors that name the key. */
class DvrlKnnConfigTest {
  private static String error(String... overrides) {
    return assertThrows(ConfigValidationException.class, () -> {
      DvgsConfig c = TestConfigs.of(overrides);
      c.evaluation().checkFor(c.model());
    }).getMessage();
  }

  private static void contains(String message, String part) {
    assertTrue(message.contains(part), message);
  }

  @Test
  void defaults() {
    BaselinesConfig b = TestConfigs.of().evaluation().baselines();
    assertEquals(10, b.knnShapley().k());
    BaselinesConfig.Dvrl d = b.dvrl();
    assertEquals(5, d.layers());
    assertEquals(0.1, d.epsilon());
    assertEquals(1000.0, d.penalty());
    assertEquals(2000, d.batchSize());
    assertTrue(d.outerIterations() > 0 && d.innerIterations() > 0);
  }

  @Test
  void badValuesNameTheKey() {
    String p = "dvgs.evaluation.baselines.";
    contains(error("evaluation.baselines.knn-shapley.k=0"), p + "knn-shapley.k must be > 0");
    contains(error("evaluation.baselines.dvrl.layers=2"), p + "dvrl.layers must be >= 3");
    contains(error("evaluation.baselines.dvrl.epsilon=0.5"), p + "dvrl.epsilon must be in [0.0, 0.5)");
    contains(error("evaluation.baselines.dvrl.outer-iterations=0"), p + "dvrl.outer-iterations must be > 0");
    contains(error("evaluation.baselines.dvrl.learning-rate=0"), p + "dvrl.learning-rate must be > 0");
    contains(error("evaluation.baselines.dvrl.predictor-hidden=[10, 0]"), p + "dvrl.predictor-hidden[1] must be > 0");
    contains(error("evaluation.baselines.dvrl.baseline-window=1.5"), p + "dvrl.baseline-window must be a whole number");
    contains(error("evaluation.baselines.dvrl.inner-iteration=3"), "dvgs.evaluation.baselines.dvrl.inner-iteration");
  }

  @Test
  void tasksTheMethodsCannotValue() {
    contains(error("model.task=regressor", "evaluation.methods=[knn-shapley]"), "dvgs.evaluation.methods includes knn-shapley");
    contains(
        error("model.task=autoencoder", "evaluation.label-flip-fraction=0", "evaluation.feature-noise.sigma-max=1", "evaluation.methods=[dvrl]"),
        "dvgs.evaluation.methods includes dvrl, which needs labels");
    DvgsConfig ok = TestConfigs.of("model.task=regressor", "evaluation.methods=[dvgs, dvrl]");
    ok.evaluation().checkFor(ok.model());
    assertEquals(List.of(EvaluationConfig.Method.DVGS, EvaluationConfig.Method.DVRL), ok.evaluation().methods());
  }
}
