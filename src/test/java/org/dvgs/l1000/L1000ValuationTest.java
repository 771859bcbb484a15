package org.dvgs.l1000;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.Correlations;
import org.dvgs.testing.GctxWriter;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unsupervised valuation of L1000-shaped data with the autoencoder: the scale command on generated data (low values
 * find the noisy samples), and the l1000 command on a GCTX pair this test writes (values joined with metadata,
 * value vs APC, filter-and-retrain curves).
 */
class L1000ValuationTest {
  @TempDir Path dir;

  private static final String[] SMALL_AE = {
    "model.task=autoencoder", "model.hidden=[64,32,8,32,64]",
    "training.batch-size=200", "training.epochs=30", "training.snapshot-every=5", "training.learning-rate=0.001",
    "input.source.id-column=sample_id", "input.source.features.column=features",
    "input.split.mode=group-balanced", "input.split.group-column=pert_id", "input.split.target-size=800", "input.split.test-fraction=0.1",
    "input.scaling.method=z-score", "scoring.batch-size=256"
  };

  private static DvgsConfig config(String... extra) {
    String[] all = new String[SMALL_AE.length + extra.length];
    System.arraycopy(SMALL_AE, 0, all, 0, SMALL_AE.length);
    System.arraycopy(extra, 0, all, SMALL_AE.length, extra.length);
    return TestConfigs.of(all);
  }

