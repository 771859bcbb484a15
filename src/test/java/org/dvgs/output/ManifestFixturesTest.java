package org.dvgs.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Manifests written before manifests were records (src/test/resources/manifests) read through the records, and
 * written again hold every key and value they held, but the scaler's renamed parameters.
 */
class ManifestFixturesTest {
  static String fixture(String name) {
    try (InputStream in = ManifestFixturesTest.class.getResourceAsStream("/manifests/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> tree(String json) {
    return (Map<String, Object>) ManifestCodec.parse(json);
  }

  /** The old JSON with the scaler's parameters under their new names. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> renamedScaler(Map<String, Object> old) {
    Map<String, Object> m = new LinkedHashMap<>(old);
    Map<String, Object> s = new LinkedHashMap<>();
    ((Map<String, Object>) old.get("scaling")).forEach((k, v) -> s.put(switch (k) {
      case "mean", "min" -> "shift";
      case "scale" -> "multiplier";
      default -> k;
    }, v));
    m.put("scaling", s);
    return m;
  }

  @Test
  void oldValueManifestReadsAndWritesEveryKeyAgain() {
    String json = fixture("value-0.json");
    ValueManifest v = ManifestCodec.fromJson(json, ValueManifest.class);
    assertEquals("value", v.command());
    assertEquals("z-score", v.scaling().method());
    assertEquals(8, v.scaling().shift().size());
    assertEquals(8, v.scaling().multiplier().size());
    assertEquals(2, v.training().restarts().size());
    assertFalse(v.training().restarts().get(1).reused());
    assertTrue(v.training().restarts().get(1).lastLoss() > 0);
    assertEquals(v.counts().sourceRead(), v.counts().sourceValid() + v.counts().sourceRejected());
    assertEquals(renamedScaler(tree(json)), tree(ManifestCodec.toJson(v)));
  }

  @Test
  void oldEvaluateSeedManifestReadsWithItsExperiment() {
    String json = fixture("evaluate-seed-0.json");
    ValueManifest v = ManifestCodec.fromJson(json, ValueManifest.class);
    assertEquals("evaluate", v.command());
    assertEquals(List.of("dvgs", "random", "knn-shapley"), v.experiment().methods());
    assertEquals(renamedScaler(tree(json)), tree(ManifestCodec.toJson(v)));
  }

  @Test
  void oldEvaluateManifestReadsAndWritesEveryKeyAgain() {
    String json = fixture("evaluate-0.json");
    EvaluateManifest e = ManifestCodec.fromJson(json, EvaluateManifest.class);
    assertEquals(List.of(1L, 2L), e.seeds());
    assertEquals(List.of("dvgs", "random", "knn-shapley"), e.methodNames());
    assertEquals(e.metrics(), e.methods().get("dvgs").metrics());
    assertEquals(2, e.runs().size());
    assertEquals(3, e.runs().get(0).methods().size());
    assertTrue(e.runtimeRatios().containsKey("random/dvgs"));
    assertEquals(tree(json), tree(ManifestCodec.toJson(e)));
  }

  @Test
  void oldUniqueManifestReadsAndWritesEveryKeyAgain() {
    String json = fixture("unique-0.json");
    UniqueManifest u = ManifestCodec.fromJson(json, UniqueManifest.class);
    assertEquals("unique", u.command());
    assertEquals(u.counts().sampled(), u.summary().clusters().values().stream().mapToLong(UniqueManifest.Cell::rows).sum());
    assertEquals("trained", u.model().source());
    assertEquals(tree(json), tree(ManifestCodec.toJson(u)));
  }

  /**
   * The manifests {@code bench}, {@code bench-unique}, {@code ingest} and {@code scale} wrote before they were records
   * read through the records and, written again, are the same JSON.
   */
  @Test
  void oldBenchIngestAndScaleManifestsReadAndWriteEveryKeyAgain() {
    Map<String, Class<? extends Record>> kinds = Map.of("bench-0.json", BenchManifest.class, "bench-unique-0.json", BenchUniqueManifest.class,
        "ingest-0.json", IngestManifest.class, "scale-0.json", ScaleManifest.class);
    for (Map.Entry<String, Class<? extends Record>> k : kinds.entrySet()) {
      String json = fixture(k.getKey());
      assertEquals(tree(json), tree(ManifestCodec.toJson(ManifestCodec.fromJson(json, k.getValue()))), k.getKey());
    }
    BenchManifest b = ManifestCodec.fromJson(fixture("bench-0.json"), BenchManifest.class);
    assertEquals(BenchManifest.COMMAND, b.command());
    assertEquals(b.setup().rounds(), b.rounds().ghost().size());
    assertEquals(b.throughput().ghostSamplesPerS() / b.throughput().trainStepSamplesPerS(), b.ratios().ghostOverTrainStep(), 1e-12);
    BenchUniqueManifest u = ManifestCodec.fromJson(fixture("bench-unique-0.json"), BenchUniqueManifest.class);
    assertEquals(u.setup().rounds(), u.rounds().project().size());
    IngestManifest i = ManifestCodec.fromJson(fixture("ingest-0.json"), IngestManifest.class);
    assertEquals(i.genes(), i.geneIds().size());
    assertEquals(i.rows(), i.apc().signaturesWithApc() + i.apc().signaturesWithoutApc());
    assertEquals(i.source().samples(), i.rows());
    ScaleManifest sc = ManifestCodec.fromJson(fixture("scale-0.json"), ScaleManifest.class);
    assertEquals(2, sc.runs().size());
    assertEquals(sc.runs().get(1).scoringUsPerSampleCheckpoint() / sc.runs().get(0).scoringUsPerSampleCheckpoint(), sc.costRatioLargestToSmallest(), 1e-12);
    for (ScaleManifest.Run r : sc.runs()) {
      assertEquals(r.sourceValued() * r.checkpoints(), r.sampleCheckpoints());
    }
  }

  @Test
  void aMissingOrMalformedFieldIsNamedByItsPath() {
    Map<String, Object> bench = tree(fixture("bench-0.json"));
    Map<String, Object> throughput = new LinkedHashMap<>(map(bench.get("throughput")));
    throughput.remove("naive_samples_per_s");
    bench.put("throughput", throughput);
    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(bench, BenchManifest.class));
    assertEquals("throughput.naive_samples_per_s is missing", e.getMessage());
    Map<String, Object> scale = tree(fixture("scale-0.json"));
    List<Object> runs = new java.util.ArrayList<>((List<?>) scale.get("runs"));
    Map<String, Object> run = new LinkedHashMap<>(map(runs.get(1)));
    run.put("heap_this_jvm", List.of(1, 2));
    runs.set(1, run);
    scale.put("runs", runs);
    e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(scale, ScaleManifest.class));
    assertTrue(e.getMessage().startsWith("runs[1].heap_this_jvm must be a JSON object"), e.getMessage());
    Map<String, Object> ingest = tree(fixture("ingest-0.json"));
    ingest.remove("gene_ids");
    e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(ingest, IngestManifest.class));
    assertEquals("gene_ids is missing", e.getMessage());
  }

  /** The manifest {@code l1000} wrote before it was a record reads through it and, written again, is the same JSON. */
  @Test
  void oldL1000ManifestReadsAndWritesEveryKeyAgain() {
    String json = fixture("l1000-0.json");
    L1000Manifest l = ManifestCodec.fromJson(json, L1000Manifest.class);
    assertEquals(L1000Manifest.COMMAND, l.command());
    assertEquals("autoencoder", l.valuation().model().task());
    assertEquals(l.valuation().counts().sourceValued(), l.metrics().valueVsApc().n());
    assertEquals("r2", l.metrics().retrainMetric());
    assertEquals(2 * (1 + 2), l.metrics().retrainCurves().size());
    for (L1000Manifest.CurvePoint c : l.metrics().retrainCurves()) {
      assertNull(c.auroc());
      assertEquals(c.r2(), c.score(), 0.0);
    }
    assertEquals(l.valuation().counts().testValid(), l.metrics().retrainTestRows());
    assertEquals(l.valuation().timings().totalS(), l.timings().valuationS(), 0.0);
    assertTrue(l.valuation().output().values().endsWith("/values"));
    assertTrue(l.output().valuesWithMetadata().endsWith("/values_with_metadata"));
    assertEquals(tree(json), tree(ManifestCodec.toJson(l)));
    assertEquals(tree(json), tree(ManifestCodec.toJson(ManifestCodec.toMap(l))));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aMissingOrMalformedL1000FieldIsNamedWithItsFile() throws IOException {
    Map<String, Object> noRetrain = tree(fixture("l1000-0.json"));
    ((Map<String, Object>) noRetrain.get("timings")).remove("retrain_s");
    ManifestFormatException e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(noRetrain, L1000Manifest.class));
    assertEquals("timings.retrain_s is missing", e.getMessage());
    Map<String, Object> noTraining = tree(fixture("l1000-0.json"));
    noTraining.remove("training");
    e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(noTraining, L1000Manifest.class));
    assertEquals("training is missing", e.getMessage());
    Map<String, Object> badCurve = tree(fixture("l1000-0.json"));
    ((List<Object>) ((Map<String, Object>) badCurve.get("metrics")).get("retrain_curves")).set(1, "x");
    e = assertThrows(ManifestFormatException.class, () -> ManifestCodec.fromMap(badCurve, L1000Manifest.class));
    assertTrue(e.getMessage().startsWith("metrics.retrain_curves[1] must be a JSON object"), e.getMessage());

    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dvgs-l1000-manifest");
    try {
      Map<String, Object> noSpearman = tree(fixture("l1000-0.json"));
      ((Map<String, Object>) ((Map<String, Object>) noSpearman.get("metrics")).get("value_vs_apc")).remove("spearman");
      java.nio.file.Files.writeString(dir.resolve("manifest.json"), ManifestCodec.toJson(noSpearman));
      org.dvgs.core.InputException f = assertThrows(org.dvgs.core.InputException.class,
          () -> Manifest.read(new org.apache.hadoop.conf.Configuration(), dir.toString(), L1000Manifest.class));
      assertTrue(f.getMessage().endsWith("manifest.json: metrics.value_vs_apc.spearman is missing"), f.getMessage());
      assertTrue(f.getMessage().contains(dir.toString()), f.getMessage());
    } finally {
      java.nio.file.Files.deleteIfExists(dir.resolve("manifest.json"));
      java.nio.file.Files.deleteIfExists(dir);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void aReusedRestartNeedsNoLosses() {
    RestartSummary r = ManifestCodec.fromMap(Map.of("restart", 0, "reused", true, "snapshots", 4), RestartSummary.class);
    assertEquals(RestartSummary.reused(0, 4), r);
    assertNull(r.lastLoss());
  }
}
