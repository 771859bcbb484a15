package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.dvgs.cli.DemoDefaultsAccess;
import org.dvgs.config.DvgsConfig;
import org.dvgs.output.Manifest;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** The embedded demo finds its flipped labels, and its manifest is complete. */
class DemoRunTest {
  @Test
  void demoFindsFlippedLabels() {
    String out = new File(SharedSpark.tempDir("demo").toFile(), "out").toString();
    DvgsConfig cfg = DemoDefaultsAccess.load(List.of("output.path=\"" + out + "\""));
    ValuationJob.Outcome o = DemoRun.run(SharedSpark.get(), cfg);
    double auroc = (double) o.manifest().metrics().get("auroc");
    assertTrue(auroc >= 0.85, "demo AUROC " + auroc);
    Map<String, Object> m = Manifest.read(SharedSpark.get().sparkContext().hadoopConfiguration(), out);
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    assertEquals(3000, ((Number) counts.get("source_read")).intValue());
    assertEquals(
        ((Number) counts.get("source_read")).longValue(),
        ((Number) counts.get("source_valued")).longValue() + ((Number) counts.get("source_rejected")).longValue());
    for (String k : List.of("config", "versions", "seed", "timings", "scoring", "training", "scaling", "metrics", "output")) {
      assertTrue(m.containsKey(k), "manifest lacks " + k);
    }
    assertEquals(3000L, SharedSpark.get().read().parquet(out + "/values").count());
  }
}
