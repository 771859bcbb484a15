package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.InputException;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.dvgs.uniqueness.UniqueJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A program that calls dvgs inside a job group of its own still has that group afterwards, whether the run
 * succeeded or failed, while dvgs's own jobs ran in dvgs's groups.
 */
class CallerJobGroupTest {
  private static final SparkSession SPARK = SharedSpark.get();
  private final SparkContext sc = SPARK.sparkContext();

  @AfterEach
  void clear() {
    sc.clearJobGroup();
  }

  private void callerGroup(String id) {
    sc.setJobGroup(id, "the calling program's " + id, true);
  }

  private void assertCallerGroup(String id) {
    assertEquals(id, sc.getLocalProperty("spark.jobGroup.id"));
    assertEquals("the calling program's " + id, sc.getLocalProperty("spark.job.description"));
    assertEquals("true", sc.getLocalProperty("spark.job.interruptOnCancel"));
  }

  @Test
  void uniqueKeepsTheCallersGroupAfterARunAndAfterAFailure() {
    Path dir = SharedSpark.tempDir("caller-group-unique");
    String[] inputs = EvaluateRunTest.inputs(dir, 300);
    int before = SPARK.sparkContext().statusTracker().getJobIdsForGroup("dvgs-unique").length;
    callerGroup("app-unique");
    UniqueJob.run(SPARK, EvaluateRunTest.config(inputs, "training.epochs=2", "training.snapshot-every=2"));
    assertCallerGroup("app-unique");
    assertTrue(SPARK.sparkContext().statusTracker().getJobIdsForGroup("dvgs-unique").length > before, "the selection ran in dvgs's group");

    // A source that does not exist fails while dvgs's load group is set.
    DvgsConfig missing = EvaluateRunTest.config(inputs, "input.source.path=\"" + dir.resolve("no-such-source") + "\"",
        "output.path=\"" + dir.resolve("out-missing") + "\"");
    assertThrows(InputException.class, () -> UniqueJob.run(SPARK, missing));
    assertCallerGroup("app-unique");
  }

  @Test
  void evaluateKeepsTheCallersGroupAfterARunAndAfterAFailingMethod() {
    Path dir = SharedSpark.tempDir("caller-group-evaluate");
    String[] inputs = EvaluateRunTest.inputs(dir, 400);
    callerGroup("app-evaluate");
    EvaluateRun.run(SPARK, EvaluateRunTest.config(inputs, "evaluation.seeds=[1]", "evaluation.source-sample-size=200",
        "evaluation.methods=[random]", "evaluation.metrics=[auroc, retrain]", "evaluation.test.mode=source-remainder",
        "evaluation.test.size=100", "evaluation.retrain.grid=[0.2]", "evaluation.retrain.epochs=1"));
    assertCallerGroup("app-evaluate");
    assertTrue(SPARK.sparkContext().statusTracker().getJobIdsForGroup("dvgs-random").length > 0, "random valued in dvgs's group");
    assertTrue(SPARK.sparkContext().statusTracker().getJobIdsForGroup("dvgs-retrain").length > 0, "retrained in dvgs's group");

    // Leave-one-out refuses more rows than its limit once it runs, inside its own group.
    DvgsConfig tooMany = EvaluateRunTest.config(inputs, "evaluation.seeds=[1]", "evaluation.source-sample-size=200",
        "evaluation.methods=[loo]", "evaluation.metrics=[auroc]", "evaluation.baselines.max-rows=50",
        "output.path=\"" + dir.resolve("out-loo") + "\"");
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> EvaluateRun.run(SPARK, tooMany));
    assertTrue(e.getMessage().contains("dvgs.evaluation.baselines.max-rows"), e.getMessage());
    assertCallerGroup("app-evaluate");
  }
}
