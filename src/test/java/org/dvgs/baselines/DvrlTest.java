package org.dvgs.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.config.Task;
import org.dvgs.core.Auroc;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.NetworkSpec;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** DVRL on generated data with flipped labels: it must rank flipped rows low, and the same seed must give the same values. */
class DvrlTest {
  static final int WIDTH = 6;

  static DenseRows dense(List<Row> rows) {
    int n = rows.size();
    int d = ((Float[]) rows.get(0).get(1)).length;
    float[] f = new float[n * d];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      Float[] x = (Float[]) rows.get(i).get(1);
      for (int j = 0; j < d; j++) {
        f[i * d + j] = x[j];
      }
      y[i] = rows.get(i).getInt(2);
    }
    return new DenseRows(f, y, n, d);
  }

  private static boolean[] flipped(List<Row> rows) {
    boolean[] b = new boolean[rows.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = rows.get(i).getBoolean(3);
    }
    return b;
  }

  /** Small settings: the defaults' shapes with fewer iterations, so the test runs in seconds. */
  private static BaselinesConfig.Dvrl settings(String... more) {
    String[] o = new String[more.length + 4];
    o[0] = "evaluation.baselines.dvrl.outer-iterations=150";
    o[1] = "evaluation.baselines.dvrl.inner-iterations=20";
    o[2] = "evaluation.baselines.dvrl.hidden=32";
    o[3] = "evaluation.baselines.dvrl.predictor-hidden=[16]";
    System.arraycopy(more, 0, o, 4, more.length);
    return TestConfigs.of(o).evaluation().baselines().dvrl();
  }

  private static final List<Row> SOURCE = SyntheticData.classification(11, "s", 300, 2, WIDTH, 1.0, 0.3);
  private static final List<Row> TARGET = SyntheticData.classification(11, "t", 150, 2, WIDTH, 1.0, 0.0);

  @Test
  void ranksFlippedLabelsLowAndRepeatsForASeed() {
    BaselinesConfig.Dvrl cfg = settings();
    Dvrl.Result a = Dvrl.run(dense(SOURCE), dense(TARGET), Task.CLASSIFIER, 2, cfg, 5L, Device.cpu());
    float[] v = a.values();
    double[] score = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      assertTrue(v[i] >= 0 && v[i] <= 1, "value " + v[i]);
      score[i] = -v[i];
    }
    double auroc = Auroc.of(score, flipped(SOURCE));
    assertTrue(auroc > 0.75, "AUROC(flipped, -value) = " + auroc + ", details " + a.details());

    Dvrl.Result again = Dvrl.run(dense(SOURCE), dense(TARGET), Task.CLASSIFIER, 2, cfg, 5L, Device.cpu());
    assertArrayEquals(v, again.values());
    Dvrl.Result other = Dvrl.run(dense(SOURCE), dense(TARGET), Task.CLASSIFIER, 2, cfg, 6L, Device.cpu());
    assertFalse(Arrays.equals(v, other.values()));
  }

  @Test
  void valuesEverySourceRowThroughTheMethodInterface() {
    SparkSession spark = SharedSpark.get();
    List<CanonicalRow> rows = new java.util.ArrayList<>();
    DenseRows s = dense(SOURCE);
    boolean[] f = flipped(SOURCE);
    for (int i = 0; i < s.rows(); i++) {
      rows.add(new CanonicalRow(SOURCE.get(i).getString(0), Arrays.copyOfRange(s.features(), i * WIDTH, (i + 1) * WIDTH), s.labels()[i], null, f[i], false));
    }
    JavaRDD<CanonicalRow> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3);
    DvgsConfig c =
        TestConfigs.of(
            "evaluation.methods=[dvrl]", "evaluation.baselines.dvrl.outer-iterations=5", "evaluation.baselines.dvrl.inner-iterations=3",
            "evaluation.baselines.dvrl.batch-size=100");
    LoadedInputs in = new LoadedInputs(dense(TARGET), rdd, null, WIDTH, 2, null, null);
    MethodContext ctx =
        new MethodContext(in, NetworkSpec.of(c.model(), WIDTH, 2), c.model(), c.training(), c.evaluation().baselines(), 1L, Device.cpu());
    MethodResult r = Methods.of(EvaluationConfig.Method.DVRL).value(spark, ctx);
    Map<String, SampleValue> byId = new HashMap<>();
    for (SampleValue v : r.values().collect()) {
      byId.put(v.id(), v);
    }
    assertEquals(300, byId.size());
    for (int i = 0; i < rows.size(); i++) {
      SampleValue v = byId.get(rows.get(i).id());
      assertEquals(f[i], v.corrupted());
      assertEquals(1, v.estimates());
    }
    assertEquals(5, r.details().get("outer_iterations"));
    assertEquals(100, r.details().get("batch_size"));
  }
}
