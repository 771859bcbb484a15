package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.EvaluationConfig.RetrainModel;
import org.dvgs.config.Task;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.InputException;
import org.dvgs.model.NetworkSpec;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** Filter-and-retrain with a ranking that knows the corrupted rows: removing them must help, removing clean rows hurt. */
class FilterRetrainTest {
  static final int WIDTH = 5;

  /** Two Gaussian classes; a {@code flip} fraction of rows (ids "c...") have the wrong label. */
  static List<CanonicalRow> rows(long seed, int n, double flip, String prefix) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<CanonicalRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int y = rnd.nextInt(2);
      float[] x = new float[WIDTH];
      for (int j = 0; j < WIDTH; j++) {
        x[j] = (float) (rnd.nextGaussian() + (y == 1 ? 0.8 : -0.8));
      }
      boolean bad = i < flip * n;
      out.add(new CanonicalRow((bad ? "c" : prefix) + i, x, bad ? 1 - y : y, null, bad, false));
    }
    return out;
  }

  static Dataset<Row> oracleRanking(List<CanonicalRow> rows) {
    StructType s = DataTypes.createStructType(List.of(
        DataTypes.createStructField("sample_id", DataTypes.StringType, false),
        DataTypes.createStructField("score", DataTypes.DoubleType, true)));
    List<Row> out = new ArrayList<>();
    for (CanonicalRow r : rows) {
      // Ties on purpose: all corrupted rows share one score, all clean rows another.
      out.add(RowFactory.create(r.id(), r.corrupted() ? -1.0 : 1.0));
    }
    return SharedSpark.get().createDataFrame(out, s);
  }

  static void check(List<FilterRetrain.Point> pts, int n) {
    assertEquals(5, pts.size());
    FilterRetrain.Point all = pts.get(0);
    assertEquals(FilterRetrain.Direction.ALL, all.direction());
    assertEquals(n, all.trainRows());
    for (FilterRetrain.Point p : pts.subList(1, 5)) {
      assertEquals(n - Math.round(p.q() * n), p.trainRows(), "exactly round(q n) rows removed despite ties");
    }
    FilterRetrain.Point low = pts.get(3);
    FilterRetrain.Point high = pts.get(4);
    assertEquals(FilterRetrain.Direction.LOWEST, low.direction());
    assertEquals(0.3, low.q(), 0);
    assertTrue(low.metric() > all.metric(), "removing the corrupted rows helps: " + pts);
    assertTrue(high.metric() < low.metric(), "removing clean rows is worse than removing corrupted ones: " + pts);
  }

  @Test
  void mllibLogisticRegressionCurves() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    List<CanonicalRow> src = rows(1, 600, 0.3, "s");
    JavaRDD<CanonicalRow> source = jsc.parallelize(src, 3);
    JavaRDD<CanonicalRow> test = jsc.parallelize(rows(2, 400, 0.0, "t"), 2);
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {WIDTH, 8, 2}, ActivationKind.RELU, 0, false, 2);
    FilterRetrain.Model m = RetrainModels.of(RetrainModel.LOGISTIC_REGRESSION, spec, null, false, Device.cpu(), 50);
    check(FilterRetrain.run(SharedSpark.get(), source, oracleRanking(src), "score", test, List.of(0.1, 0.3), m, 7), 600);
  }

  @Test
  void valuationNetworkCurves() {
    SparkSession spark = SharedSpark.get();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<CanonicalRow> src = rows(3, 600, 0.3, "s");
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {WIDTH, 8, 2}, ActivationKind.RELU, 0, false, 2);
    var training = TestConfigs.of("training.epochs=15", "training.batch-size=50", "training.learning-rate=0.01").training();
    FilterRetrain.Model m = RetrainModels.of(RetrainModel.VALUATION, spec, training, false, Device.cpu(), 1);
    List<FilterRetrain.Point> a =
        FilterRetrain.run(spark, jsc.parallelize(src, 3), oracleRanking(src), "score", jsc.parallelize(rows(4, 400, 0, "t"), 2), List.of(0.1, 0.3), m, 7);
    check(a, 600);
    // Deterministic whatever the partitioning.
    List<FilterRetrain.Point> b =
        FilterRetrain.run(spark, jsc.parallelize(src, 5), oracleRanking(src), "score", jsc.parallelize(rows(4, 400, 0, "t"), 1), List.of(0.1, 0.3), m, 7);
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).metric(), b.get(i).metric(), 0, "point " + i);
    }
  }

  @Test
  void aRankingWithoutSomeSourceRowsIsAnError() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    List<CanonicalRow> src = rows(1, 50, 0.2, "s");
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {WIDTH, 2}, ActivationKind.RELU, 0, false, 2);
    FilterRetrain.Model m = RetrainModels.of(RetrainModel.LOGISTIC_REGRESSION, spec, null, false, Device.cpu(), 5);
    Dataset<Row> partial = oracleRanking(src.subList(0, 40));
    InputException e = assertThrows(InputException.class,
        () -> FilterRetrain.run(SharedSpark.get(), jsc.parallelize(src, 2), partial, "score", jsc.parallelize(src, 1), List.of(0.2), m, 1));
    assertTrue(e.getMessage().contains("ranking column 'score' has no score"), e.getMessage());
  }

  @Test
  void aQThatRemovesNoRowIsAConfigError() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    List<CanonicalRow> src = rows(1, 30, 0.2, "s");
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {WIDTH, 2}, ActivationKind.RELU, 0, false, 2);
    FilterRetrain.Model m = RetrainModels.of(RetrainModel.LOGISTIC_REGRESSION, spec, null, false, Device.cpu(), 5);
    // round(0.01 * 30) = 0 rows: the grid does not suit this source, which is the user's to change.
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> FilterRetrain.run(SharedSpark.get(), jsc.parallelize(src, 2), oracleRanking(src), "score", jsc.parallelize(src, 1), List.of(0.01), m, 1));
    assertTrue(e.getMessage().contains("dvgs.evaluation.retrain.grid: q = 0.01 removes 0 of the 30"), e.getMessage());
  }

  /** A model that runs {@code inner}'s fits {@code atOnce} at a time, and records each fit's Spark job group. */
  static final class AtOnce implements FilterRetrain.Model {
    final FilterRetrain.Model inner;
    final int atOnce;
    final java.util.Set<String> groups = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    String failOn;

    AtOnce(FilterRetrain.Model inner, int atOnce) {
      this.inner = inner;
      this.atOnce = atOnce;
    }

    @Override
    public String metric() {
      return inner.metric();
    }

    @Override
    public int fitsAtOnce(long rows) {
      return atOnce;
    }

    @Override
    public double fitAndScore(SparkSession spark, JavaRDD<CanonicalRow> train, JavaRDD<CanonicalRow> test, long seed) {
      calls.incrementAndGet();
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        groups.add(String.valueOf(spark.sparkContext().getLocalProperty("spark.jobGroup.id")));
        long n = train.count();
        if (failOn != null && n == Long.parseLong(failOn)) {
          throw new InputException("fit on " + n + " rows refused");
        }
        return inner.fitAndScore(spark, train, test, seed);
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void fitsAtOnceGiveTheSequentialPointsInTheCallersJobGroupAndShareTheWholeSourceFit() {
    SparkSession spark = SharedSpark.get();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<CanonicalRow> src = rows(5, 500, 0.3, "s");
    JavaRDD<CanonicalRow> source = jsc.parallelize(src, 3);
    JavaRDD<CanonicalRow> test = jsc.parallelize(rows(6, 300, 0, "t"), 2);
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {WIDTH, 8, 2}, ActivationKind.RELU, 0, false, 2);
    var training = TestConfigs.of("training.epochs=10", "training.batch-size=50", "training.learning-rate=0.01").training();
    Dataset<Row> oracle = oracleRanking(src);
    // A second ranking: the opposite order, so its curves differ from the oracle's.
    Dataset<Row> reversed = oracle.selectExpr("sample_id", "-score AS score");
    List<Double> grid = List.of(0.1, 0.3);

    AtOnce one = new AtOnce(RetrainModels.of(RetrainModel.VALUATION, spec, training, false, Device.cpu(), 1), 1);
    List<FilterRetrain.Point> seqA;
    List<FilterRetrain.Point> seqB;
    try (FilterRetrain f = FilterRetrain.on(spark, source, test, one, 7)) {
      seqA = f.curves(oracle, "score", grid);
      seqB = f.curves(reversed, "score", grid);
    }
    assertEquals(1, one.most.get());
    assertEquals(9, one.calls.get(), "the model on the whole source is trained once for both rankings");
    assertTrue(seqA.get(0) == seqB.get(0), "both rankings report the one fit on the whole source");
    check(seqA, 500);

    AtOnce four = new AtOnce(RetrainModels.of(RetrainModel.VALUATION, spec, training, false, Device.cpu(), 1), 4);
    spark.sparkContext().setJobGroup("caller-group", "test", false);
    List<FilterRetrain.Point> parA;
    List<FilterRetrain.Point> parB;
    try (FilterRetrain f = FilterRetrain.on(spark, source, test, four, 7)) {
      parA = f.curves(oracle, "score", grid);
      parB = f.curves(reversed, "score", grid);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    assertTrue(four.most.get() > 1, "fits ran at once: at most " + four.most.get());
    assertEquals(java.util.Set.of("caller-group"), four.groups, "every fit's jobs are in the caller's job group");
    for (int i = 0; i < seqA.size(); i++) {
      FilterRetrain.Point s = seqA.get(i);
      FilterRetrain.Point p = parA.get(i);
      assertEquals(s.direction(), p.direction(), "point " + i);
      assertEquals(s.q(), p.q(), 0, "point " + i);
      assertEquals(s.trainRows(), p.trainRows(), "point " + i);
      assertEquals(s.metric(), p.metric(), 0, "point " + i + ": the same metric whether fits run at once or one by one");
      assertEquals(seqB.get(i).metric(), parB.get(i).metric(), 0, "reversed ranking, point " + i);
    }
    assertTrue(seqB.get(3).metric() < seqA.get(3).metric(), "the reversed ranking removes clean rows first: " + seqB);
  }

  @Test
  void aFailedFitAmongSeveralAtOnceIsRaisedAsItself() {
    SparkSession spark = SharedSpark.get();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<CanonicalRow> src = rows(1, 100, 0.2, "s");
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {WIDTH, 2}, ActivationKind.RELU, 0, false, 2);
    AtOnce m = new AtOnce(RetrainModels.of(RetrainModel.LOGISTIC_REGRESSION, spec, null, false, Device.cpu(), 5), 3);
    m.failOn = "80";
    InputException e = assertThrows(InputException.class,
        () -> FilterRetrain.run(spark, jsc.parallelize(src, 2), oracleRanking(src), "score", jsc.parallelize(src, 1), List.of(0.1, 0.2), m, 1));
    assertTrue(e.getMessage().contains("fit on 80 rows refused"), e.getMessage());
  }

  @Test
  void r2ByHand() {
    // SS_res = 1, SS_tot = 2.
    assertEquals(0.5, RetrainModels.r2(new double[] {1, 2, 3}, new double[] {1, 2, 4}), 1e-12);
    // Two columns, each centred on its own mean: column 0 perfect, column 1 SS_res = 2, SS_tot = 8 -> 1 - 2/10.
    assertEquals(0.8, RetrainModels.r2Columns(new double[] {0, 0, 2, 4}, new double[] {0, 1, 2, 3}, 2), 1e-12);
  }
}
