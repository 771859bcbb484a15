package org.dvgs.evaluation;

import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.stat.Correlation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Pearson and Spearman correlation of two numeric columns, computed by Spark over the whole table (no collection
 * on the driver). Rows where either column is null or NaN are left out; Spearman uses average ranks for ties.
 */
public final class Correlations {
  private Correlations() {}

  /**
   * The correlations of two columns.
   *
   * @param n rows where both are defined
   * @param pearson Pearson correlation (NaN with fewer than 3 rows)
   * @param spearman Spearman correlation (NaN with fewer than 3 rows)
   */
  public record Pair(long n, double pearson, double spearman) {}

  /** Pearson and Spearman correlation of columns {@code a} and {@code b}, and the rows they are computed on. */
  public static Pair of(Dataset<Row> table, String a, String b) {
    Dataset<Row> pairs = table.select(table.col(a).cast("double").as("a"), table.col(b).cast("double").as("b"))
        .na().drop();
    long n = pairs.count();
    if (n < 3) {
      return new Pair(n, Double.NaN, Double.NaN);
    }
    Dataset<Row> v = new VectorAssembler().setInputCols(new String[] {"a", "b"}).setOutputCol("v").transform(pairs).select("v");
    return new Pair(n, entry(Correlation.corr(v, "v", "pearson")), entry(Correlation.corr(v, "v", "spearman")));
  }

  private static double entry(Dataset<Row> corr) {
    Matrix c = (Matrix) corr.first().get(0);
    return c.apply(0, 1);
  }
}
