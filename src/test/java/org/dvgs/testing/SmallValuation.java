package org.dvgs.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.evaluation.SyntheticData;

/**
 * A small labelled data set (Parquet, written once per JVM) and the overrides of a valuation run on it, as
 * {@code key=value} strings that work both in-process ({@link TestConfigs}) and on a child driver's command line.
 */
public final class SmallValuation {
  private static Path dir;
  private static final Map<String, String> SOURCES = new HashMap<>();
  private static String target;

  private SmallValuation() {}

  private static synchronized void ensureTarget(SparkSession spark) {
    if (dir == null) {
      dir = SharedSpark.tempDir("small-valuation");
      target = SyntheticData.write(spark, SyntheticData.classification(11, "t", 200, 3, 8, 1.2, 0.0), dir.resolve("target").toString(), 1);
    }
  }

  /** A source table of {@code rows} rows (20% labels flipped; column {@code corrupted} marks them) in 3 files. */
  public static synchronized String source(SparkSession spark, int rows) {
    ensureTarget(spark);
    return SOURCES.computeIfAbsent("s" + rows, k -> SyntheticData.write(
        spark, SyntheticData.classification(11, "s", rows, 3, 8, 1.2, 0.2), dir.resolve("source-" + rows).toString(), 3));
  }

  public static synchronized String target(SparkSession spark) {
    ensureTarget(spark);
    return target;
  }

  /** Overrides for a run on a {@code rows}-row source writing to {@code out}, then {@code more}. */
  public static List<String> overrides(SparkSession spark, int rows, String out, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=" + source(spark, rows), "input.target.path=" + target(spark),
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "input.scaling.method=z-score",
        "model.hidden=[16,16]", "model.activation=mish",
        "training.batch-size=50", "training.epochs=3", "training.restarts=2", "training.learning-rate=0.01",
        "scoring.batch-size=64", "output.path=" + out));
    o.addAll(List.of(more));
    return o;
  }

  /** sample_id -> {value, value_std (NaN when null), n_checkpoints}. */
  public static Map<String, double[]> table(Dataset<Row> values) {
    Map<String, double[]> m = new HashMap<>();
    for (Row r : values.select("sample_id", "value", "value_std", "n_checkpoints").collectAsList()) {
      m.put(r.getString(0), new double[] {r.getDouble(1), r.isNullAt(2) ? Double.NaN : r.getDouble(2), r.getInt(3)});
    }
    return m;
  }

  /** Largest absolute difference of value and value_std over the rows of {@code a}; infinite if the ids differ. */
  public static double maxDifference(Map<String, double[]> a, Map<String, double[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (Map.Entry<String, double[]> e : a.entrySet()) {
      double[] x = e.getValue();
      double[] y = b.get(e.getKey());
      for (int i = 0; i < 3; i++) {
        boolean bothNaN = Double.isNaN(x[i]) && Double.isNaN(y[i]);
        max = Math.max(max, bothNaN ? 0 : Math.abs(x[i] - y[i]));
      }
    }
    return max;
  }
}
