package org.dvgs.baselines;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.dvgs.aggregation.ValueTable;

/** A method's values in the value-table schema with ground truth ({@link ValueTable#schema(boolean)}). */
public final class MethodValues {
  private MethodValues() {}

  /** The value table of one method's run: {@code value_std} is null where the method has no spread. */
  public static Dataset<Row> table(SparkSession spark, JavaRDD<SampleValue> values, String runId) {
    return spark.createDataFrame(values.map(new ToRow(runId)), ValueTable.schema(true));
  }

  /** Writes the value table of one method's run as Parquet at {@code path}, replacing an earlier one there. */
  public static void write(SparkSession spark, JavaRDD<SampleValue> values, String runId, String path) {
    table(spark, values, runId).write().mode(SaveMode.Overwrite).parquet(path);
  }

  private static final class ToRow implements Function<SampleValue, Row> {
    private static final long serialVersionUID = 1L;
    private final String runId;

    ToRow(String runId) {
      this.runId = runId;
    }

    @Override
    public Row call(SampleValue v) {
      if (!Double.isFinite(v.value())) {
        throw new IllegalStateException("run " + runId + " gave sample " + v.id() + " the value " + v.value());
      }
      return RowFactory.create(v.id(), v.value(), Double.isFinite(v.std()) ? v.std() : null, v.estimates(), runId, v.corrupted());
    }
  }
}
