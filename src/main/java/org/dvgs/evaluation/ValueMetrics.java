package org.dvgs.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.mllib.stat.Statistics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.dvgs.core.Stats;
import scala.Tuple2;

/**
 * How well values find known corruption: ROC and discovery curves, Spearman correlation with the noise rate and
 * the F1 of a 2-means split. Low value means "likely corrupted" throughout, so the score of a row is
 * {@code -value}.
 *
 * <p>Tables up to {@link Auroc#DRIVER_LIMIT} rows are measured exactly on the driver (ties handled as below);
 * larger ones with MLlib: ROC points from {@code BinaryClassificationMetrics} down-sampled to
 * {@value #DISTRIBUTED_BINS} bins, Spearman from {@code Statistics.corr} (average ranks for ties).
 */
public final class ValueMetrics {
  /** ROC bins for tables too large to score on the driver. */
  static final int DISTRIBUTED_BINS = 2000;
  /** Points kept per stored curve. */
  public static final int CURVE_POINTS = 501;

  private ValueMetrics() {}

  /**
   * A curve as parallel arrays.
   *
   * @param x abscissae, non-decreasing
   * @param y ordinates
   */
  public record Curve(double[] x, double[] y) {
    public int size() {
      return x.length;
    }
  }

  /**
   * The ROC curve of {@code positive} against {@code scores} (higher score = predicted positive): one point after
   * each group of tied scores, from (0, 0) to (1, 1), so that a tie group is a straight segment (the expected curve
   * under random tie-breaking) and the trapezoid area equals the AUROC with ties counting one half.
   */
  public static Curve roc(double[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] idx = new Integer[n];
    long pos = 0;
    for (int i = 0; i < n; i++) {
      idx[i] = i;
      pos += positive[i] ? 1 : 0;
    }
    long neg = n - pos;
    Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
    List<double[]> pts = new ArrayList<>();
    pts.add(new double[] {0, 0});
    long tp = 0;
    long fp = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j < n && scores[idx[j]] == scores[idx[i]]) {
        if (positive[idx[j]]) {
          tp++;
        } else {
          fp++;
        }
        j++;
      }
      pts.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos});
      i = j;
    }
    return fromPoints(pts);
  }

  /** Area under a curve by the trapezoid rule. */
  public static double area(Curve c) {
    double a = 0;
    for (int i = 1; i < c.size(); i++) {
      a += (c.x()[i] - c.x()[i - 1]) * (c.y()[i] + c.y()[i - 1]) / 2;
    }
    return a;
  }

  /**
   * The corrupted-sample discovery curve from the ROC curve: inspecting rows lowest value first, the fraction
   * inspected is {@code (tpr * pos + fpr * neg) / n} when the fraction of corrupted rows found is {@code tpr}.
   */
  public static Curve discovery(Curve roc, long pos, long neg) {
    double n = pos + neg;
    double[] x = new double[roc.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (roc.y()[i] * pos + roc.x()[i] * neg) / n;
    }
    return new Curve(x, roc.y().clone());
  }

  /** The best possible discovery curve: every inspected row is corrupted until all are found. */
  public static Curve optimalDiscovery(long pos, long neg) {
    double n = pos + neg;
    double knee = pos / n;
    return new Curve(new double[] {0, knee, 1}, new double[] {0, pos == 0 ? 0 : 1, pos == 0 ? 0 : 1});
  }

  /** The discovery curve of inspecting rows in random order (in expectation). */
  public static Curve randomDiscovery() {
    return new Curve(new double[] {0, 1}, new double[] {0, 1});
  }

  /** Keeps at most {@code max} points, always the first and last, evenly spaced in index. */
  public static Curve downsample(Curve c, int max) {
    int n = c.size();
    if (n <= max) {
      return c;
    }
    double[] x = new double[max];
    double[] y = new double[max];
    for (int k = 0; k < max; k++) {
      int i = (int) Math.round((double) k * (n - 1) / (max - 1));
      x[k] = c.x()[i];
      y[k] = c.y()[i];
    }
    return new Curve(x, y);
  }

  /** F1 of {@code predicted} against {@code actual}; NaN when both are empty. */
  public static double f1(boolean[] predicted, boolean[] actual) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] && actual[i]) {
        tp++;
      } else if (predicted[i]) {
        fp++;
      } else if (actual[i]) {
        fn++;
      }
    }
    return tp + fp + fn == 0 ? Double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /**
   * The metrics of one value table.
   *
   * @param auroc AUROC(corrupted, -value), NaN when a class is empty
   * @param spearman Spearman(noise rate, -value), NaN when not asked for or undefined
   * @param kmeansF1 F1 of the lower 2-means cluster against the corrupted flags, NaN when not asked for or undefined
   * @param roc ROC curve (score -value), or null
   * @param discovery discovery curve, or null
   * @param corrupted corrupted rows
   * @param rows all rows
   */
  public record Result(double auroc, double spearman, double kmeansF1, Curve roc, Curve discovery, long corrupted, long rows) {}

  /**
   * Measures a value table with columns {@code value}, {@code corrupted} and {@code noise_rate}.
   *
   * @param spearman compute Spearman(noise rate, -value)
   * @param curves compute the ROC and discovery curves
   * @param kmeans compute the 2-means F1
   * @param seed seed of the 2-means initialisation
   */
  public static Result of(Dataset<Row> table, boolean spearman, boolean curves, boolean kmeans, long seed) {
    return of(table, -1, spearman, curves, kmeans, seed, Auroc.DRIVER_LIMIT);
  }

  /**
   * As above, for a table known to hold {@code rows} rows: one that small enough to measure on the driver is
   * collected in one Spark job (without the count, collecting "up to the limit" takes two: Spark first tries one
   * partition). The count only picks how the rows are fetched; the result is the same for any value of it.
   *
   * @param rows the table's rows, or -1 when not known
   */
  public static Result of(Dataset<Row> table, long rows, boolean spearman, boolean curves, boolean kmeans, long seed) {
    return of(table, rows, spearman, curves, kmeans, seed, Auroc.DRIVER_LIMIT);
  }

  static Result of(Dataset<Row> table, boolean spearman, boolean curves, boolean kmeans, long seed, long driverLimit) {
    return of(table, -1, spearman, curves, kmeans, seed, driverLimit);
  }

  static Result of(Dataset<Row> table, long rows, boolean spearman, boolean curves, boolean kmeans, long seed, long driverLimit) {
    Dataset<Row> sel = table.select("value", "corrupted", "noise_rate");
    List<Row> head = rows >= 0 && rows <= driverLimit
        ? sel.collectAsList()
        : sel.limit((int) Math.min(Integer.MAX_VALUE - 1, driverLimit) + 1).collectAsList();
    double f1 = kmeans ? twoMeansF1(table, seed) : Double.NaN;
    if (head.size() <= driverLimit) {
      int n = head.size();
      double[] score = new double[n];
      double[] noise = new double[n];
      boolean[] bad = new boolean[n];
      long pos = 0;
      for (int i = 0; i < n; i++) {
        Row r = head.get(i);
        score[i] = -r.getDouble(0);
        bad[i] = r.getBoolean(1);
        noise[i] = r.getDouble(2);
        pos += bad[i] ? 1 : 0;
      }
      Curve roc = curves ? roc(score, bad) : null;
      return new Result(
          org.dvgs.core.Auroc.of(score, bad),
          spearman ? Stats.spearman(noise, score) : Double.NaN,
          f1,
          roc == null ? null : downsample(roc, CURVE_POINTS),
          roc == null ? null : downsample(discovery(roc, pos, n - pos), CURVE_POINTS),
          pos,
          n);
    }
    long n = table.count();
    long pos = table.filter(functions.col("corrupted")).count();
    double auroc = pos == 0 || pos == n ? Double.NaN : Auroc.distributed(table);
    double rho = Double.NaN;
    if (spearman) {
      // One RDD of pairs, so that the two sides cannot be zipped out of step.
      JavaRDD<org.apache.spark.mllib.linalg.Vector> pairs = sel.javaRDD().map(ValueMetrics::noiseAndScore);
      rho = Statistics.corr(pairs.rdd(), "spearman").apply(0, 1);
    }
    Curve roc = null;
    Curve disc = null;
    if (curves && pos > 0 && pos < n) {
      JavaRDD<Tuple2<Object, Object>> scoreAndLabel = sel.javaRDD().map(ValueMetrics::scoreAndLabel);
      BinaryClassificationMetrics m = new BinaryClassificationMetrics(scoreAndLabel.rdd(), DISTRIBUTED_BINS);
      try {
        List<Tuple2<Object, Object>> pts = m.roc().toJavaRDD().collect();
        List<double[]> list = new ArrayList<>();
        for (Tuple2<Object, Object> t : pts) {
          list.add(new double[] {(Double) t._1(), (Double) t._2()});
        }
        roc = downsample(fromPoints(list), CURVE_POINTS);
        disc = discovery(roc, pos, n - pos);
      } finally {
        m.unpersist();
      }
    }
    return new Result(auroc, rho, f1, roc, disc, pos, n);
  }

  /**
   * F1 of a 2-means split of the values (MLlib KMeans, k = 2, seeded): rows in the cluster with the lower centre
   * are predicted corrupted, as OpenDataVal reports. NaN when there are no corrupted or no clean rows, or the values
   * are all equal.
   */
  public static double twoMeansF1(Dataset<Row> table, long seed) {
    Dataset<Row> sel = table.select("value", "corrupted");
    Row stats = sel.agg(
        functions.count(functions.lit(1)),
        functions.sum(functions.when(functions.col("corrupted"), 1).otherwise(0)),
        functions.min("value"),
        functions.max("value")).first();
    long n = stats.getLong(0);
    long pos = stats.isNullAt(1) ? 0 : stats.getLong(1);
    if (n == 0 || pos == 0 || pos == n || stats.getDouble(2) == stats.getDouble(3)) {
      return Double.NaN;
    }
    Dataset<Row> vec = new VectorAssembler().setInputCols(new String[] {"value"}).setOutputCol("v").transform(sel);
    KMeansModel model = new KMeans().setK(2).setSeed(seed).setFeaturesCol("v").setPredictionCol("cluster").setMaxIter(100).fit(vec);
    Vector[] centres = model.clusterCenters();
    int low = centres.length < 2 || centres[0].apply(0) <= centres[1].apply(0) ? 0 : 1;
    Row counts = model.transform(vec).agg(
        functions.sum(functions.when(functions.col("cluster").equalTo(low).and(functions.col("corrupted")), 1).otherwise(0)),
        functions.sum(functions.when(functions.col("cluster").equalTo(low).and(functions.not(functions.col("corrupted"))), 1).otherwise(0)),
        functions.sum(functions.when(functions.col("cluster").notEqual(low).and(functions.col("corrupted")), 1).otherwise(0))).first();
    double tp = counts.getLong(0);
    double fp = counts.getLong(1);
    double fn = counts.getLong(2);
    return 2 * tp / (2 * tp + fp + fn);
  }

  /** Metric values for the manifest: NaN becomes null (JSON has no NaN). */
  public static Map<String, Object> describe(Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("auroc", finiteOrNull(r.auroc()));
    m.put("spearman", finiteOrNull(r.spearman()));
    m.put("kmeans_f1", finiteOrNull(r.kmeansF1()));
    m.put("corrupted_rows", r.corrupted());
    m.put("rows", r.rows());
    return m;
  }

  /** NaN and infinities as null. */
  public static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static Curve fromPoints(List<double[]> pts) {
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
    }
    return new Curve(x, y);
  }

  private static org.apache.spark.mllib.linalg.Vector noiseAndScore(Row r) {
    return org.apache.spark.mllib.linalg.Vectors.dense(r.getDouble(2), -r.getDouble(0));
  }

  private static Tuple2<Object, Object> scoreAndLabel(Row r) {
    return new Tuple2<>(-r.getDouble(0), r.getBoolean(1) ? 1.0 : 0.0);
  }
}
