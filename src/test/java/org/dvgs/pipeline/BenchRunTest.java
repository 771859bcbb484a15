package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** {@code bench} measures every path and writes a manifest (correctness only: no timing assertions). */
class BenchRunTest {
  @Test
  void reportsThroughputAndRatios() {
    String out = SharedSpark.tempDir("bench").resolve("out").toString();
    Map<String, Object> m = BenchRun.run(TestConfigs.of(
        "model.task=autoencoder", "model.hidden=[32, 8, 32]", "bench.input-width=64", "bench.rows=512",
        "bench.rounds=2", "bench.naive-rows=16", "bench.threads=1", "scoring.batch-size=128", "output.path=\"" + out + "\""));
    Map<?, ?> t = (Map<?, ?>) m.get("throughput");
    for (String k : new String[] {"ghost_samples_per_s", "naive_samples_per_s", "train_step_samples_per_s", "forward_samples_per_s"}) {
      assertTrue(((Number) t.get(k)).doubleValue() > 0, k);
    }
    Map<?, ?> r = (Map<?, ?>) m.get("ratios");
    assertEquals(((Number) t.get("ghost_samples_per_s")).doubleValue() / ((Number) t.get("train_step_samples_per_s")).doubleValue(),
        ((Number) r.get("ghost_over_train_step")).doubleValue(), 1e-9);
    assertTrue(new java.io.File(out, "manifest.json").isFile());
  }
}
