package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * {@code bench} measures every path and writes a manifest (correctness only: no timing assertions): the per-round
 * rates it lists, the medians and ratios recomputed from them, the time they stand for, and that ghost and naive
 * scoring, whose speeds it compares, compute the same similarities.
 */
public class BenchRunTest {
  static final List<String> PATHS = List.of("ghost", "train_step", "forward", "naive");

  /** The median of {@code v}, as the bench computes it. */
  public static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  static double number(Map<?, ?> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  @Test
  @SuppressWarnings("unchecked")
  void reportsThroughputAndRatios() {
    String out = SharedSpark.tempDir("bench").resolve("out").toString();
    int rounds = 3;
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(BenchRun.run(TestConfigs.of(
        "model.task=autoencoder", "model.hidden=[32, 8, 32]", "bench.input-width=64", "bench.rows=512",
        "bench.rounds=" + rounds, "bench.naive-rows=16", "bench.threads=1", "scoring.batch-size=128", "output.path=\"" + out + "\"")));
    Map<?, ?> t = (Map<?, ?>) m.get("throughput");
    Map<String, List<Double>> perRound = (Map<String, List<Double>>) m.get("rounds");
    double seconds = 0;
    for (String k : PATHS) {
      List<Double> r = perRound.get(k);
      assertEquals(rounds, r.size(), k + ": one rate per measured round, the warm-up round not among them");
      for (double rate : r) {
        assertTrue(rate > 0 && Double.isFinite(rate), k + " rate " + rate);
        seconds += (k.equals("naive") ? 16 : 512) / rate;
      }
      assertEquals(median(r), number(t, k + "_samples_per_s"), 0.0, k + ": the median round");
    }
    // The measured rounds took part of the run's wall time: rates are rows per second, not per millisecond or so.
    double total = number((Map<?, ?>) m.get("timings"), "total_s");
    assertTrue(seconds < total, "the rounds' rows at their rates take " + seconds + " s of a " + total + " s run");

    Map<?, ?> r = (Map<?, ?>) m.get("ratios");
    double ghost = median(perRound.get("ghost"));
    assertEquals(ghost / median(perRound.get("train_step")), number(r, "ghost_over_train_step"), 1e-12);
    assertEquals(ghost / median(perRound.get("naive")), number(r, "ghost_over_naive"), 1e-12);
    assertEquals(ghost / median(perRound.get("forward")), number(r, "ghost_over_forward"), 1e-12);
    List<Double> each = (List<Double>) r.get("ghost_over_train_step_per_round");
    assertEquals(rounds, each.size());
    for (int i = 0; i < rounds; i++) {
      assertEquals(perRound.get("ghost").get(i) / perRound.get("train_step").get(i), each.get(i), 1e-12, "round " + i);
    }

    // Ghost scoring is timed against naive per-sample backward passes of the same similarities: they agree.
    Map<?, ?> agreement = (Map<?, ?>) m.get("agreement");
    assertEquals(16, ((Number) agreement.get("rows")).intValue());
    // Cosine similarities; measured 2.8e-8 apart, while a wrong path would be off by far more than 1e-5.
    double diff = number(agreement, "ghost_vs_naive_max_abs_difference");
    assertTrue(diff < 1e-5, "ghost and naive similarities differ by " + diff);
    assertTrue(new java.io.File(out, "manifest.json").isFile());

    // The versions a run records, Spark's and Scala's included, though the bench starts no Spark session.
    Map<?, ?> versions = (Map<?, ?>) m.get("versions");
    assertEquals(org.apache.spark.package$.MODULE$.SPARK_VERSION(), versions.get("spark"));
    assertEquals(scala.util.Properties.versionNumberString(), versions.get("scala"));
    assertTrue(versions.containsKey("dvgs_spark"), "versions " + versions);
  }

  /**
   * With {@code bench.snapshots} above one every row is scored against that many snapshots: the ghost and naive
   * rates count sample-checkpoints, the setup records the snapshots and how many the ghost path scored per pass
   * (stacked, or one at a time when {@code checkpoint-batch = 1}), and ghost still agrees with naive on every
   * snapshot.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"0, 3", "1, 1", "auto, 3"})
  @SuppressWarnings("unchecked")
  void scoresAgainstSeveralSnapshots(String checkpointBatch, int perPass) {
    String out = SharedSpark.tempDir("bench-snapshots").resolve("out").toString();
    int rounds = 2;
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(BenchRun.run(TestConfigs.of(
        "model.task=autoencoder", "model.hidden=[16]", "bench.input-width=32", "bench.rows=256", "bench.snapshots=3",
        "bench.rounds=" + rounds, "bench.naive-rows=8", "bench.threads=1", "scoring.batch-size=64",
        "scoring.checkpoint-batch=" + checkpointBatch, "output.path=\"" + out + "\"")));
    Map<?, ?> setup = (Map<?, ?>) m.get("setup");
    assertEquals(3, ((Number) setup.get("snapshots")).intValue());
    assertEquals(checkpointBatch, setup.get("checkpoint_batch"));
    assertEquals(perPass, ((Number) setup.get("snapshots_per_pass")).intValue());
    Map<String, List<Double>> perRound = (Map<String, List<Double>>) m.get("rounds");
    // 256 rows x 3 snapshots per ghost round and 8 x 3 per naive round, at the reported rates, fit in the run.
    double seconds = 0;
    for (double rate : perRound.get("ghost")) {
      seconds += 256 * 3 / rate;
    }
    for (double rate : perRound.get("naive")) {
      seconds += 8 * 3 / rate;
    }
    double total = number((Map<?, ?>) m.get("timings"), "total_s");
    assertTrue(seconds < total, "the scored sample-checkpoints at their rates take " + seconds + " s of a " + total + " s run");
    Map<?, ?> agreement = (Map<?, ?>) m.get("agreement");
    double diff = number(agreement, "ghost_vs_naive_max_abs_difference");
    assertTrue(diff < 1e-5, "ghost and naive similarities over 3 snapshots differ by " + diff);
  }
}
