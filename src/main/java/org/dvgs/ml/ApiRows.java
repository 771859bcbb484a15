package org.dvgs.ml;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.TableConfig;
import org.dvgs.io.ColumnPlan;
import org.dvgs.core.InputException;
import org.dvgs.io.TableReader;
import scala.Tuple2;

/**
 * A caller's DataFrame read as the {@code value} command reads a table: the same column plan ({@link ColumnPlan}),
 * the same row checks and, without an id column, the same generated ids. A DataFrame that is a Parquet file scan
 * gets the command's ids (the row's position in the table, files in path order); any other DataFrame is numbered
 * by its position in partition order (for a DataFrame read from one file, the same numbers).
 */
final class ApiRows {
  private ApiRows() {}

  /**
   * A DataFrame with the hidden columns its rows are named by, and its column plan.
   *
   * @param frame the caller's columns, then the hidden ones
   * @param plan how a row of {@code frame} becomes a canonical row
   * @param userColumns how many of {@code frame}'s columns are the caller's (they come first)
   */
  record Prepared(Dataset<Row> frame, ColumnPlan plan, int userColumns) {}

  /** The table settings a DataFrame is read with: one features column, the label and id columns. */
  static TableConfig table(TableConfig base, String featuresCol, String labelCol, String idCol, boolean needLabel) {
    return new TableConfig("", base.format(), base.options(), idCol, featuresCol, List.of(), List.of(), needLabel ? labelCol : "", base.labelAbove());
  }

  /** Resolves the columns against a schema: a missing or wrong-typed column is an error naming it. */
  static ColumnPlan resolve(StructType schema, TableConfig table, boolean needLabel, String name) {
    reserved(schema, name);
    return ColumnPlan.resolve(name, schema, table, List.of(), needLabel);
  }

  static Prepared prepare(Dataset<Row> df, TableConfig table, boolean needLabel, String name) {
    reserved(df.schema(), name);
    Dataset<Row> frame = table.idColumn().isEmpty() ? withRowNames(df) : df;
    return new Prepared(frame, ColumnPlan.resolve(name, frame.schema(), table, List.of(), needLabel), df.schema().size());
  }

  private static void reserved(StructType schema, String name) {
    for (String c : schema.fieldNames()) {
      if (c.startsWith("__dvgs_")) {
        throw new InputException(name + ": column '" + c + "' uses the prefix __dvgs_, which dvgs reserves for its own columns");
      }
    }
  }

  /** Adds the columns generated ids come from: file and row of a Parquet scan, else the row's position. */
  private static Dataset<Row> withRowNames(Dataset<Row> df) {
    try {
      Column meta = df.metadataColumn("_metadata");
      Dataset<Row> named = df.select(functions.col("*"), meta.getField("file_path").as(TableReader.FILE), meta.getField("row_index").plus(1).as(TableReader.ROW));
      named.schema();
      return named;
    } catch (Exception notAFileScan) {
      // Not a Parquet scan (a DataFrame built in memory, or derived by other stages): rows are numbered by position.
      JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(new WithPosition());
      return df.sparkSession().createDataFrame(rows, df.schema().add(TableReader.POSITION, DataTypes.LongType, false));
    }
  }

  /** Appends a row's position. */
  private static final class WithPosition implements Function<Tuple2<Row, Long>, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Tuple2<Row, Long> t) {
      Row r = t._1();
      Object[] v = new Object[r.size() + 1];
      for (int i = 0; i < r.size(); i++) {
        v[i] = r.get(i);
      }
      v[r.size()] = t._2();
      return RowFactory.create(v);
    }
  }
}
