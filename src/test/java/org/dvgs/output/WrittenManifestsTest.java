package org.dvgs.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.dvgs.cli.Main;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.junit.jupiter.api.Test;

/**
 * The cases the fixtures were made from, run today: every manifest has the fixture's keys at every level (the
 * scaler's parameters renamed) and the same values where they do not depend on time or temporary paths.
 */
class WrittenManifestsTest {
  static void run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> written(Path dir) throws Exception {
    return (Map<String, Object>) ManifestCodec.parse(Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8));
  }

  /**
   * Every key of {@code expected} in the same object of {@code actual}, recursively (lists: element by element up to
   * the shorter one). Keys added since (a new setting under {@code config}, say) are allowed: readers ignore them.
   */
  static void sameKeys(Object expected, Object actual, String at) {
    if (expected instanceof Map<?, ?> e) {
      assertTrue(actual instanceof Map<?, ?>, at + " is not an object");
      Map<?, ?> a = (Map<?, ?>) actual;
      Set<Object> missing = new TreeSet<>(Comparator.comparing(String::valueOf));
      missing.addAll(e.keySet());
      missing.removeAll(a.keySet());
      assertEquals(Set.of(), missing, "keys of " + (at.isEmpty() ? "the manifest" : at) + " no longer written");
      for (Object k : e.keySet()) {
        sameKeys(e.get(k), a.get(k), at.isEmpty() ? String.valueOf(k) : at + "." + k);
      }
    } else if (expected instanceof List<?> e) {
      assertTrue(actual instanceof List<?>, at + " is not a list");
      List<?> a = (List<?>) actual;
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        sameKeys(e.get(i), a.get(i), at + "[" + i + "]");
      }
    }
  }

  @Test
  void valueEvaluateAndUniqueWriteEveryKeyTheyWroteBefore() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("written-manifests");
    Path value = dir.resolve("value");
    List<String> v = new ArrayList<>(List.of("value"));
    v.addAll(SmallValuation.overrides(spark, 300, value.toString()));
    run(v.toArray(new String[0]));
    Map<String, Object> old = ManifestFixturesTest.renamedScaler(ManifestFixturesTest.tree(ManifestFixturesTest.fixture("value-0.json")));
    Map<String, Object> now = written(value);
    sameKeys(old, now, "");
    for (String k : List.of("counts", "model", "scaling", "input", "numerics", "seed", "command")) {
      assertEquals(old.get(k), now.get(k), k);
    }
    // Same training settings and target data: the same fingerprint, so the snapshots of earlier versions are reused.
    assertEquals(((Map<?, ?>) old.get("training")).get("fingerprint"), ((Map<?, ?>) now.get("training")).get("fingerprint"));

    String target = SyntheticData.write(spark, SyntheticData.classification(2, "t", 200, 2, 5, 1.0, 0.0), dir.resolve("t").toString(), 1);
    String source = SyntheticData.write(spark, SyntheticData.classification(2, "s", 900, 2, 5, 1.0, 0.0), dir.resolve("s").toString(), 2);
    List<String> inputs = List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.batch-size=50", "training.epochs=3", "training.learning-rate=0.01");
    Path eval = dir.resolve("eval");
    List<String> e = new ArrayList<>(List.of("evaluate"));
    e.addAll(inputs);
    e.addAll(List.of("input.scaling.method=z-score",
        "evaluation.seeds=[1, 2]", "evaluation.source-sample-size=300", "evaluation.label-flip-fraction=0.2",
        "evaluation.feature-noise.sigma-max=1.0", "evaluation.feature-noise.fraction=0.3",
        "evaluation.metrics=[auroc, spearman, discovery, kmeans-f1, retrain]",
        "evaluation.methods=[dvgs, random, knn-shapley]",
        "evaluation.test.mode=source-remainder", "evaluation.test.size=200",
        "evaluation.retrain.model=logistic-regression", "evaluation.retrain.grid=[0.2, 0.4]",
        "output.path=\"" + eval + "\""));
    run(e.toArray(new String[0]));
    Map<String, Object> oldEval = ManifestFixturesTest.tree(ManifestFixturesTest.fixture("evaluate-0.json"));
    Map<String, Object> nowEval = written(eval);
    sameKeys(oldEval, nowEval, "");
    for (String k : List.of("seeds", "experiment", "counts", "command")) {
      assertEquals(oldEval.get(k), nowEval.get(k), k);
    }
    sameKeys(ManifestFixturesTest.renamedScaler(ManifestFixturesTest.tree(ManifestFixturesTest.fixture("evaluate-seed-0.json"))),
        written(eval.resolve("seed-1")), "");

    Path unique = dir.resolve("unique");
    List<String> u = new ArrayList<>(List.of("unique"));
    u.addAll(inputs);
    u.addAll(List.of("unique.clusters.max=4", "output.path=\"" + unique + "\""));
    run(u.toArray(new String[0]));
    Map<String, Object> oldUnique = ManifestFixturesTest.tree(ManifestFixturesTest.fixture("unique-0.json"));
    Map<String, Object> nowUnique = written(unique);
    sameKeys(oldUnique, nowUnique, "");
    for (String k : List.of("counts", "projection", "selection", "summary", "warnings", "command")) {
      assertEquals(oldUnique.get(k), nowUnique.get(k), k);
    }
  }
}
