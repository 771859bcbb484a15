package org.dvgs.baselines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.Keys;
import org.dvgs.config.Task;
import org.dvgs.core.Stats;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KNN-Shapley (Jia et al. 2019, "Efficient task-specific data valuation for nearest neighbor algorithms"): the exact
 * Shapley value of every source row for a K-nearest-neighbour classifier whose utility on one target row is the
 * fraction of its K nearest source rows that carry the target row's label, averaged over the target rows.
 *
 * <p>For one target row, with the N source rows ranked 1..N by Euclidean distance in the scaled feature space (ties
 * broken by sample id) and {@code m_t} = 1 when the row at rank t has the target row's label, Jia et al.'s recursion
 * {@code s_N = m_N / N}, {@code s_t = s_(t+1) + (m_t - m_(t+1)) / K * min(K, t) / t} telescopes to
 * {@code s_r = m_r min(K, r) / (K r) - sum_(t > max(r, K)) m_t / (t (t - 1))}: a reverse cumulative sum over ranks.
 * (The first form assumes N >= K; the second also covers N < K, where every row's value is {@code m / K}.)
 *
 * <p>The computation is distributed and never brings the source to the driver: the target rows are broadcast, every
 * (target row, source row) pair becomes one row with its distance and match, one window sort per target row gives
 * the ranks and the cumulative sums, and each source row's values are averaged over the target rows in target order
 * (so the result does not depend on partitioning). Its cost is {@code targets x sources} pairs.
 */
public final class KnnShapley implements ValuationMethod {
  private static final Logger LOG = LoggerFactory.getLogger(KnnShapley.class);

  @Override
  public String name() {
    return "knn-shapley";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    if (ctx.task() != Task.CLASSIFIER) {
      throw new ConfigValidationException(
          "dvgs.evaluation.methods includes knn-shapley, implemented for a K-nearest-neighbour classifier only, but"
              + " dvgs.model.task = " + Keys.kebab(ctx.task()));
    }
    int k = ctx.config().knnShapley().k();
    DenseRows target = ctx.inputs().target();
    JavaRDD<SampleValue> values = values(spark, ctx.inputs().source(), target, k);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("k", k);
    details.put("target_rows", target.rows());
    LOG.info("knn-shapley: K = {}, {} target rows", k, target.rows());
    return new MethodResult(values, details);
  }

  /**
   * Every source row's KNN-Shapley value, averaged over the target rows.
   *
   * @param source rows to value (features, class-index labels)
   * @param target the rows the classifier is evaluated on
   * @param k neighbours
   * @return one value per source row; {@code std} is the spread over target rows, {@code estimates} their count
   */
  public static JavaRDD<SampleValue> values(SparkSession spark, JavaRDD<CanonicalRow> source, DenseRows target, int k) {
    Broadcast<DenseRows> bt = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(target);
    StructType schema =
        new StructType()
            .add("t", DataTypes.IntegerType, false)
            .add("d", DataTypes.DoubleType, false)
            .add("sid", DataTypes.StringType, false)
            .add("m", DataTypes.IntegerType, false)
            .add("corrupted", DataTypes.BooleanType, false);
    Dataset<Row> pairs = spark.createDataFrame(source.flatMap(new Pairs(bt)), schema);
    WindowSpec byRank = Window.partitionBy("t").orderBy("d", "sid");
    Column r = col("r").cast(DataTypes.DoubleType);
    // the rank-t term of the reverse sum, m_t / (t (t - 1)) beyond rank K; zero up to K
    Column term = when(col("r").gt(k), col("m").cast(DataTypes.DoubleType).divide(r.multiply(r.minus(1)))).otherwise(lit(0.0));
    Column upTo = sum(col("term")).over(byRank.rowsBetween(Window.unboundedPreceding(), Window.currentRow()));
    Column all = sum(col("term")).over(byRank.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing()));
    Column weight = when(col("r").gt(k), lit(1.0).divide(r)).otherwise(lit(1.0 / k));
    Dataset<Row> shapley =
        pairs
            .withColumn("r", row_number().over(byRank))
            .withColumn("term", term)
            .withColumn("s", col("m").cast(DataTypes.DoubleType).multiply(weight).minus(all.minus(upTo)));
    Dataset<Row> perSource = shapley.groupBy("sid", "corrupted").agg(collect_list(struct(col("t"), col("s"))).as("v"));
    return perSource.toJavaRDD().map(new Average());
  }

  /** Every (target row, source row) pair: squared distance (same order as the distance) and label match. */
  private static final class Pairs implements FlatMapFunction<CanonicalRow, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<DenseRows> target;

    Pairs(Broadcast<DenseRows> target) {
      this.target = target;
    }

    @Override
    public Iterator<Row> call(CanonicalRow row) {
      DenseRows t = target.value();
      float[] x = row.features();
      int d = t.width();
      if (x.length != d) {
        throw new IllegalStateException("source row " + row.id() + " has " + x.length + " features, the target " + d);
      }
      float[] tf = t.features();
      List<Row> out = new ArrayList<>(t.rows());
      for (int j = 0; j < t.rows(); j++) {
        double s = 0;
        int off = j * d;
        for (int c = 0; c < d; c++) {
          double diff = (double) x[c] - tf[off + c];
          s += diff * diff;
        }
        int match = (int) row.label() == (int) t.labels()[j] ? 1 : 0;
        out.add(RowFactory.create(j, s, row.id(), match, row.corrupted()));
      }
      return out.iterator();
    }
  }

  /** Mean and sample standard deviation of one source row's values over the target rows, summed in target order. */
  private static final class Average implements Function<Row, SampleValue> {
    private static final long serialVersionUID = 1L;

    @Override
    public SampleValue call(Row row) {
      List<Row> v = row.getList(2);
      // one value per target row, placed by target index so the sum runs in target order
      double[] s = new double[v.size()];
      for (Row tv : v) {
        s[tv.getInt(0)] = tv.getDouble(1);
      }
      return new SampleValue(row.getString(0), Stats.mean(s), Stats.sampleStd(s), s.length, row.getBoolean(1));
    }
  }
}
