package org.dvgs.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.NetworkSpec;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** KNN-Shapley against Jia et al.'s recursion worked by hand and against exact Shapley values by enumeration. */
class KnnShapleyTest {

  private static CanonicalRow row(String id, double label, boolean corrupted, float... x) {
    return new CanonicalRow(id, x, label, null, corrupted, false);
  }

  private static Map<String, SampleValue> run(List<CanonicalRow> source, DenseRows target, int k, int partitions) {
    SparkSession spark = SharedSpark.get();
    JavaRDD<CanonicalRow> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(source, partitions);
    Map<String, SampleValue> out = new HashMap<>();
    for (SampleValue v : KnnShapley.values(spark, rdd, target, k).collect()) {
      out.put(v.id(), v);
    }
    assertEquals(source.size(), out.size());
    return out;
  }

  /**
   * Five source rows on a line at 1..5 with labels 1, 0, 1, 1, 0; K = 2; target rows at 0 (label 1) and 6 (label 0).
   * Recursion s_N = m_N / N, s_t = s_(t+1) + (m_t - m_(t+1)) / K * min(K, t) / t, by hand:
   * target at 0: ranks a, b, c, d, e; m = 1, 0, 1, 1, 0; s_e = 0, s_d = 1/2 * 2/4 = 1/4, s_c = 1/4 + 0 = 1/4,
   * s_b = 1/4 - 1/2 * 1 = -1/4, s_a = -1/4 + 1/2 * 1 = 1/4.
   * target at 6: ranks e, d, c, b, a; m = 1, 0, 0, 1, 0; s_a = 0, s_b = 1/2 * 2/4 = 1/4, s_c = 1/4 - 1/2 * 2/3 = -1/12,
   * s_d = -1/12 + 0 = -1/12, s_e = -1/12 + 1/2 * 1 = 5/12.
   * Means: a 1/8, b 0, c 1/12, d 1/12, e 5/24.
   */
  @Test
  void matchesTheRecursionWorkedByHand() {
    List<CanonicalRow> source =
        List.of(row("a", 1, false, 1f), row("b", 0, true, 2f), row("c", 1, false, 3f), row("d", 1, false, 4f), row("e", 0, true, 5f));
    DenseRows target = new DenseRows(new float[] {0f, 6f}, new float[] {1f, 0f}, 2, 1);
    Map<String, SampleValue> v = run(source, target, 2, 3);
    double[] expected = {1.0 / 8, 0, 1.0 / 12, 1.0 / 12, 5.0 / 24};
    String[] ids = {"a", "b", "c", "d", "e"};
    double[][] perTarget = {{0.25, 0}, {-0.25, 0.25}, {0.25, -1.0 / 12}, {0.25, -1.0 / 12}, {0, 5.0 / 12}};
    for (int i = 0; i < ids.length; i++) {
      SampleValue s = v.get(ids[i]);
      assertEquals(expected[i], s.value(), 1e-12, ids[i]);
      double sd = Math.abs(perTarget[i][0] - perTarget[i][1]) / Math.sqrt(2);
      assertEquals(sd, s.std(), 1e-12, ids[i]);
      assertEquals(2, s.estimates());
    }
    assertTrue(v.get("b").corrupted() && v.get("e").corrupted() && !v.get("a").corrupted());
  }

