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

  /** Runs {@code args}, keeps a copy of the manifest under target/ and returns it as read. */
  static Map<String, Object> writtenBy(Path out, String name, String... args) throws Exception {
    run(args);
    Path copy = Path.of("target", "written-manifests", name + ".json");
    Files.createDirectories(copy.getParent());
    Files.copy(out.resolve("manifest.json"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return written(out);
  }

  /** A small GCTX pair (level 5 with replicate ids, level 4 replicates) for {@code ingest}. */
  static List<Path> gctx(Path dir) {
    return gctx(dir, 30, 5);
  }

  /** As {@link #gctx(Path)}, with {@code n} signatures of {@code compounds} compounds. */
  static List<Path> gctx(Path dir, int n, int compounds) {
    int genes = 12;
    int reps = 2;
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    float[][] level5 = new float[n][genes];
    float[][] level4 = new float[n * reps][genes];
    String[] sig = new String[n];
    String[] rep = new String[n * reps];
    String[] distil = new String[n];
    String[] pert = new String[n];
    for (int i = 0; i < n; i++) {
      sig[i] = "SIG" + i;
      pert[i] = "BRD-" + (i % compounds);
      StringBuilder ids = new StringBuilder();
      for (int k = 0; k < reps; k++) {
        int j = i * reps + k;
        rep[j] = "REP" + i + "_" + k;
        ids.append(k == 0 ? "" : "|").append(rep[j]);
        for (int g = 0; g < genes; g++) {
          level4[j][g] = (float) r.nextGaussian();
          level5[i][g] += level4[j][g] / reps;
        }
      }
      distil[i] = ids.toString();
    }
    String[] geneIds = new String[genes];
    for (int g = 0; g < genes; g++) {
      geneIds[g] = String.valueOf(1000 + g);
    }
    Path l5 = new org.dvgs.testing.GctxWriter(level5, geneIds, sig).colField("distil_id", distil).colField("pert_id", pert).write(dir.resolve("l5.gctx"));
    Path l4 = new org.dvgs.testing.GctxWriter(level4, geneIds, rep).write(dir.resolve("l4.gctx"));
    return List.of(l5, l4);
  }

  /**
   * {@code bench}, {@code bench-unique}, {@code ingest} and {@code scale} write every key the manifests of the same
   * cases held before these manifests were records (fixtures {@code bench-0.json}, {@code bench-unique-0.json},
   * {@code ingest-0.json}, {@code scale-0.json}), and those fixtures read through the records.
   */
  @Test
  void benchIngestAndScaleWriteEveryKeyTheyWroteBefore() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("written-manifests-more");
    Path bench = dir.resolve("bench");
    Map<String, Object> nowBench = writtenBy(bench, "bench-0", "bench", "model.task=autoencoder", "model.hidden=[16, 4, 16]",
        "bench.input-width=32", "bench.rows=256", "bench.rounds=2", "bench.naive-rows=8", "bench.threads=1", "scoring.batch-size=64",
        "output.path=\"" + bench + "\"");
    String target = SyntheticData.write(spark, SyntheticData.classification(2, "t", 200, 2, 5, 1.0, 0.0), dir.resolve("t").toString(), 1);
    String source = SyntheticData.write(spark, SyntheticData.classification(2, "s", 600, 2, 5, 1.0, 0.0), dir.resolve("s").toString(), 2);
    Path benchUnique = dir.resolve("bench-unique");
    Map<String, Object> nowBenchUnique = writtenBy(benchUnique, "bench-unique-0", "bench-unique",
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.batch-size=50", "training.epochs=2", "unique.sample-size=100", "unique.batch-size=64",
        "bench.rows=200", "bench.rounds=2", "bench.threads=1", "output.path=\"" + benchUnique + "\"");
    List<Path> files = gctx(dir);
    Path ingest = dir.resolve("ingest");
    Map<String, Object> nowIngest = writtenBy(ingest, "ingest-0", "ingest", "ingest.input=\"" + files.get(0) + "\"",
        "ingest.level4=\"" + files.get(1) + "\"", "ingest.block-rows=16", "output.path=\"" + ingest + "\"");
    Path scale = dir.resolve("scale");
    Map<String, Object> nowScale = writtenBy(scale, "scale-0", "scale", "model.task=autoencoder", "model.hidden=[8]",
        "training.batch-size=100", "training.epochs=2", "input.source.id-column=sample_id", "input.source.features.column=features",
        "input.split.mode=group-balanced", "input.split.group-column=pert_id", "input.split.target-size=200", "input.split.test-fraction=0.1",
        "scoring.batch-size=128", "scale.rows=[500, 700]", "scale.genes=20", "scale.rank=4", "scale.compounds=40",
        "scale.rows-per-partition=300", "output.path=\"" + scale + "\"");
    Map<String, Map<String, Object>> now = Map.of("bench-0.json", nowBench, "bench-unique-0.json", nowBenchUnique,
        "ingest-0.json", nowIngest, "scale-0.json", nowScale);
    for (Map.Entry<String, Map<String, Object>> e : now.entrySet()) {
      Map<String, Object> old = ManifestFixturesTest.tree(ManifestFixturesTest.fixture(e.getKey()));
      sameKeys(old, e.getValue(), "");
      assertEquals(old.get("command"), e.getValue().get("command"), e.getKey());
    }
    Map<String, Object> oldBench = ManifestFixturesTest.tree(ManifestFixturesTest.fixture("bench-0.json"));
    for (String k : List.of("seed", "model")) {
      assertEquals(oldBench.get(k), nowBench.get(k), "bench " + k);
    }
    // The setup has since gained the snapshots scored against and the checkpoint batching in effect; every setting
    // it held before is still there with the same value.
    Map<?, ?> oldSetup = (Map<?, ?>) oldBench.get("setup");
    Map<?, ?> nowSetup = (Map<?, ?>) nowBench.get("setup");
    for (Map.Entry<?, ?> e : oldSetup.entrySet()) {
      assertEquals(e.getValue(), nowSetup.get(e.getKey()), "bench setup " + e.getKey());
    }
    assertEquals(1, ((Number) nowSetup.get("snapshots")).intValue(), "bench setup snapshots (the default, as before)");
    Map<String, Object> oldIngest = ManifestFixturesTest.tree(ManifestFixturesTest.fixture("ingest-0.json"));
    for (String k : List.of("format", "source", "rows", "genes", "gene_selection", "gene_ids", "metadata_fields", "replicate_field", "apc")) {
      assertEquals(oldIngest.get(k), nowIngest.get(k), "ingest " + k);
    }
  }

  @Test
  void valueEvaluateAndUniqueWriteEveryKeyTheyWroteBefore() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("written-manifests");
    Path value = dir.resolve("value");
    List<String> v = new ArrayList<>(List.of("value"));
    v.addAll(SmallValuation.overrides(spark, 300, value.toString()));
    // The metric those versions scored in (before scoring.preconditioner became auto), so that the training settings,
    // and with them the fingerprint, are the same as theirs.
    v.add("scoring.preconditioner=none");
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

  /** {@code l1000} on a small ingested GCTX pair (with APC): the case of fixture {@code l1000-0.json}. */
  @Test
  void l1000WritesEveryKeyItWroteBefore() throws Exception {
    Path dir = SharedSpark.tempDir("written-manifests-l1000");
    List<Path> files = gctx(dir, 240, 12);
    Path ingest = dir.resolve("ingest");
    run("ingest", "ingest.input=\"" + files.get(0) + "\"", "ingest.level4=\"" + files.get(1) + "\"", "ingest.block-rows=64",
        "output.path=\"" + ingest + "\"");
    Path l1000 = dir.resolve("l1000");
    Map<String, Object> now = writtenBy(l1000, "l1000-0", "l1000", "model.task=autoencoder", "model.hidden=[8]",
        "training.batch-size=50", "training.epochs=2", "input.source.path=\"" + ingest.resolve("signatures") + "\"",
        "input.source.id-column=sample_id", "input.source.features.column=features",
        "input.split.mode=group-balanced", "input.split.group-column=pert_id", "input.split.target-size=60", "input.split.test-fraction=0.2",
        "input.scaling.method=z-score", "scoring.batch-size=64", "evaluation.retrain.grid=[0.2]", "evaluation.retrain.epochs=2",
        "output.path=\"" + l1000 + "\"");
    Map<String, Object> old = ManifestFixturesTest.tree(ManifestFixturesTest.fixture("l1000-0.json"));
    sameKeys(old, now, "");
    for (String k : List.of("command", "counts", "model", "scaling", "input", "numerics", "seed")) {
      assertEquals(old.get(k), now.get(k), k);
    }
    Map<?, ?> oldMetrics = (Map<?, ?>) old.get("metrics");
    Map<?, ?> nowMetrics = (Map<?, ?>) now.get("metrics");
    assertEquals(oldMetrics.keySet(), nowMetrics.keySet());
    for (String k : List.of("retrain_metric", "retrain_test_rows", "retrain_test_read", "retrain_test_rejected_by_reason")) {
      assertEquals(oldMetrics.get(k), nowMetrics.get(k), "metrics." + k);
    }
    assertEquals(old.keySet().stream().toList(), now.keySet().stream().toList(), "top-level keys in their order");
    L1000Manifest read = Manifest.read(new org.apache.hadoop.conf.Configuration(), l1000.toString(), L1000Manifest.class);
    assertEquals(now, ManifestFixturesTest.tree(ManifestCodec.toJson(read)));
  }
}
