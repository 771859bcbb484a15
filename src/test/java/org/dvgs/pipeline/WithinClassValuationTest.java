package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.ManifestCodec;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.Auroc;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Within-class valuation end to end: deterministic, its snapshots kept apart from batch-gradient ones. */
class WithinClassValuationTest {
  static SparkSession spark;
  static Path dir;
  static String source;
  static String target;

  @BeforeAll
  static void data() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("within-class");
    target = SyntheticData.write(spark, SyntheticData.classification(8, "t", 180, 3, 8, 1.2, 0.0), dir.resolve("target").toString(), 1);
    source = SyntheticData.write(spark, SyntheticData.classification(8, "s", 600, 3, 8, 1.2, 0.2), dir.resolve("source").toString(), 3);
  }

  static DvgsConfig config(String out, String... more) {
    List<String> o = new java.util.ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "input.scaling.method=z-score",
        "model.hidden=[16,16]", "model.activation=mish", "model.dropout=0.3", "model.per-sample-norm=true",
        "model.class-balanced=true",
        "training.batch-size=60", "training.epochs=3", "training.restarts=2", "training.learning-rate=0.01",
        "scoring.batch-size=64", "scoring.partitions=3", "output.path=\"" + out + "\""));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  static Map<String, Double> values(ValuationJob.Outcome o) {
    Map<String, Double> m = new HashMap<>();
    for (Row r : o.values().collectAsList()) {
      m.put(r.getString(0), r.getDouble(1));
    }
    return m;
  }

  static Map<?, ?> section(ValuationJob.Outcome o, String key) {
    return (Map<?, ?>) ManifestCodec.toMap(o.manifest()).get(key);
  }

  @Test
  void sameTableTwiceAndSnapshotsNotConfusedWithBatchOnes() {
    String ckpt = dir.resolve("checkpoints").toString();
    String shared = "training.checkpoint-dir=\"" + ckpt + "\"";
    String within = "scoring.target-gradient=within-class";
    ValuationJob.Outcome a = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("a").toString(), within)));
    ValuationJob.Outcome b = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("b").toString(), within)));
    Map<String, Double> va = values(a);
    Map<String, Double> vb = values(b);
    assertEquals(600, va.size());
    assertEquals("within-class", section(a, "scoring").get("target_gradient"));
    for (Map.Entry<String, Double> e : va.entrySet()) {
      assertEquals(e.getValue(), vb.get(e.getKey()), 0.0, "value of " + e.getKey());
    }

    // Training once with per-class gradients, once without, into one checkpoint directory: two fingerprints.
    ValuationJob.Outcome w1 = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("w1").toString(), within, shared)));
    ValuationJob.Outcome d1 = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("d1").toString(), shared)));
    ValuationJob.Outcome w2 = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("w2").toString(), within, shared)));
    ValuationJob.Outcome d2 = ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve("d2").toString(), shared)));
    assertNotEquals(section(w1, "training").get("fingerprint"), section(d1, "training").get("fingerprint"));
    assertEquals(0, section(w1, "training").get("restarts_reused"));
    assertEquals(0, section(d1, "training").get("restarts_reused"));
    assertEquals(2, section(w2, "training").get("restarts_reused"));
    assertEquals(2, section(d2, "training").get("restarts_reused"));
    Map<String, Double> vw = values(w2);
    Map<String, Double> vd = values(d2);
    int differ = 0;
    for (Map.Entry<String, Double> e : va.entrySet()) {
      assertEquals(e.getValue(), vw.get(e.getKey()), 0.0, "reused within-class snapshots, " + e.getKey());
      differ += Math.abs(e.getValue() - vd.get(e.getKey())) > 1e-4 ? 1 : 0;
    }
    assertTrue(differ > 500, differ + " of 600 values differ between within-class and batch");

    // Both find the flipped labels.
    Map<String, Boolean> truth = new HashMap<>();
    for (Row r : spark.read().parquet(source).select("id", "corrupted").collectAsList()) {
      truth.put(r.getString(0), r.getBoolean(1));
    }
    for (Map<String, Double> v : List.of(va, vd)) {
      double[] scores = new double[v.size()];
      boolean[] pos = new boolean[v.size()];
      int i = 0;
      for (Map.Entry<String, Double> e : v.entrySet()) {
        scores[i] = -e.getValue();
        pos[i++] = truth.get(e.getKey());
      }
      assertTrue(Auroc.of(scores, pos) > 0.8, "AUROC " + Auroc.of(scores, pos));
    }
  }
}
