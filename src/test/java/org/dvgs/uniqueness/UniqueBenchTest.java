package org.dvgs.uniqueness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.pipeline.BenchRunTest;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * {@code bench-unique} measures every path and writes a manifest (correctness only: no timing assertions): the
 * per-round costs it lists, the medians and ratios recomputed from them, and the time they stand for.
 */
class UniqueBenchTest {
  static final List<String> PATHS = List.of("ghost", "project", "project_and_select");

  @Test
  @SuppressWarnings("unchecked")
  void reportsCostPerRowAndRatios() {
    Path dir = SharedSpark.tempDir("bench-unique");
    String t = SyntheticData.write(SharedSpark.get(), SyntheticData.classification(2, "t", 100, 3, 5, 2.0, 0.0), dir.resolve("t").toString(), 1);
    String s = SyntheticData.write(SharedSpark.get(), SyntheticData.classification(2, "s", 300, 3, 5, 2.0, 0.0), dir.resolve("s").toString(), 2);
    String out = dir.resolve("out").toString();
    int rounds = 3;
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(UniqueBench.run(SharedSpark.get(), TestConfigs.of(
        "input.source.path=\"" + s + "\"", "input.target.path=\"" + t + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.batch-size=50", "training.epochs=5", "unique.sample-size=200", "unique.batch-size=64",
        "bench.rows=500", "bench.rounds=" + rounds, "bench.threads=1", "output.path=\"" + out + "\"")));
    Map<?, ?> setup = (Map<?, ?>) m.get("setup");
    assertEquals(200, ((Number) setup.get("rows")).intValue());
    assertEquals(3, ((Number) setup.get("passes_per_block")).intValue(), "whole passes over 200 rows covering bench.rows = 500");
    int kept = ((Number) setup.get("kept")).intValue();
    assertTrue(kept >= 3 && kept < 200, "kept " + kept + " of 200");

    Map<?, ?> perRow = (Map<?, ?>) m.get("per_row_us");
    Map<String, List<Double>> perRound = (Map<String, List<Double>>) m.get("rounds");
    double microseconds = 0;
    for (String k : PATHS) {
      List<Double> r = perRound.get(k);
      assertEquals(rounds, r.size(), k + ": one cost per measured round, the warm-up round not among them");
      for (double us : r) {
        assertTrue(us > 0 && Double.isFinite(us), k + " cost " + us);
        microseconds += us * 3 * 200;
      }
      assertEquals(BenchRunTest.median(r), ((Number) perRow.get(k)).doubleValue(), 0.0, k + ": the median round");
    }
    // The rounds' timed blocks are part of the run's wall time: costs are microseconds per row, not per block or so.
    double total = ((Number) ((Map<?, ?>) m.get("timings")).get("total_s")).doubleValue();
    assertTrue(microseconds / 1e6 < total, "the timed blocks take " + microseconds / 1e6 + " s of a " + total + " s run");

    Map<?, ?> r = (Map<?, ?>) m.get("ratios");
    double ghost = BenchRunTest.median(perRound.get("ghost"));
    assertEquals(BenchRunTest.median(perRound.get("project")) / ghost, ((Number) r.get("project_over_ghost")).doubleValue(), 1e-12);
    assertEquals(BenchRunTest.median(perRound.get("project_and_select")) / ghost, ((Number) r.get("project_and_select_over_ghost")).doubleValue(), 1e-12);
    List<Double> each = (List<Double>) r.get("project_and_select_over_ghost_per_round");
    assertEquals(rounds, each.size());
    for (int i = 0; i < rounds; i++) {
      assertEquals(perRound.get("project_and_select").get(i) / perRound.get("ghost").get(i), each.get(i), 1e-12, "round " + i);
    }
    assertTrue(new java.io.File(out, "manifest.json").isFile());
  }
}
