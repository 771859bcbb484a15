package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** {@code bench-unique} measures every path and writes a manifest (correctness only: no timing assertions). */
class UniqueBenchTest {
  @Test
  void reportsCostPerRowAndRatios() {
    Path dir = SharedSpark.tempDir("bench-unique");
    String t = SyntheticData.write(SharedSpark.get(), SyntheticData.classification(2, "t", 100, 3, 5, 2.0, 0.0), dir.resolve("t").toString(), 1);
    String s = SyntheticData.write(SharedSpark.get(), SyntheticData.classification(2, "s", 300, 3, 5, 2.0, 0.0), dir.resolve("s").toString(), 2);
    String out = dir.resolve("out").toString();
    Map<String, Object> m = UniqueBench.run(SharedSpark.get(), TestConfigs.of(
        "input.source.path=\"" + s + "\"", "input.target.path=\"" + t + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.batch-size=50", "training.epochs=5", "unique.sample-size=200", "unique.batch-size=64",
        "bench.rows=500", "bench.rounds=2", "bench.threads=1", "output.path=\"" + out + "\""));
    Map<?, ?> perRow = (Map<?, ?>) m.get("per_row_us");
    for (String k : List.of("ghost", "project", "project_and_select")) {
      assertTrue(((Number) perRow.get(k)).doubleValue() > 0, k);
    }
    Map<?, ?> setup = (Map<?, ?>) m.get("setup");
    assertEquals(200, ((Number) setup.get("rows")).intValue());
    assertEquals(3, ((Number) setup.get("passes_per_block")).intValue());
    assertTrue(((Number) setup.get("kept")).intValue() >= 3, "kept " + setup.get("kept"));
    Map<?, ?> r = (Map<?, ?>) m.get("ratios");
    assertEquals(((Number) perRow.get("project")).doubleValue() / ((Number) perRow.get("ghost")).doubleValue(),
        ((Number) r.get("project_over_ghost")).doubleValue(), 1e-9);
    assertEquals(2, ((List<?>) r.get("project_and_select_over_ghost_per_round")).size());
    assertTrue(new java.io.File(out, "manifest.json").isFile());
  }
}
