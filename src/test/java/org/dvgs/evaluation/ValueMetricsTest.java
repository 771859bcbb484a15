package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
    assertEquals(4.0 / 6, Auroc.of(neg(VALUES), CORRUPTED), 1e-12);
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
    assertEquals(0.5, Auroc.of(new double[] {1, 1, 1, 1}, new boolean[] {true, false, false, true}), 0);
  }

  @Test
  void spearmanWithTiesByHand() {
    // Ranks of a: 1, 2.5, 2.5, 4; of b: 1, 3, 2, 4. Centred: (-1.5, 0, 0, 1.5) and (-1.5, .5, -.5, 1.5);
    // sum of products 4.5, sums of squares 4.5 and 5 -> 4.5 / sqrt(22.5).
    double[] a = {1, 2, 2, 3};
    double[] b = {1, 3, 2, 4};
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, ValueMetrics.ranks(a), 0);
    assertEquals(4.5 / Math.sqrt(22.5), ValueMetrics.spearman(a, b), 1e-12);
    assertEquals(-4.5 / Math.sqrt(22.5), ValueMetrics.spearman(a, neg(b)), 1e-12);
    assertTrue(Double.isNaN(ValueMetrics.spearman(new double[] {2, 2, 2}, new double[] {1, 2, 3})));
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

  @Test
  void twoMeansSplitsTheValuesAndScoresTheLowerCluster() {
    double[] v = {0.1, 0.12, 0.11, 0.9, 0.95, 0.92, 0.91};
    boolean[] c = {true, true, false, false, false, false, true};
    // Lower cluster = the first three: tp 2, fp 1, fn 1.
    assertEquals(4.0 / 6, ValueMetrics.twoMeansF1(table(v, c, new double[7]), 1), 1e-12);
  }

  @Test
  void tableMetricsAgreeOnTheDriverAndDistributed() {
    SparkSession spark = SharedSpark.get();
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
    assertEquals(Auroc.of(neg(v), c), exact.auroc(), 1e-12);
    assertEquals(exact.auroc(), dist.auroc(), 1e-9);
    assertEquals(ValueMetrics.spearman(noise, neg(v)), exact.spearman(), 1e-12);
    assertEquals(exact.spearman(), dist.spearman(), 1e-9);
    assertTrue(exact.spearman() > 0.2, "noisier rows have lower values: " + exact.spearman());
    assertEquals(exact.kmeansF1(), dist.kmeansF1(), 0);
    assertEquals(exact.auroc(), ValueMetrics.area(exact.roc()), 1e-3);
    assertEquals(exact.auroc(), ValueMetrics.area(dist.roc()), 1e-3);
    for (ValueMetrics.Curve d : List.of(exact.discovery(), dist.discovery())) {
      assertEquals(0, d.x()[0], 1e-12);
      assertEquals(0, d.y()[0], 1e-12);
      assertEquals(1, d.x()[d.size() - 1], 1e-12);
      assertEquals(1, d.y()[d.size() - 1], 1e-12);
      assertTrue(d.size() <= ValueMetrics.CURVE_POINTS);
    }
    assertEquals(spark.sparkContext().applicationId(), SharedSpark.get().sparkContext().applicationId());
  }
}
