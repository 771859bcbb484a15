package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.Manifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.ValueManifest;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/**
 * The phase breakdown in the manifests' timings: every phase is there, and the phases fit inside the stages and the
 * whole they are part of (consistency of the clock readings, not their size).
 */
class PhaseTimingsTest {
  private static final double EPS = 1e-6;

  @Test
  void evaluateAndEachSeedRecordTheirPhasesAndThePhasesAddUp() {
    Path dir = SharedSpark.tempDir("phases");
    // A wide layer and a small block budget split the snapshots into several scoring jobs, each timed.
    String[] base = EvaluateRunTest.inputs(dir, 600);
    Map<String, Object> map = org.dvgs.output.ManifestCodec.toMap(EvaluateRun.run(SharedSpark.get(), EvaluateRunTest.config(base,
        "evaluation.seeds=[1, 2]", "evaluation.source-sample-size=300", "evaluation.label-flip-fraction=0.2",
        "evaluation.metrics=[auroc]", "model.hidden=[2000]", "scoring.block-memory-mb=1")));
    EvaluateManifest m = ManifestCodec.fromMap(map, EvaluateManifest.class);
    EvaluateManifest.Timings t = m.timings();
    for (Double phase : new Double[] {t.readS(), t.engineS(), t.seedsS(), t.writeS(), t.manifestS(), t.sinceJvmStartS()}) {
      assertNotNull(phase, "every phase of the experiment is recorded: " + t);
      assertTrue(phase >= 0, t.toString());
    }
    double phases = t.readS() + t.engineS() + t.seedsS() + t.writeS();
    assertTrue(phases <= t.totalS() + EPS, "phases " + phases + " within the total " + t.totalS());
    assertTrue(phases >= 0.5 * t.totalS(), "the phases cover the experiment's work: " + t);
    assertTrue(t.sinceJvmStartS() >= t.totalS(), t.toString());

    double seedTotals = 0;
    for (EvaluateManifest.SeedRun r : m.runs()) {
      Map<String, Double> s = r.timings();
      for (String k : List.of("load_s", "engine_s", "train_s", "pack_s", "score_s", "write_s", "metrics_s", "aggregate_s", "total_s", "manifest_s")) {
        assertNotNull(s.get(k), "seed " + r.seed() + " records " + k + ": " + s);
        assertTrue(s.get(k) >= 0, k + " " + s);
      }
      assertTrue(s.get("pack_s") <= s.get("score_s") + EPS, s.toString());
      assertTrue(s.get("write_s") + s.get("metrics_s") <= s.get("aggregate_s") + EPS, s.toString());
      double stages = s.get("load_s") + s.get("engine_s") + s.get("train_s") + s.get("score_s") + s.get("aggregate_s");
      assertTrue(stages <= s.get("total_s") + EPS, "stages " + stages + " within the run " + s);
      seedTotals += s.get("total_s");

      ValueManifest v = Manifest.read(SharedSpark.get().sparkContext().hadoopConfiguration(),
          dir.resolve("out").resolve("seed-" + r.seed()).toString(), ValueManifest.class);
      ValueManifest.Timings vt = v.timings();
      assertTrue(v.scoring().blocks() > 1, "several blocks: " + v.scoring());
      assertEquals(v.scoring().blocks(), vt.scoreBlocksS().size(), "one time per scoring block");
      double blocks = vt.scoreBlocksS().stream().mapToDouble(Double::doubleValue).sum();
      assertTrue(vt.packS() + blocks <= vt.scoreS() + EPS, "packing and blocks within scoring: " + vt);
      assertTrue(vt.packS() + blocks >= 0.5 * vt.scoreS(), "packing and blocks are most of scoring: " + vt);
      assertEquals(s.get("train_s"), vt.trainS(), EPS, "the seed's timings are its run's");
    }
    assertTrue(seedTotals <= t.seedsS() + EPS, "seed runs " + seedTotals + " within the seeds phase " + t.seedsS());
  }
}