  @Test
  void equalsExactShapleyByEnumeration() {
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 6;
    int width = 2;
    int classes = 3;
    List<CanonicalRow> source = new ArrayList<>();
    float[][] x = new float[n][width];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < width; j++) {
        x[i][j] = (float) rnd.nextGaussian();
      }
      y[i] = rnd.nextInt(classes);
      source.add(row("s" + i, y[i], false, x[i]));
    }
    int m = 4;
    float[] tf = new float[m * width];
    float[] ty = new float[m];
    for (int j = 0; j < m; j++) {
      for (int c = 0; c < width; c++) {
        tf[j * width + c] = (float) rnd.nextGaussian();
      }
      ty[j] = rnd.nextInt(classes);
    }
    DenseRows target = new DenseRows(tf, ty, m, width);
    for (int k : new int[] {1, 3, 10}) {
      Map<String, SampleValue> v = run(source, target, k, 2);
      double[] exact = enumerate(x, y, target, k);
      for (int i = 0; i < n; i++) {
        assertEquals(exact[i], v.get("s" + i).value(), 1e-12, "row " + i + ", K = " + k);
      }
    }
  }

  /** Exact Shapley values of the K-NN utility, averaged over target rows, by summing over all subsets. */
  private static double[] enumerate(float[][] x, int[] y, DenseRows target, int k) {
    int n = x.length;
    double[] phi = new double[n];
    double[] fact = new double[n + 1];
    fact[0] = 1;
    for (int i = 1; i <= n; i++) {
      fact[i] = fact[i - 1] * i;
    }
    for (int j = 0; j < target.rows(); j++) {
      double[] dist = new double[n];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < x[i].length; c++) {
          double diff = (double) x[i][c] - target.features()[j * target.width() + c];
          dist[i] += diff * diff;
        }
      }
      int label = (int) target.labels()[j];
      for (int i = 0; i < n; i++) {
        for (int mask = 0; mask < (1 << n); mask++) {
          if ((mask & (1 << i)) != 0) {
            continue;
          }
          int size = Integer.bitCount(mask);
          double weight = fact[size] * fact[n - size - 1] / fact[n];
          phi[i] += weight * (utility(mask | (1 << i), dist, y, label, k) - utility(mask, dist, y, label, k)) / target.rows();
        }
      }
    }
    return phi;
  }

  /** Fraction of the K nearest rows of the subset (fewer when it is smaller) whose label matches, over K. */
  private static double utility(int mask, double[] dist, int[] y, int label, int k) {
    List<Integer> members = new ArrayList<>();
    for (int i = 0; i < dist.length; i++) {
      if ((mask & (1 << i)) != 0) {
        members.add(i);
      }
    }
    members.sort((a, b) -> Double.compare(dist[a], dist[b]));
    double u = 0;
    for (int r = 0; r < Math.min(k, members.size()); r++) {
      u += y[members.get(r)] == label ? 1 : 0;
    }
    return u / k;
  }

  @Test
  void findsFlippedLabelsThroughTheMethodInterface() {
    SparkSession spark = SharedSpark.get();
    List<CanonicalRow> source = new ArrayList<>();
    for (org.apache.spark.sql.Row r : org.dvgs.evaluation.SyntheticData.classification(3, "s", 300, 2, 5, 1.5, 0.2)) {
      Float[] f = (Float[]) r.get(1);
      float[] x = new float[f.length];
      for (int j = 0; j < x.length; j++) {
        x[j] = f[j];
      }
      source.add(row(r.getString(0), r.getInt(2), r.getBoolean(3), x));
    }
    DenseRows target = DvrlTest.dense(org.dvgs.evaluation.SyntheticData.classification(3, "t", 100, 2, 5, 1.5, 0.0));
    DvgsConfig c = TestConfigs.of("evaluation.methods=[knn-shapley]");
    JavaRDD<CanonicalRow> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(source, 3);
    LoadedInputs in = new LoadedInputs(target, rdd, null, 5, 2, null, null);
    MethodContext ctx =
        new MethodContext(in, NetworkSpec.of(c.model(), 5, 2), c.model(), c.training(), c.evaluation().baselines(), 0L, Device.cpu());
    MethodResult r = Methods.of(EvaluationConfig.Method.KNN_SHAPLEY).value(spark, ctx);
    List<SampleValue> v = r.values().collect();
    assertEquals(300, v.size());
    double[] score = new double[v.size()];
    boolean[] flipped = new boolean[v.size()];
    for (int i = 0; i < score.length; i++) {
      score[i] = -v.get(i).value();
      flipped[i] = v.get(i).corrupted();
    }
    double auroc = org.dvgs.core.Auroc.of(score, flipped);
    assertTrue(auroc > 0.8, "AUROC " + auroc);
    assertEquals(10, r.details().get("k"));
  }

  @Test
  void refusesRegressors() {
    String msg = assertThrows(ConfigValidationException.class, () -> {
      DvgsConfig c = TestConfigs.of("model.task=regressor", "evaluation.methods=[dvgs, knn-shapley]");
      c.evaluation().checkFor(c.model());
    }).getMessage();
    assertTrue(msg.contains("dvgs.evaluation.methods includes knn-shapley") && msg.contains("dvgs.model.task = regressor"), msg);
  }
}