  @Test
  @SuppressWarnings("unchecked")
  void scaleRunFindsTheNoisySamples() {
    SparkSession spark = SharedSpark.get();
    String out = dir.resolve("scale").toString();
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(ScaleRun.run(spark, config(
        "scale.rows=[2000, 3000]", "scale.genes=200", "scale.rank=8", "scale.compounds=200", "scale.rows-per-partition=700",
        "scale.keep-data=true", "output.path=" + out)));
    List<Map<String, Object>> runs = (List<Map<String, Object>>) m.get("runs");
    assertEquals(2, runs.size());
    for (Map<String, Object> r : runs) {
      Map<String, Object> q = (Map<String, Object>) r.get("quality");
      double rho = ((Number) q.get("spearman_noise_rate_neg_value")).doubleValue();
      assertTrue(rho >= 0.5, "Spearman(noise rate, -value) = " + rho + " at " + r.get("rows") + " rows");
      long valued = ((Number) r.get("source_valued")).longValue();
      long rows = ((Number) r.get("rows")).longValue();
      assertEquals(rows, valued + ((Number) r.get("target_rows")).longValue() + ((Number) r.get("test_held_out")).longValue());
      assertEquals(valued * ((Number) r.get("checkpoints")).longValue(), ((Number) r.get("sample_checkpoints")).longValue());
      assertTrue(((Number) ((Map<String, Object>) r.get("heap_this_jvm")).get("peak_heap_used_mb")).doubleValue() > 0);
    }
    // Row i of the generated table does not depend on the table's size: the 2,000 rows of the first run are the
    // first 2,000 of the second, value for value, though the two tables are generated in 3 and 5 partitions.
    Map<String, Row> small = new java.util.HashMap<>();
    for (Row r : spark.read().parquet(out + "/data-2000").collectAsList()) {
      small.put(r.getString(0), r);
    }
    Map<String, Row> large = new java.util.HashMap<>();
    for (Row r : spark.read().parquet(out + "/data-3000").collectAsList()) {
      large.put(r.getString(0), r);
    }
    assertEquals(2000, small.size());
    assertEquals(3000, large.size());
    for (Map.Entry<String, Row> e : small.entrySet()) {
      Row b = large.get(e.getKey());
      assertTrue(b != null, e.getKey() + " is missing from the larger table");
      assertEquals(e.getValue().getList(1), b.getList(1), "features of " + e.getKey());
      assertEquals(e.getValue().getDouble(2), b.getDouble(2), 0.0, "noise rate of " + e.getKey());
      assertEquals(e.getValue().getString(3), b.getString(3), "group of " + e.getKey());
    }
    assertTrue(m.containsKey("cost_ratio_largest_to_smallest"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void l1000CommandJoinsMetadataComparesWithApcAndRetrains() {
    SparkSession spark = SharedSpark.get();
    int n = 900;
    int genes = 120;
    int reps = 3;
    SplittableRandom r = new SplittableRandom(11);
    float[][] load = new float[3][genes];
    for (float[] row : load) {
      for (int g = 0; g < genes; g++) {
        row[g] = (float) r.nextGaussian();
      }
    }
    float[][] level5 = new float[n][genes];
    float[][] level4 = new float[n * reps][genes];
    String[] sig = new String[n];
    String[] rep = new String[n * reps];
    String[] distil = new String[n];
    String[] pert = new String[n];
    String[] cell = new String[n];
    for (int i = 0; i < n; i++) {
      double noise = i % 3 == 0 ? 1.5 : 0.2; // a third of the signatures come from noisy replicates
      double[] z = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
      sig[i] = "SIG" + i;
      pert[i] = "BRD-" + (i % 40);
      cell[i] = i % 2 == 0 ? "A549" : "MCF7";
      StringBuilder ids = new StringBuilder();
      for (int k = 0; k < reps; k++) {
        int j = i * reps + k;
        rep[j] = "REP" + i + "_" + k;
        ids.append(k == 0 ? "" : "|").append(rep[j]);
        for (int g = 0; g < genes; g++) {
          double s = 0;
          for (int f = 0; f < 3; f++) {
            s += z[f] * load[f][g];
          }
          level4[j][g] = (float) (s + noise * 2 * r.nextGaussian());
          level5[i][g] += level4[j][g] / reps;
        }
      }
      distil[i] = ids.toString();
    }
    String[] geneIds = new String[genes];
    for (int g = 0; g < genes; g++) {
      geneIds[g] = String.valueOf(1000 + g);
    }
    DvgsConfig cfg = config("input.split.target-size=300", "evaluation.retrain.grid=[0.2, 0.4]", "evaluation.retrain.epochs=10");
    // Three signatures the split holds out get a missing value: they cannot score a model and must be counted.
    List<Row> ids = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(org.apache.spark.sql.RowFactory.create(sig[i], pert[i]));
    }
    Dataset<Row> idTable = spark.createDataFrame(ids, org.apache.spark.sql.types.DataTypes.createStructType(List.of(
        org.apache.spark.sql.types.DataTypes.createStructField("sample_id", org.apache.spark.sql.types.DataTypes.StringType, false),
        org.apache.spark.sql.types.DataTypes.createStructField("pert_id", org.apache.spark.sql.types.DataTypes.StringType, false))));
    List<Row> heldOut = org.dvgs.io.BalancedSplit.assign(idTable, "sample_id", cfg.input().balanced(), cfg.seed(), "ids")
        .filter(org.dvgs.io.BalancedSplit.COLUMN + " = 'test'").orderBy("sample_id").limit(3).collectAsList();
    assertEquals(3, heldOut.size());
    for (Row h : heldOut) {
      level5[Integer.parseInt(h.getString(0).substring(3))][7] = Float.NaN;
    }
    Path l5 = new GctxWriter(level5, geneIds, sig).colField("distil_id", distil).colField("pert_id", pert).colField("cell_id", cell).write(dir.resolve("l5.gctx"));
    Path l4 = new GctxWriter(level4, geneIds, rep).write(dir.resolve("l4.gctx"));
    String ingested = dir.resolve("ingested").toString();
    IngestRun.run(spark, TestConfigs.of("ingest.input=" + l5, "ingest.level4=" + l4, "ingest.block-rows=256", "output.path=" + ingested));

    String out = dir.resolve("l1000").toString();
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(L1000Run.run(spark, cfg.with(Map.of("input.source.path", ingested + "/signatures", "output.path", out))));
    Dataset<Row> joined = spark.read().parquet(out + "/values_with_metadata");
    long valued = spark.read().parquet(out + "/values").count();
    assertEquals(valued, joined.count());
    assertTrue(List.of(joined.columns()).containsAll(List.of("value", "apc", "apc_replicates", "pert_id", "cell_id", "distil_id")));
    assertEquals(0, joined.filter("cell_id is null or apc is null").count());

    Map<String, Object> metrics = (Map<String, Object>) m.get("metrics");
    Map<String, Object> corr = (Map<String, Object>) metrics.get("value_vs_apc");
    assertEquals(valued, ((Number) corr.get("n")).longValue());
    double rho = ((Number) corr.get("spearman")).doubleValue();
    assertTrue(rho > 0.3, "signatures from noisy replicates have low APC and low values: Spearman = " + rho);
    Correlations.Pair direct = Correlations.of(joined, "value", "apc");
    assertEquals(rho, direct.spearman(), 1e-12);

    List<Map<String, Object>> curves = (List<Map<String, Object>>) metrics.get("retrain_curves");
    assertEquals(2 * (1 + 2 * 2), curves.size());
    // R^2 of the held-out signatures' reconstruction, each column against its own mean: a model that outputs the
    // column means scores 0, one that reconstructs nothing useful below 0. Measured: 0.159 trained on every source
    // row, 0.011 to 0.142 with 20% or 40% of them removed (10 epochs).
    Map<String, Double> all = new java.util.HashMap<>();
    for (Map<String, Object> c : curves) {
      double r2 = ((Number) c.get("r2")).doubleValue();
      assertTrue(r2 > 0 && r2 < 1, "R^2 " + c);
      if (c.get("removed").equals("all")) {
        assertTrue(r2 > 0.1, "R^2 trained on every source row " + c);
        all.put((String) c.get("ranking"), r2);
      }
    }
    // Both rankings' first point trains on the same rows with the same seed: the same model, the same R^2.
    assertEquals(all.get("value"), all.get("apc"), 0.0, "R^2 on every source row, by value and by APC");
    assertEquals(10, spark.read().parquet(out + "/retrain_curves").count());

    Map<String, Object> counts = (Map<String, Object>) m.get("counts");
    assertEquals(3L, counts.get("test_rejected"));
    assertEquals(Map.of("non-finite or missing feature", 3L), counts.get("test_rejected_by_reason"));
    long read = ((Number) counts.get("test_read")).longValue();
    assertEquals(read, ((Number) counts.get("test_valid")).longValue() + 3);
    assertEquals(read, ((Number) metrics.get("retrain_test_read")).longValue());
    assertEquals(3L, metrics.get("retrain_test_rejected"));
    assertEquals(Map.of("non-finite or missing feature", 3L), metrics.get("retrain_test_rejected_by_reason"));
    assertEquals(read - 3, ((Number) metrics.get("retrain_test_rows")).longValue());
    assertEquals((long) n, ((Number) counts.get("source_read")).longValue() + ((Number) counts.get("target_used")).longValue() + read);
  }
}
