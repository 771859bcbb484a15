package org.dvgs.io;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.dvgs.config.InputConfig;
import org.dvgs.core.InputException;
import org.dvgs.core.Mix;

/**
 * The DVGS paper's preparation of L1000 signatures as a split of one table: a held-out test set, a target sampled
 * with weights balancing perturbations, and the source (everything else).
 *
 * <p>Test rows: a seeded hash of the sample id below {@code test-fraction}. Target: a weighted sample without
 * replacement of {@code target-size} of the other rows, with weight 1 / (rows in the row's group), drawn as the
 * rows with the smallest keys {@code -ln(u) / w} where u is a seeded hash of the id (Efraimidis and Spirakis'
 * exponential keys, ties broken by id). Each compound thus contributes about equally, however many signatures
 * it has. Everything is a function of (seed, sample id, group sizes): the same table and seed give the same split
 * on any cluster.
 */
public final class BalancedSplit {
  /** The split column added to the table: {@code test}, {@code target} or {@code source}. */
  public static final String COLUMN = "__dvgs_split";
  public static final String TEST = "test";
  public static final String TARGET = "target";
  public static final String SOURCE = "source";

  private static final long TEST_STREAM = 0x7465737431L;
  private static final long TARGET_STREAM = 0x7461726765L;

  private BalancedSplit() {}

  /**
   * Adds {@link #COLUMN} to a table.
   *
   * @param name the table's name for messages
   */
  public static Dataset<Row> assign(Dataset<Row> table, String idColumn, InputConfig.BalancedSplit cfg, long seed, String name) {
    List<String> cols = new ArrayList<>();
    for (String c : table.columns()) {
      if (!TableReader.hidden(c)) {
        cols.add(c);
      }
    }
    if (!cols.contains(idColumn)) {
      throw new InputException(name + ": id column '" + Printable.of(idColumn) + "' not found (columns: " + Printable.names(cols) + ")");
    }
    if (!cols.contains(cfg.groupColumn())) {
      throw new InputException(
          name + ": group column '" + Printable.of(cfg.groupColumn()) + "' (dvgs.input.split.group-column) not found (columns: " + Printable.names(cols) + ")");
    }
    UserDefinedFunction unit = udf(new Unit(), DataTypes.DoubleType);
    UserDefinedFunction key = udf(new Key(), DataTypes.DoubleType);
    Dataset<Row> withTest = table
        .withColumn("__dvgs_group", coalesce(col(cfg.groupColumn()).cast("string"), lit("")))
        .withColumn("__dvgs_test", unit.apply(col(idColumn).cast("string"), lit(Mix.mix(seed, TEST_STREAM))).lt(cfg.testFraction()));
    Dataset<Row> sizes = withTest.filter(col("__dvgs_test").equalTo(false)).groupBy("__dvgs_group").agg(count(lit(1)).as("__dvgs_n"));
    Dataset<Row> keyed = withTest.filter(col("__dvgs_test").equalTo(false))
        .select(col(idColumn).cast("string").as("__dvgs_id"), col("__dvgs_group"))
        .join(sizes, "__dvgs_group")
        .withColumn("__dvgs_key", key.apply(unit.apply(col("__dvgs_id"), lit(Mix.mix(seed, TARGET_STREAM))), col("__dvgs_n")));
    List<Row> chosen = keyed.orderBy(col("__dvgs_key"), col("__dvgs_id")).select("__dvgs_id").limit(cfg.targetSize()).collectAsList();
    if (chosen.size() < cfg.targetSize()) {
      throw new InputException(
          name + ": dvgs.input.split.target-size = " + cfg.targetSize() + " but only " + chosen.size()
              + " rows are left after holding out the test fraction " + cfg.testFraction());
    }
    List<Object> ids = new ArrayList<>(chosen.size());
    for (Row r : chosen) {
      ids.add(r.getString(0));
    }
    return withTest
        .withColumn(COLUMN,
            when(col("__dvgs_test"), lit(TEST))
                .when(col(idColumn).cast("string").isin(ids.toArray()), lit(TARGET))
                .otherwise(lit(SOURCE)))
        .drop("__dvgs_group", "__dvgs_test");
  }

  /** Seeded uniform number in [0, 1) from a sample id. */
  private static final class Unit implements UDF2<String, Long, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(String id, Long stream) {
      return Mix.unit(Mix.mix(stream, Mix.hash(id == null ? "" : id)));
    }
  }

  /** Exponential sampling key of a row with weight 1 / groupSize. */
  private static final class Key implements UDF2<Double, Long, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(Double u, Long groupSize) {
      // u is in [0, 1); 1 - u is in (0, 1], so the logarithm is finite.
      return -Math.log(1.0 - u) * groupSize;
    }
  }
}
