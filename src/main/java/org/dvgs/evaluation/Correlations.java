package org.dvgs.evaluation;

import java.util.LinkedHashMap;
import java.util.Map;
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

  /** {@code {pearson, spearman, n}} of columns {@code a} and {@code b}. */
  public static Map<String, Object> of(Dataset<Row> table, String a, String b) {
    Dataset<Row> pairs = table.select(table.col(a).cast("double").as("a"), table.col(b).cast("double").as("b"))
        .na().drop();
    long n = pairs.count();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("n", n);
    if (n < 3) {
      m.put("pearson", Double.NaN);
      m.put("spearman", Double.NaN);
      return m;
    }
    Dataset<Row> v = new VectorAssembler().setInputCols(new String[] {"a", "b"}).setOutputCol("v").transform(pairs).select("v");
    m.put("pearson", entry(Correlation.corr(v, "v", "pearson")));
    m.put("spearman", entry(Correlation.corr(v, "v", "spearman")));
    return m;
  }

  private static double entry(Dataset<Row> corr) {
    Matrix c = (Matrix) corr.first().get(0);
    return c.apply(0, 1);
  }
}
