package org.dvgs.evaluation;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Area under the ROC curve of a value table for "low value means corrupted": the score is {@code -value}, the
 * positive class the corrupted rows. Tied scores count one half, as in the Mann-Whitney statistic. The arithmetic
 * itself is {@link org.dvgs.core.Auroc}; this class decides where it runs (driver or cluster).
 */
public final class Auroc {
  private Auroc() {}

  /** Tables up to this many rows are scored on the driver (exact, no Spark jobs beyond one collect). */
  static final long DRIVER_LIMIT = 2_000_000;

  /**
   * AUROC of {@code corrupted} against {@code -value} over a value table: exact on the driver for tables up to
   * {@value #DRIVER_LIMIT} rows, else distributed with MLlib (exact thresholds).
   */
  public static double ofTable(Dataset<Row> values) {
    Dataset<Row> sel = values.select("value", "corrupted");
    List<Row> head = sel.limit((int) DRIVER_LIMIT + 1).collectAsList();
    if (head.size() <= DRIVER_LIMIT) {
      double[] scores = new double[head.size()];
      boolean[] pos = new boolean[head.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = -head.get(i).getDouble(0);
        pos[i] = head.get(i).getBoolean(1);
      }
      return org.dvgs.core.Auroc.of(scores, pos);
    }
    return distributed(values);
  }

  /** Distributed AUROC with MLlib's {@code BinaryClassificationMetrics}. */
  public static double distributed(Dataset<Row> values) {
    JavaRDD<Tuple2<Object, Object>> scoreAndLabel =
        values.select("value", "corrupted").javaRDD().map(r -> new Tuple2<>(-r.getDouble(0), r.getBoolean(1) ? 1.0 : 0.0));
    BinaryClassificationMetrics m = new BinaryClassificationMetrics(scoreAndLabel.rdd());
    try {
      return m.areaUnderROC();
    } finally {
      m.unpersist();
    }
  }
}
