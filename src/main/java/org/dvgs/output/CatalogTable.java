package org.dvgs.output;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a run's value partition in the Spark catalog ({@code dvgs.output.table}): an external Parquet table
 * partitioned by {@code run_id}, created on first use with the current run's {@code values/} directory as its
 * location. Every run adds its own partition, pointing at its own output, or moves the partition when the run id
 * was registered before; the data are never touched by the catalog (dropping the table or a partition deletes no
 * file). With a Hive metastore ({@code spark.sql.catalogImplementation=hive}) the table outlives the session.
 */
public final class CatalogTable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogTable.class);

  /** The table's columns, as in the Parquet files; {@code run_id} is the partition column. */
  static final String COLUMNS = "sample_id STRING, value DOUBLE, value_std DOUBLE, n_checkpoints INT, run_id STRING";

  private CatalogTable() {}

  /** Creates the table if needed and points its partition {@code run_id = runId} at {@code partition}. */
  public static void register(SparkSession spark, String table, String valuesRoot, String partition, String runId) {
    String name = quoteName(table);
    spark.sql("CREATE TABLE IF NOT EXISTS " + name + " (" + COLUMNS + ") USING parquet PARTITIONED BY (run_id) LOCATION "
        + literal(valuesRoot));
    String spec = "PARTITION (run_id = " + literal(runId) + ")";
    spark.sql("ALTER TABLE " + name + " DROP IF EXISTS " + spec);
    spark.sql("ALTER TABLE " + name + " ADD " + spec + " LOCATION " + literal(partition));
    LOG.info("registered partition run_id={} of table {} at {}", runId, table, partition);
  }

  private static String quoteName(String table) {
    StringBuilder b = new StringBuilder();
    for (String part : table.split("\\.")) {
      if (b.length() > 0) {
        b.append('.');
      }
      b.append('`').append(part).append('`');
    }
    return b.toString();
  }

  private static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
