package org.dvgs.aggregation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ValueCombine;
import org.dvgs.core.CanonicalRow;
import org.dvgs.scoring.FaultInjection;
import org.dvgs.scoring.RowStats;
import org.dvgs.scoring.SourceBatch;

/**
 * The value table: one row per valued sample.
 *
 * <pre>
 * sample_id      string   the input's id (or the generated row number)
 * value          double   (weighted) mean similarity over all checkpoints of all restarts; with
 *                         dvgs.aggregation.combine = rank-loss the mean of its percentile rank and that of minus the
 *                         row's mean own loss, in (0, 1] ({@link RankCombine})
 * value_std      double   (weighted) sample standard deviation of those similarities (null with one checkpoint)
 * n_checkpoints  int      how many similarities were averaged
 * run_id         string   the run that produced the row
 * corrupted      boolean  only in experiment results: whether the row was corrupted on purpose
 * </pre>
 *
 * And the rejects table: {@code sample_id string, reason string, run_id string}. On disk both are partitioned by
 * run id ({@code values/run_id=<id>/}): {@code run_id} is the partition column and is not stored in the files, so
 * reading the table root gives these columns with {@code run_id} last. The schema only ever grows at the end.
 */
public final class ValueTable {
  private ValueTable() {}

  public static StructType schema(boolean groundTruth) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField("sample_id", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("value", DataTypes.DoubleType, false));
    f.add(DataTypes.createStructField("value_std", DataTypes.DoubleType, true));
    f.add(DataTypes.createStructField("n_checkpoints", DataTypes.IntegerType, false));
    f.add(DataTypes.createStructField("run_id", DataTypes.StringType, false));
    if (groundTruth) {
      f.add(DataTypes.createStructField("corrupted", DataTypes.BooleanType, false));
    }
    return DataTypes.createStructType(f);
  }

  /**
   * The value table's columns as reading a run's partition back gives them: the stored columns, then the partition
   * column {@code run_id} (a string, whatever the run id looks like).
   */
  public static StructType readSchema(boolean groundTruth) {
    List<StructField> f = new ArrayList<>();
    for (StructField s : schema(groundTruth).fields()) {
      if (!s.name().equals("run_id")) {
        f.add(s);
      }
    }
    f.add(DataTypes.createStructField("run_id", DataTypes.StringType, false));
    return DataTypes.createStructType(f);
  }

  public static StructType rejectsSchema() {
    return DataTypes.createStructType(
        List.of(
            DataTypes.createStructField("sample_id", DataTypes.StringType, false),
            DataTypes.createStructField("reason", DataTypes.StringType, false),
            DataTypes.createStructField("run_id", DataTypes.StringType, false)));
  }

  /**
   * Joins each batch with its statistics, partition by partition; each pair is checked by the batch's id checksum
   * ({@link RowStats#check}), so a value is never written next to another row's id.
   */
  public static Dataset<Row> build(SparkSession spark, JavaRDD<SourceBatch> batches, JavaRDD<RowStats> stats, String runId, boolean groundTruth) {
    return build(spark, batches, stats, runId, groundTruth, ValueCombine.NONE, 0);
  }

  /**
   * As above, the value made as {@code combine} says ({@code dvgs.aggregation.combine}).
   *
   * @param rows rows valued (the rank denominator)
   */
  public static Dataset<Row> build(
      SparkSession spark, JavaRDD<SourceBatch> batches, JavaRDD<RowStats> stats, String runId, boolean groundTruth, ValueCombine combine,
      long rows) {
    JavaRDD<RankCombine.Scored> scored = batches.zipPartitions(stats, new ToRows(runId, groundTruth));
    JavaRDD<Row> out = combine == ValueCombine.RANK_LOSS
        ? RankCombine.combine(scored, rows, batches.getNumPartitions())
        : scored.map(new RankCombine.RowOf());
    return spark.createDataFrame(out, schema(groundTruth));
  }

  /** The rejects table. */
  public static Dataset<Row> rejects(SparkSession spark, JavaRDD<CanonicalRow> rejects, String runId) {
    JavaRDD<Row> rows = rejects.map(new RejectRow(runId));
    return spark.createDataFrame(rows, rejectsSchema());
  }

  private static final class ToRows implements FlatMapFunction2<Iterator<SourceBatch>, Iterator<RowStats>, RankCombine.Scored> {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final boolean groundTruth;

    ToRows(String runId, boolean groundTruth) {
      this.runId = runId;
      this.groundTruth = groundTruth;
    }

    @Override
    public Iterator<RankCombine.Scored> call(Iterator<SourceBatch> batches, Iterator<RowStats> stats) {
      List<RankCombine.Scored> out = new ArrayList<>();
      while (batches.hasNext()) {
        SourceBatch b = batches.next();
        if (!stats.hasNext()) {
          throw new IllegalStateException("value table, partition " + partition() + ": source batch " + b.firstIds(3) + " has no row statistics");
        }
        RowStats s = stats.next();
        s.check(b, "value table, partition " + partition());
        for (int i = 0; i < b.rows(); i++) {
          double std = s.std(i);
          Object stdValue = Double.isNaN(std) ? null : std;
          Row row = groundTruth
              ? RowFactory.create(b.ids()[i], s.mean()[i], stdValue, s.count(), runId, b.corrupted()[i])
              : RowFactory.create(b.ids()[i], s.mean()[i], stdValue, s.count(), runId);
          out.add(new RankCombine.Scored(row, s.mean()[i], s.loss()[i]));
        }
      }
      if (stats.hasNext()) {
        throw new IllegalStateException("value table, partition " + partition() + ": more row statistics than source batches");
      }
      FaultInjection.maybeFail("aggregation");
      return out.iterator();
    }
  }

  private static String partition() {
    TaskContext tc = TaskContext.get();
    return tc == null ? "?" : String.valueOf(tc.partitionId());
  }

  private static final class RejectRow implements org.apache.spark.api.java.function.Function<CanonicalRow, Row> {
    private static final long serialVersionUID = 1L;
    private final String runId;

    RejectRow(String runId) {
      this.runId = runId;
    }

    @Override
    public Row call(CanonicalRow r) {
      return RowFactory.create(r.id(), r.reason(), runId);
    }
  }
}
