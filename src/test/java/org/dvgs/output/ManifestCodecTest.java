package org.dvgs.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every manifest record through the codec and back; what a missing, null or malformed field is reported as. */
class ManifestCodecTest {
  static <T extends Record> T roundTrip(T r) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) r.getClass();
    T back = ManifestCodec.fromJson(ManifestCodec.toJson(r), type);
    assertEquals(r, back, type.getSimpleName());
    assertEquals(r, ManifestCodec.fromMap(ManifestCodec.toMap(r), type), type.getSimpleName() + " via a map");
    return back;
  }

  static ValueManifest value() {
    return ManifestCodec.fromJson(ManifestFixturesTest.fixture("value-0.json"), ValueManifest.class);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> valueTree() {
    return (Map<String, Object>) ManifestCodec.parse(ManifestFixturesTest.fixture("value-0.json"));
  }

  static String messageOf(Map<String, Object> tree) {
    return assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromJson(ManifestCodec.toJson(tree), ValueManifest.class)).getMessage();
  }

  @Test
  void everyManifestRecordRoundTrips() {
    ValueManifest v = roundTrip(value());
    roundTrip(ManifestCodec.fromJson(ManifestFixturesTest.fixture("evaluate-seed-0.json"), ValueManifest.class));
    EvaluateManifest e = roundTrip(ManifestCodec.fromJson(ManifestFixturesTest.fixture("evaluate-0.json"), EvaluateManifest.class));
    UniqueManifest u = roundTrip(ManifestCodec.fromJson(ManifestFixturesTest.fixture("unique-0.json"), UniqueManifest.class));
    // The parts on their own, and the variants the fixtures do not hold.
    roundTrip(v.versions());
    roundTrip(v.numerics());
    roundTrip(v.model());
    roundTrip(v.scaling());
    roundTrip(v.input());
    roundTrip(v.counts());
    roundTrip(v.training());
    roundTrip(v.scoring());
    roundTrip(v.timings());
    roundTrip(v.output());
    roundTrip(v.spark());
    roundTrip(e.experiment());
    roundTrip(e.methods().get("knn-shapley"));
    roundTrip(e.runs().get(1));
    roundTrip(e.runs().get(1).methods().get("random"));
    roundTrip(e.timings());
    roundTrip(e.counts());
    roundTrip(e.metrics().get("auroc"));
    roundTrip(u.model());
    roundTrip(u.counts());
    roundTrip(u.projection());
    roundTrip(u.selection());
    roundTrip(u.clustering());
    roundTrip(u.summary());
    roundTrip(u.perRowUs());
    roundTrip(u.timings());
    roundTrip(u.output());
    roundTrip(new UniqueManifest.Clustering(null, 0, null, null, null));
    roundTrip(new UniqueManifest.Summary(Map.of(), 0, null, null, null, null));
    roundTrip(new UniqueManifest.Model("snapshot-dir", null, "/s", 1, 3, 30, 0.25, List.of(4, 2), 10, "regressor"));
    roundTrip(RestartSummary.reused(3, 7));
    roundTrip(new RestartSummary(1, false, 5, true, new RestartSummary.ReplacedFile("/c/restart-00001.snap", "bad checksum", "/c/bad"),
        50L, 1.5, 0.25, 0.75, 2L));
    roundTrip(new InputCounts(10, 2, 8, Map.of("missing id", 2L), 5, 5, 3L, 3L, 2L, 1L, Map.of("feature length", 1L)));
    roundTrip(new InputCounts(10, 0, 10, Map.of(), 5, 5, null, null, null, null, null));
    roundTrip(new MetricSummary(null, null, java.util.Arrays.asList(null, null)));
    roundTrip(new ValueManifest.Scaling("none", null, null, "target"));
    roundTrip(new ValueManifest.Scaling("min-max", List.of(-1f, 0.5f), List.of(0.25f, 1f), "target-and-source"));
    roundTrip(new ValueManifest.Demo(3, 8, 200, 2000, 0.2));
    roundTrip(new ValueManifest.Invocation("scale", null, null, 1_000_000L));
    roundTrip(new EvaluateManifest.Timings(4.5, null));
    roundTrip(new EvaluateManifest.Experiment("regressor", 0, 0.0, 0.5, 0.1, null, null, null, null, null, null));
    roundTrip(new EvaluateManifest.MethodRun("dvgs-1", null, 1.0, Map.of("auroc", 0.5), 0.1, 0.0));
    roundTrip(new EvaluateManifest.SeedRun(4, null, 100, 10, 0, null, null, Map.of("load_s", 1.0), null));
    roundTrip(new ValueManifest(v.runId(), 9, null, null, new ValueManifest.Demo(3, 8, 200, 2000, 0.2), null, v.versions(), v.device(),
        v.numerics(), v.model(), v.scaling(), v.input(), v.counts(), v.training(), v.scoring(), v.timings(), Map.of("auroc", 0.9), v.output(),
        v.spark(), Map.of("seed", 9)));
  }

  @Test
  void namesAreSnakeCaseInOnePlace() {
    assertEquals(List.of("restart", "reused", "snapshots", "file_from_concurrent_run", "replaced_corrupt_file", "iterations", "first_loss",
        "last_loss", "seconds", "class_gradient_fallbacks"), ManifestCodec.fieldNames(RestartSummary.class));
    assertEquals(List.of("load_s", "train_s", "score_s", "aggregate_s", "total_s", "engine_s", "pack_s", "score_blocks_s", "write_s", "metrics_s"),
        ManifestCodec.fieldNames(ValueManifest.Timings.class));
    assertEquals(List.of("method", "similarity", "target_gradient", "preconditioner", "blocks", "partitions", "intra_op_threads_per_task", "sample_checkpoints",
        "sample_checkpoints_per_s"), ManifestCodec.fieldNames(ValueManifest.Scoring.class));
  }

  @Test
  void absentOptionalFieldsAreNotWritten() {
    Map<String, Object> reused = ManifestCodec.toMap(RestartSummary.reused(0, 4));
    assertEquals(Map.of("restart", 0, "reused", true, "snapshots", 4L), reused);
    Map<String, Object> summary = ManifestCodec.toMap(new MetricSummary(null, null, List.of()));
    assertTrue(summary.containsKey("mean"), "an undefined metric is written as null");
    assertNull(summary.get("mean"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theScalerIsWrittenAsShiftAndMultiplierAndItsOldNamesStillRead() {
    ValueManifest v = value();
    Map<String, Object> scaling = (Map<String, Object>) ManifestCodec.toMap(v).get("scaling");
    assertEquals(List.of("method", "shift", "multiplier", "fit_on"), new ArrayList<>(scaling.keySet()));
    Map<String, Object> old = (Map<String, Object>) valueTree().get("scaling");
    assertEquals(((List<Number>) old.get("mean")).get(3).floatValue(), v.scaling().shift().get(3));
    assertEquals(((List<Number>) old.get("scale")).get(3).floatValue(), v.scaling().multiplier().get(3));
    // A min-max scaler of an old manifest: min and scale.
    ValueManifest.Scaling minMax = ManifestCodec.fromMap(
        Map.of("method", "min-max", "min", List.of(1.0, 2.0), "scale", List.of(0.5, 0.25), "fit_on", "target"), ValueManifest.Scaling.class);
    assertEquals(List.of(1f, 2f), minMax.shift());
    assertEquals(List.of(0.5f, 0.25f), minMax.multiplier());
  }

  @Test
  void fieldsOfLaterVersionsAreIgnored() {
    Map<String, Object> tree = valueTree();
    tree.put("a_later_field", Map.of("x", 1));
    ((Map<String, Object>) ((List<?>) ((Map<?, ?>) tree.get("training")).get("restarts")).get(0)).put("gpu_seconds", 3.5);
    assertEquals(value(), ManifestCodec.fromJson(ManifestCodec.toJson(tree), ValueManifest.class));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aMissingFieldIsNamedByItsPath() {
    Map<String, Object> tree = valueTree();
    ((Map<String, Object>) ((List<?>) ((Map<?, ?>) tree.get("training")).get("restarts")).get(1)).remove("last_loss");
    assertEquals("training.restarts[1].last_loss is missing", messageOf(tree));

    tree = valueTree();
    tree.remove("run_id");
    assertEquals("run_id is missing", messageOf(tree));

    tree = valueTree();
    ((Map<String, Object>) tree.get("counts")).put("source_read", null);
    assertEquals("counts.source_read is null", messageOf(tree));

    tree = valueTree();
    ((Map<String, Object>) tree.get("spark")).remove("failed_task_attempts");
    assertEquals("spark.failed_task_attempts is missing", messageOf(tree));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aMalformedFieldIsNamedByItsPath() {
    Map<String, Object> tree = valueTree();
    ((Map<String, Object>) ((List<?>) ((Map<?, ?>) tree.get("training")).get("restarts")).get(0)).put("first_loss", "low");
    String m = messageOf(tree);
    assertTrue(m.startsWith("training.restarts[0].first_loss is malformed: "), m);

    tree = valueTree();
    tree.put("training", List.of(1, 2));
    assertEquals("training must be a JSON object (found array)", messageOf(tree));

    tree = valueTree();
    ((Map<String, Object>) tree.get("training")).put("restarts", "none");
    assertEquals("training.restarts must be a list (found string)", messageOf(tree));

    tree = valueTree();
    tree.put("seed", 1.5);
    assertTrue(messageOf(tree).startsWith("seed is malformed: "), messageOf(tree));

    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromJson("{\"run_id\": ", ValueManifest.class));
    assertTrue(e.getMessage().startsWith("is not JSON: "), e.getMessage());
    assertEquals("", e.field());
    assertEquals("is not a JSON object (found ARRAY)",
        assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromJson("[]", ValueManifest.class)).getMessage());
  }

  @Test
  void aTrainedRestartNeedsItsLossesAReusedOneDoesNot() {
    Map<String, Object> trained = new LinkedHashMap<>(Map.of("restart", 2, "reused", false, "snapshots", 4, "iterations", 40, "first_loss", 1.0,
        "seconds", 0.5));
    assertEquals("last_loss is missing",
        assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(trained, RestartSummary.class)).getMessage());
    trained.put("last_loss", 0.5);
    assertFalse(ManifestCodec.fromMap(trained, RestartSummary.class).reused());
  }
}
