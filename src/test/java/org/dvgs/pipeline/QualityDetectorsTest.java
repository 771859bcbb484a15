package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** target-loss and confident-learning find flipped labels, reuse DVGS's checkpoints, repeat, and refuse what they cannot value. */
class QualityDetectorsTest {

  @Test
  void bothDetectorsFindFlippedLabelsAndTargetLossReusesTheDvgsCheckpoints() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("quality-detectors");
    String[] base = EvaluateRunTest.inputs(dir, 600);
    DvgsConfig a = EvaluateRunTest.config(base, "evaluation.seeds=[3]", "evaluation.label-flip-fraction=0.2",
        "evaluation.methods=[dvgs, target-loss, confident-learning, random]", "evaluation.metrics=[auroc]", "training.restarts=2");
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, a));
    Map<?, ?> methods = (Map<?, ?>) m.get("methods");
    assertTrue(auroc(methods, "target-loss") > 0.7, "target-loss auroc " + auroc(methods, "target-loss"));
    assertTrue(auroc(methods, "confident-learning") > 0.7, "confident-learning auroc " + auroc(methods, "confident-learning"));
    Map<?, ?> details = (Map<?, ?>) ((List<?>) ((Map<?, ?>) methods.get("target-loss")).get("details")).get(0);
    assertEquals(2, ((Number) details.get("restarts_reused")).intValue(), "both restarts taken from the dvgs run: " + details);
    // 240 target rows in batches of 60 for 4 epochs: 16 steps, snapshots before each, the last before step 15's update.
    assertEquals(16, ((Number) details.get("steps")).intValue(), details.toString());
    assertEquals(15, ((Number) details.get("model_step")).intValue(), details.toString());

    // Without dvgs, target-loss trains the same restarts itself and gives the same values; logistic regression as
    // the confidence model also finds the flips, and a second run repeats every value.
    String out2 = dir.resolve("out2").toString();
    DvgsConfig b = a.with(Map.of("output.path", out2, "evaluation.methods", List.of("target-loss", "confident-learning"),
        "evaluation.baselines.confident-learning.model", "logistic-regression"));
    Map<?, ?> methodsB = (Map<?, ?>) org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, b)).get("methods");
    assertTrue(auroc(methodsB, "confident-learning") > 0.7, "logistic confident-learning auroc " + auroc(methodsB, "confident-learning"));
    Map<?, ?> detailsB = (Map<?, ?>) ((List<?>) ((Map<?, ?>) methodsB.get("target-loss")).get("details")).get(0);
    assertEquals(0, ((Number) detailsB.get("restarts_reused")).intValue());
    String out = a.output().path();
    assertEquals(values(spark, out + "/methods/target-loss/seed-3"), values(spark, out2 + "/methods/target-loss/seed-3"));
    List<Row> cl = values(spark, out2 + "/methods/confident-learning/seed-3");
    EvaluateRun.run(spark, b.with(Map.of("output.overwrite", true)));
    assertEquals(cl, values(spark, out2 + "/methods/confident-learning/seed-3"));
    assertEquals(600, cl.size());

    // With a snapshot every 6 steps the last one is after 12 of the 16: the manifest says so, and the losses are
    // that network's, not the one above.
    String out3 = dir.resolve("out3").toString();
    DvgsConfig c = a.with(Map.of("output.path", out3, "evaluation.methods", List.of("target-loss"), "training.snapshot-every", 6));
    Map<?, ?> methodsC = (Map<?, ?>) org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(spark, c)).get("methods");
    Map<?, ?> detailsC = (Map<?, ?>) ((List<?>) ((Map<?, ?>) methodsC.get("target-loss")).get("details")).get(0);
    assertEquals(12, ((Number) detailsC.get("model_step")).intValue(), detailsC.toString());
    assertEquals(16, ((Number) detailsC.get("steps")).intValue(), detailsC.toString());
    assertNotEquals(values(spark, out + "/methods/target-loss/seed-3"), values(spark, out3 + "/methods/target-loss/seed-3"));
  }

  @Test
  void confidentLearningRefusesTasksWithoutClasses() {
    for (String task : List.of("regressor", "autoencoder")) {
      DvgsConfig cfg = TestConfigs.of("model.task=" + task, "evaluation.methods=[confident-learning]",
          "evaluation.label-flip-fraction=" + (task.equals("autoencoder") ? "0" : "0.2"), "evaluation.feature-noise.sigma-max=0.5");
      ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> cfg.evaluation().checkFor(cfg.model()));
      assertTrue(e.getMessage().contains("confident-learning"), e.getMessage());
    }
    assertThrows(ConfigValidationException.class, () -> TestConfigs.of("evaluation.baselines.confident-learning.folds=1"));
  }

  private static List<Row> values(SparkSession spark, String path) {
    return spark.read().parquet(path).orderBy("sample_id").select("sample_id", "value").collectAsList();
  }

  private static double auroc(Map<?, ?> methods, String method) {
    Map<?, ?> metrics = (Map<?, ?>) ((Map<?, ?>) methods.get(method)).get("metrics");
    return ((Number) ((Map<?, ?>) metrics.get("auroc")).get("mean")).doubleValue();
  }
}
