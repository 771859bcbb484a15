package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Start-up validation: every problem is an error naming the key. */
class DvgsConfigTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  static String error(String... overrides) {
    return assertThrows(ConfigValidationException.class, () -> of(overrides)).getMessage();
  }

  @Test
  void defaultsLoad() {
    DvgsConfig c = of();
    assertEquals(0, c.seed());
    assertEquals(Task.CLASSIFIER, c.model().task());
    assertEquals(SimilarityMetric.COSINE, c.scoring().similarity());
    assertEquals(ScoringMethod.GHOST, c.scoring().method());
    assertEquals(1, c.training().snapshotEvery());
  }

  @Test
  void overridesWithAndWithoutPrefix() {
    assertEquals(3, of("training.epochs=3").training().epochs());
    assertEquals(4, of("dvgs.training.epochs=4").training().epochs());
    assertEquals(List.of(8, 4), of("model.hidden=[8, 4]").model().hidden());
    assertEquals("/data/x y.parquet", of("input.source.path=/data/x y.parquet").input().source().path());
    assertEquals(SimilarityMetric.NEG_EUCLIDEAN, of("scoring.similarity=neg-euclidean").scoring().similarity());
  }

  @Test
  void unknownKeysAreErrors() {
    assertTrue(error("training.epoch=3").contains("dvgs.training.epoch"));
    assertTrue(error("scoring.simlarity=dot").contains("dvgs.scoring.simlarity"));
    String top = assertThrows(ConfigValidationException.class,
        () -> DvgsConfig.fromUser(com.typesafe.config.ConfigFactory.parseString("dvg { seed = 1 }"))).getMessage();
    assertTrue(top.contains("dvg"), top);
  }

  @Test
  void freeFormSectionsAcceptAnyKey() {
    assertEquals("true", of("input.source.options.header=\"true\"").input().source().options().get("header"));
    assertEquals("8", of("spark.conf.\"spark.sql.shuffle.partitions\"=8").spark().conf().get("spark.sql.shuffle.partitions"));
  }

  @Test
  void wrongTypesAndRangesNameTheKey() {
    assertTrue(error("training.epochs=many").contains("dvgs.training.epochs"));
    assertTrue(error("training.snapshot-every=0").contains("dvgs.training.snapshot-every must be > 0"));
    assertTrue(error("training.snapshot-every=-2").contains("dvgs.training.snapshot-every"));
    assertTrue(error("model.dropout=1.0").contains("dvgs.model.dropout"));
    assertTrue(error("model.hidden=[8, 0]").contains("dvgs.model.hidden[1]"));
    assertTrue(error("training.learning-rate=0").contains("dvgs.training.learning-rate"));
    assertTrue(error("scoring.layers=[1, 1]").contains("dvgs.scoring.layers"));
    assertTrue(error("scoring.storage-level=SOMETIMES").contains("dvgs.scoring.storage-level"));
    assertTrue(error("model.num-classes=1").contains("dvgs.model.num-classes"));
    assertTrue(error("model.task=regressor", "model.class-balanced=true").contains("dvgs.model.class-balanced"));
  }

  @Test
  void enumErrorsListAllowedValues() {
    String e = error("scoring.similarity=cos");
    assertTrue(e.contains("dvgs.scoring.similarity"), e);
    assertTrue(e.contains("cosine") && e.contains("neg-euclidean") && e.contains("scalar-projection"), e);
  }

  @Test
  void conflictingSettings() {
    assertTrue(error("input.source.features.column=x", "input.source.features.columns=[a]").contains("dvgs.input.source.features.column"));
    assertTrue(error("input.split.mode=fraction", "input.split.fraction=1.5").contains("dvgs.input.split.fraction"));
    assertTrue(error("input.split.mode=column").contains("dvgs.input.split.column"));
    assertTrue(error("input.split.mode=fraction", "input.target.path=/t").contains("dvgs.input.target.path"));
    assertTrue(error("evaluation.seeds=[]").contains("dvgs.evaluation.seeds"));
  }

  @Test
  void missingFileAndUnresolvedVariable() throws IOException {
    String missing = assertThrows(ConfigValidationException.class, () -> DvgsConfig.load(new File("/no/such/file.conf"), List.of())).getMessage();
    assertTrue(missing.contains("/no/such/file.conf"), missing);
    File f = Files.createTempFile("dvgs", ".conf").toFile();
    Files.writeString(f.toPath(), "dvgs.input.source.path = ${DVGS_TEST_UNSET_VARIABLE}\"/x.csv\"\n");
    String unresolved = assertThrows(ConfigValidationException.class, () -> DvgsConfig.load(f, List.of())).getMessage();
    assertTrue(unresolved.contains("DVGS_TEST_UNSET_VARIABLE"), unresolved);
  }

  @Test
  void fileRoundTripsToTypedRecords() throws IOException {
    File f = Files.createTempFile("dvgs", ".conf").toFile();
    Files.writeString(f.toPath(), """
        dvgs {
          seed = 11
          input {
            source { path = "/data/s.csv", format = csv, id-column = "id", label-column = "y", features.exclude = ["note"] }
            target { path = "/data/t.parquet", features.column = "x", label-column = "y" }
            scaling { method = z-score, fit-on = target }
          }
          model { task = regressor, hidden = [32], activation = tanh, dropout = 0.1, per-sample-norm = true }
          training { optimizer = sgd, learning-rate = 0.05, momentum = 0.9, batch-size = 16, epochs = 7, restarts = 2, snapshot-every = 5 }
          scoring { similarity = dot, method = naive, layers = [0, 1], batch-size = 128, train-mode-dropout = true, partitions = 6 }
          output { overwrite = true }
        }
        """);
    DvgsConfig c = DvgsConfig.load(f, List.of("training.epochs=9"));
    assertEquals(11, c.seed());
    assertEquals(TableFormat.CSV, c.input().source().format());
    assertEquals(List.of("note"), c.input().source().excludeColumns());
    assertEquals("x", c.input().target().featureColumn());
    assertEquals(ScalingMethod.Z_SCORE, c.input().scaling());
    assertEquals(ScalingFit.TARGET, c.input().scalingFit());
    assertEquals(Task.REGRESSOR, c.model().task());
    assertEquals(ActivationKind.TANH, c.model().activation());
    assertEquals(OptimizerKind.SGD, c.training().optimizer());
    assertEquals(0.9, c.training().momentum());
    assertEquals(9, c.training().epochs(), "command-line override wins over the file");
    assertEquals(5, c.training().snapshotEvery());
    assertEquals(List.of(0, 1), c.scoring().layers());
    assertEquals(ScoringMethod.NAIVE, c.scoring().method());
    assertTrue(c.scoring().trainModeDropout());
    assertTrue(c.output().overwrite());
    assertTrue(c.toJson().contains("\"snapshot-every\":5"));
  }
}
