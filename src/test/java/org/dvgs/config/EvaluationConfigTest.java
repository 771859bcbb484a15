package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.dvgs.cli.Main;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** Bad experiment configs fail at start-up with a message naming the key. */
class EvaluationConfigTest {
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
    EvaluationConfig e = TestConfigs.of().evaluation();
    assertEquals(List.of(EvaluationConfig.Metric.AUROC, EvaluationConfig.Metric.DISCOVERY, EvaluationConfig.Metric.KMEANS_F1), e.metrics());
    assertEquals(EvaluationConfig.TestMode.NONE, e.test().mode());
    assertEquals(List.of(0.05, 0.1, 0.2, 0.3, 0.4, 0.5), e.retrain().grid());
  }

  @Test
  void unknownMetric() {
    contains(error("evaluation.metrics=[auroc, precision]"), "dvgs.evaluation.metrics: unknown metric 'precision'");
    contains(error("evaluation.metrics=[]"), "dvgs.evaluation.metrics is empty");
  }

  @Test
  void methods() {
    assertEquals(List.of(EvaluationConfig.Method.DVGS), TestConfigs.of().evaluation().methods());
    assertEquals(List.of(EvaluationConfig.Method.RANDOM, EvaluationConfig.Method.DVGS),
        TestConfigs.of("evaluation.methods=[random, dvgs]").evaluation().methods());
    contains(error("evaluation.methods=[dvgs, shapley]"), "dvgs.evaluation.methods: unknown method 'shapley'");
    contains(error("evaluation.methods=[dvgs, dvgs]"), "dvgs.evaluation.methods lists 'dvgs' twice");
    contains(error("evaluation.methods=[]"), "dvgs.evaluation.methods is empty");
    contains(error("evaluation.baselines.max-rows=0"), "dvgs.evaluation.baselines.max-rows must be > 0");
    contains(error("evaluation.baselines.maxrows=10"), "evaluation.baselines.maxrows");
  }

  @Test
  void qOutsideTheOpenUnitInterval() {
    contains(error("evaluation.retrain.grid=[0.1, 1.0]"), "dvgs.evaluation.retrain.grid: every q must be in (0, 1), got 1.0");
    contains(error("evaluation.retrain.grid=[0, 0.2]"), "dvgs.evaluation.retrain.grid");
    contains(error("evaluation.retrain.grid=[-0.1]"), "dvgs.evaluation.retrain.grid");
  }

  @Test
  void corruptionFractionOutsideItsRange() {
    contains(error("evaluation.label-flip-fraction=1.0"), "dvgs.evaluation.label-flip-fraction must be in [0.0, 1.0)");
    contains(error("evaluation.label-flip-fraction=-0.1"), "dvgs.evaluation.label-flip-fraction");
    contains(error("evaluation.feature-noise.fraction=0"), "dvgs.evaluation.feature-noise.fraction must be in (0, 1]");
    contains(error("evaluation.feature-noise.sigma-max=-1"), "dvgs.evaluation.feature-noise.sigma-max");
  }

  @Test
  void retrainWithoutATestSet() {
    contains(error("evaluation.metrics=[auroc, retrain]"), "includes retrain but there is no test set");
    contains(error("evaluation.metrics=[retrain]", "evaluation.test.mode=table"), "dvgs.evaluation.test.table.path is empty");
    contains(error("evaluation.metrics=[retrain]", "evaluation.test.mode=source-remainder"), "needs dvgs.evaluation.source-sample-size > 0");
  }

  @Test
  void experimentMustSuitTheModel() {
    contains(error("model.task=autoencoder"), "dvgs.evaluation.label-flip-fraction = 0.2 but dvgs.model.task = autoencoder");
    contains(error("evaluation.label-flip-fraction=0"), "the experiment corrupts nothing");
    contains(error("evaluation.metrics=[spearman]"), "feature-noise.sigma-max = 0");
    contains(error("evaluation.metrics=[retrain]", "evaluation.test.mode=source-remainder", "evaluation.source-sample-size=10",
        "evaluation.retrain.model=linear-regression"), "linear-regression needs dvgs.model.task = regressor");
    contains(error("model.task=regressor", "evaluation.metrics=[retrain]", "evaluation.test.mode=source-remainder",
        "evaluation.source-sample-size=10", "evaluation.retrain.model=mlp"), "mlp needs dvgs.model.task = classifier");
  }

  @Test
  void evaluateFailsBeforeSparkWithExitStatusTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(new String[] {"evaluate", "--output", "/tmp/never-written", "evaluation.metrics=[auroc, nope]"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(2, status);
    contains(err.toString(), "unknown metric 'nope'");
  }

  @Test
  void withinClassNeedsAClassifier() {
    assertEquals(TargetGradient.WITHIN_CLASS, TestConfigs.of("scoring.target-gradient=within-class").scoring().targetGradient());
    contains(assertThrows(ConfigValidationException.class, () -> TestConfigs.of("scoring.target-gradient=within-class", "model.task=regressor")).getMessage(),
        "dvgs.scoring.target-gradient = within-class needs class labels");
    contains(assertThrows(ConfigValidationException.class, () -> TestConfigs.of("scoring.target-gradient=per-class")).getMessage(),
        "dvgs.scoring.target-gradient");
  }
}
