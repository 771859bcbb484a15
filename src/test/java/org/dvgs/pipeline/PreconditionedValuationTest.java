package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.Auroc;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scoring.preconditioner = adam} end to end: the same table whatever the partitioning and batch size, its
 * snapshots kept apart from unpreconditioned ones, and a snapshot file without the weights never scored.
 */
class PreconditionedValuationTest {
  static SparkSession spark;
  static Path dir;
  static String source;
  static String target;

  @BeforeAll
  static void data() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("preconditioned");
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
        "scoring.train-mode-dropout=true", "output.path=\"" + out + "\""));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  static ValuationJob.Outcome run(String name, String... more) {
    return ValuationJob.run(spark, ValuationRequest.of(config(dir.resolve(name).toString(), more)));
  }

  static Map<String, Double> values(ValuationJob.Outcome o) {
    Map<String, Double> m = new HashMap<>();
    for (Row r : o.values().collectAsList()) {
      m.put(r.getString(0), r.getDouble(1));
    }
    return m;
  }

  static Map<?, ?> training(ValuationJob.Outcome o) {
    return (Map<?, ?>) org.dvgs.output.ManifestCodec.toMap(o.manifest()).get("training");
  }

  @Test
  void deterministicAndKeptApartFromUnpreconditionedSnapshots() throws Exception {
    String adam = "scoring.preconditioner=adam";
    String ckpt = dir.resolve("checkpoints").toString();
    String shared = "training.checkpoint-dir=\"" + ckpt + "\"";
    ValuationJob.Outcome a = run("a", adam, shared, "scoring.partitions=3", "scoring.batch-size=64");
    ValuationJob.Outcome b = run("b", adam, "scoring.partitions=1", "scoring.batch-size=17");
    Map<String, Double> va = values(a);
    Map<String, Double> vb = values(b);
    assertEquals(600, va.size());
    for (Map.Entry<String, Double> e : va.entrySet()) {
      assertTrue(Double.isFinite(e.getValue()), e.getKey());
      assertEquals(e.getValue(), vb.get(e.getKey()), 0.0, "value of " + e.getKey() + " under another partitioning and batch size");
    }

    // Unpreconditioned into the same checkpoint directory: its own fingerprint, nothing reused either way.
    ValuationJob.Outcome n = run("n", "scoring.preconditioner=none", shared);
    ValuationJob.Outcome a2 = run("a2", adam, shared);
    // The default, auto, is adam with the Adam optimizer: the same fingerprint, the snapshots reused, the same values.
    ValuationJob.Outcome d = run("d", shared);
    assertEquals(training(a).get("fingerprint"), training(d).get("fingerprint"));
    assertEquals(2, training(d).get("restarts_reused"));
    assertEquals("adam", d.manifest().scoring().preconditioner());
    assertEquals("none", n.manifest().scoring().preconditioner());
    assertEquals(va, values(d));
    assertNotEquals(training(a).get("fingerprint"), training(n).get("fingerprint"));
    assertEquals(0, training(n).get("restarts_reused"));
    assertEquals(2, training(a2).get("restarts_reused"));
    Map<String, Double> vn = values(n);
    Map<String, Double> va2 = values(a2);
    int differ = 0;
    for (Map.Entry<String, Double> e : va.entrySet()) {
      assertEquals(e.getValue(), va2.get(e.getKey()), 0.0, "reused preconditioned snapshots, " + e.getKey());
      differ += Math.abs(e.getValue() - vn.get(e.getKey())) > 1e-4 ? 1 : 0;
    }
    assertTrue(differ > 500, differ + " of 600 values differ between adam and none");

    // The flipped labels are found in both metrics.
    Map<String, Boolean> truth = new HashMap<>();
    for (Row r : spark.read().parquet(source).select("id", "corrupted").collectAsList()) {
      truth.put(r.getString(0), r.getBoolean(1));
    }
    for (Map<String, Double> v : List.of(va, vn)) {
      double[] scores = new double[v.size()];
      boolean[] pos = new boolean[v.size()];
      int i = 0;
      for (Map.Entry<String, Double> e : v.entrySet()) {
        scores[i] = -e.getValue();
        pos[i++] = truth.get(e.getKey());
      }
      assertTrue(Auroc.of(scores, pos) > 0.7, "AUROC " + Auroc.of(scores, pos));
    }

    // A file without the weights under the preconditioned fingerprint (copied there by hand) is not scored: it is
    // moved aside, that restart is trained again, and the values are the preconditioned ones.
    Path adamDir = Paths.get(ckpt, (String) training(a).get("fingerprint"));
    Path noneDir = Paths.get(ckpt, (String) training(n).get("fingerprint"));
    Files.copy(noneDir.resolve("restart-00001.snap"), adamDir.resolve("restart-00001.snap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ValuationJob.Outcome a3 = run("a3", adam, shared);
    assertEquals(1, training(a3).get("restarts_reused"));
    try (var aside = Files.list(adamDir)) {
      assertEquals(1, aside.filter(p -> p.getFileName().toString().startsWith("restart-00001.snap.corrupt-")).count());
    }
    Map<String, Double> va3 = values(a3);
    for (Map.Entry<String, Double> e : va.entrySet()) {
      assertEquals(e.getValue(), va3.get(e.getKey()), 0.0, "after retraining restart 1, " + e.getKey());
    }
  }
}
