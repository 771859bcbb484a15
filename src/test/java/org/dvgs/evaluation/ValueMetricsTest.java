package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.core.Stats;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** Metrics against values computed by hand, ties included. */
class ValueMetricsTest {
  // Values with ties across the classes: scores (-value) -0.1, -0.1, -0.5, -0.5, -0.9.
  static final double[] VALUES = {0.1, 0.1, 0.5, 0.5, 0.9};
  static final boolean[] CORRUPTED = {true, false, true, false, false};

  static double[] neg(double[] v) {
    double[] s = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      s[i] = -v[i];
    }
    return s;
  }

  @Test
  void rocCurveWithTiesByHand() {
    ValueMetrics.Curve roc = ValueMetrics.roc(neg(VALUES), CORRUPTED);
    // One point per tie group: (0,0), (1/3,1/2), (2/3,1), (1,1).
    assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3, 1}, roc.x(), 1e-12);
    assertArrayEquals(new double[] {0, 0.5, 1, 1}, roc.y(), 1e-12);
    // Pairs: (0,1) tie 1/2, (0,3) 1, (0,4) 1, (2,1) 0, (2,3) tie 1/2, (2,4) 1 -> 4/6.
    assertEquals(4.0 / 6, ValueMetrics.area(roc), 1e-12);
    assertEquals(4.0 / 6, org.dvgs.core.Auroc.of(neg(VALUES), CORRUPTED), 1e-12);
  }

  @Test
  void discoveryCurveByHandAndItsEndPoints() {
    ValueMetrics.Curve d = ValueMetrics.discovery(ValueMetrics.roc(neg(VALUES), CORRUPTED), 2, 3);
    // Inspecting the tied pair at 0.1 (2 of 5 rows) finds 1 of 2 corrupted rows; the next pair finds the other.
    assertArrayEquals(new double[] {0, 0.4, 0.8, 1}, d.x(), 1e-12);
    assertArrayEquals(new double[] {0, 0.5, 1, 1}, d.y(), 1e-12);
    ValueMetrics.Curve opt = ValueMetrics.optimalDiscovery(2, 3);
    assertArrayEquals(new double[] {0, 0.4, 1}, opt.x(), 1e-12);
    assertArrayEquals(new double[] {0, 1, 1}, opt.y(), 1e-12);
    ValueMetrics.Curve rnd = ValueMetrics.randomDiscovery();
    assertEquals(0, rnd.y()[0]);
    assertEquals(1, rnd.y()[1]);
  }

  @Test
  void allTiedGivesTheDiagonal() {
    ValueMetrics.Curve roc = ValueMetrics.roc(new double[] {1, 1, 1, 1}, new boolean[] {true, false, false, true});
    assertArrayEquals(new double[] {0, 1}, roc.x(), 0);
    assertArrayEquals(new double[] {0, 1}, roc.y(), 0);
    assertEquals(0.5, org.dvgs.core.Auroc.of(new double[] {1, 1, 1, 1}, new boolean[] {true, false, false, true}), 0);
  }

  @Test
  void spearmanWithTiesByHand() {
    // Ranks of a: 1, 2.5, 2.5, 4; of b: 1, 3, 2, 4. Centred: (-1.5, 0, 0, 1.5) and (-1.5, .5, -.5, 1.5);
    // sum of products 4.5, sums of squares 4.5 and 5 -> 4.5 / sqrt(22.5).
    double[] a = {1, 2, 2, 3};
    double[] b = {1, 3, 2, 4};
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Stats.ranks(a), 0);
    assertEquals(4.5 / Math.sqrt(22.5), Stats.spearman(a, b), 1e-12);
    assertEquals(-4.5 / Math.sqrt(22.5), Stats.spearman(a, neg(b)), 1e-12);
    assertTrue(Double.isNaN(Stats.spearman(new double[] {2, 2, 2}, new double[] {1, 2, 3})));
  }

  @Test
  void f1ByHand() {
    // tp = 2, fp = 1, fn = 1 -> 4 / 6.
    assertEquals(4.0 / 6, ValueMetrics.f1(new boolean[] {true, true, true, false, false}, new boolean[] {true, true, false, true, false}), 1e-12);
  }

  static Dataset<Row> table(double[] value, boolean[] corrupted, double[] noise) {
    StructType s = DataTypes.createStructType(List.of(
        DataTypes.createStructField("sample_id", DataTypes.StringType, false),
        DataTypes.createStructField("value", DataTypes.DoubleType, false),
        DataTypes.createStructField("corrupted", DataTypes.BooleanType, false),
        DataTypes.createStructField("noise_rate", DataTypes.DoubleType, false)));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < value.length; i++) {
      rows.add(RowFactory.create("r" + i, value[i], corrupted[i], noise[i]));
    }
    return SharedSpark.get().createDataFrame(rows, s).repartition(3);
  }

  /**
   * F1 of the lower cluster of the best 2-means split of {@code v} (least within-cluster sum of squares), against
   * {@code corrupted}: in one dimension the clusters of an optimal split are the values below and above a cut.
   */
  static double optimalTwoMeansF1(double[] v, boolean[] corrupted) {
    int n = v.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] sum = new double[n + 1];
    double[] sq = new double[n + 1];
    for (int i = 0; i < n; i++) {
      double x = v[order[i]];
      sum[i + 1] = sum[i] + x;
      sq[i + 1] = sq[i] + x * x;
    }
    int best = -1;
    double bestCost = Double.POSITIVE_INFINITY;
    for (int k = 1; k < n; k++) {
      if (v[order[k - 1]] == v[order[k]]) {
        continue; // equal values go to the same cluster
      }
      double left = sq[k] - sum[k] * sum[k] / k;
      double right = (sq[n] - sq[k]) - (sum[n] - sum[k]) * (sum[n] - sum[k]) / (n - k);
      if (left + right < bestCost) {
        bestCost = left + right;
        best = k;
      }
    }
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int r = 0; r < n; r++) {
      boolean low = r < best;
      boolean bad = corrupted[order[r]];
      tp += low && bad ? 1 : 0;
      fp += low && !bad ? 1 : 0;
      fn += !low && bad ? 1 : 0;
    }
    return 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** F1 of the lower cluster of every cut that is a fixed point of Lloyd's iteration (each value nearer its own cluster's mean). */
  static double[] fixedPointF1s(double[] v, boolean[] corrupted) {
    int n = v.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] sum = new double[n + 1];
    for (int i = 0; i < n; i++) {
      sum[i + 1] = sum[i] + v[order[i]];
    }
    List<Double> out = new ArrayList<>();
    for (int k = 1; k < n; k++) {
      double mid = (sum[k] / k + (sum[n] - sum[k]) / (n - k)) / 2;
      if (v[order[k - 1]] < mid && mid < v[order[k]]) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int r = 0; r < n; r++) {
          boolean low = r < k;
          boolean bad = corrupted[order[r]];
          tp += low && bad ? 1 : 0;
          fp += low && !bad ? 1 : 0;
          fn += !low && bad ? 1 : 0;
        }
        out.add(2.0 * tp / (2.0 * tp + fp + fn));
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void twoMeansSplitsTheValuesAndScoresTheLowerCluster() {
    double[] v = {0.1, 0.12, 0.11, 0.9, 0.95, 0.92, 0.91};
    boolean[] c = {true, true, false, false, false, false, true};
    // Lower cluster = the first three: tp 2, fp 1, fn 1.
    assertEquals(4.0 / 6, ValueMetrics.twoMeansF1(table(v, c, new double[7]), 1), 1e-12);
  }

  @Test
  void twoMeansFindsTheOptimalSplitOfTwoSeparateGroups() {
    // Two groups 4 standard deviations apart, a tenth of the corrupted rows among the clean ones: one 2-means split.
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(8);
    int n = 2000;
    double[] v = new double[n];
    boolean[] c = new boolean[n];
    for (int i = 0; i < n; i++) {
      c[i] = rnd.nextDouble() < 0.25;
      boolean low = c[i] && rnd.nextDouble() < 0.9;
      v[i] = (low ? -2.0 : 2.0) + 0.5 * rnd.nextGaussian();
    }
    assertEquals(1, fixedPointF1s(v, c).length, "Lloyd's iteration has one end on these values");
    double byHand = optimalTwoMeansF1(v, c);
    assertTrue(byHand > 0.9 && byHand < 1, "F1 " + byHand);
    assertEquals(byHand, ValueMetrics.twoMeansF1(table(v, c, new double[n]), 4), 1e-12);
  }

  @Test
  void tableMetricsAgreeOnTheDriverAndDistributed() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
    int n = 3000;
    double[] v = new double[n];
    boolean[] c = new boolean[n];
    double[] noise = new double[n];
    for (int i = 0; i < n; i++) {
      c[i] = rnd.nextDouble() < 0.2;
      noise[i] = rnd.nextDouble() < 0.5 ? 0 : rnd.nextDouble();
      // Rounded so that many values tie.
      v[i] = Math.round((rnd.nextGaussian() - (c[i] ? 1.0 : 0.0) - noise[i]) * 10) / 10.0;
    }
    Dataset<Row> t = table(v, c, noise);
    ValueMetrics.Result exact = ValueMetrics.of(t, true, true, true, 3, Long.MAX_VALUE);
    ValueMetrics.Result dist = ValueMetrics.of(t, true, true, true, 3, 10);
    assertEquals(org.dvgs.core.Auroc.of(neg(v), c), exact.auroc(), 1e-12);
    assertEquals(exact.auroc(), dist.auroc(), 1e-9);
    assertEquals(Stats.spearman(noise, neg(v)), exact.spearman(), 1e-12);
    assertEquals(exact.spearman(), dist.spearman(), 1e-9);
    assertTrue(exact.spearman() > 0.2, "noisier rows have lower values: " + exact.spearman());
    // MLlib's 2-means ends where Lloyd's iteration stops: at one of the cuts whose values are each nearer their own
    // cluster's mean, found here by trying every cut (three on these values; which one depends on MLlib's random
    // start). Its F1 is that cut's, computed here from the rows.
    double[] fixedPoints = fixedPointF1s(v, c);
    assertTrue(java.util.Arrays.stream(fixedPoints).anyMatch(f -> f == exact.kmeansF1()),
        "2-means F1 " + exact.kmeansF1() + " is not the F1 of a 2-means split " + java.util.Arrays.toString(fixedPoints));
    assertTrue(exact.kmeansF1() > 0.3 && exact.kmeansF1() < 0.6, "neither trivial nor perfect: " + exact.kmeansF1());
    assertEquals(exact.auroc(), ValueMetrics.area(exact.roc()), 1e-3);
    assertEquals(exact.auroc(), ValueMetrics.area(dist.roc()), 1e-3);
    for (ValueMetrics.Curve d : List.of(exact.discovery(), dist.discovery())) {
      assertEquals(0, d.x()[0], 1e-12);
      assertEquals(0, d.y()[0], 1e-12);
      assertEquals(1, d.x()[d.size() - 1], 1e-12);
      assertEquals(1, d.y()[d.size() - 1], 1e-12);
      assertTrue(d.size() <= ValueMetrics.CURVE_POINTS);
    }
  }

  /**
   * A table whose rows are known is collected in one Spark job (without the count, Spark's "up to the limit" tries
   * one partition first, then the rest), and the count changes nothing in the result, even when it is wrong.
   */
  @Test
  void aTableOfKnownRowsIsMeasuredInOneJobWithTheSameResult() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
    int n = 600;
    double[] v = new double[n];
    boolean[] c = new boolean[n];
    double[] noise = new double[n];
    for (int i = 0; i < n; i++) {
      c[i] = rnd.nextDouble() < 0.3;
      noise[i] = rnd.nextDouble();
      v[i] = rnd.nextGaussian() - (c[i] ? 1.0 : 0.0);
    }
    // Three partitions of an RDD, as a run's value table with its truth is (a shuffle would plan the limit otherwise).
    Dataset<Row> shuffled = table(v, c, noise);
    Dataset<Row> t = SharedSpark.get().createDataFrame(
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()).parallelize(shuffled.collectAsList(), 3),
        shuffled.schema()).persist();
    t.count();
    org.apache.spark.SparkContext sc = SharedSpark.get().sparkContext();
    ValueMetrics.Result unknown = jobsOf(sc, "metrics-unknown", () -> ValueMetrics.of(t, true, true, false, 3));
    ValueMetrics.Result known = jobsOf(sc, "metrics-known", () -> ValueMetrics.of(t, n, true, true, false, 3));
    ValueMetrics.Result wrong = ValueMetrics.of(t, 5, true, true, false, 3);
    assertTrue(sc.statusTracker().getJobIdsForGroup("metrics-unknown").length > 1, "three partitions, rows not known");
    assertEquals(1, sc.statusTracker().getJobIdsForGroup("metrics-known").length);
    for (ValueMetrics.Result r : List.of(known, wrong)) {
      assertEquals(unknown.auroc(), r.auroc(), 0);
      assertEquals(unknown.spearman(), r.spearman(), 0);
      assertEquals(unknown.rows(), r.rows());
      assertEquals(unknown.corrupted(), r.corrupted());
      assertEquals(java.util.Arrays.toString(unknown.roc().y()), java.util.Arrays.toString(r.roc().y()));
    }
    t.unpersist();
  }

  private static ValueMetrics.Result jobsOf(org.apache.spark.SparkContext sc, String group, java.util.function.Supplier<ValueMetrics.Result> f) {
    sc.setJobGroup(group, group, false);
    try {
      return f.get();
    } finally {
      sc.clearJobGroup();
    }
  }
}
