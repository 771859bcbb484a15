package org.dvgs.aggregation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * {@code dvgs.aggregation.combine = rank-loss}: a row's value becomes the mean of its percentile rank by its mean
 * similarity and its percentile rank by minus its mean own loss, over all valued rows.
 *
 * <p>A rank is the average rank over ties (ranks 1..N in ascending order, tied scores sharing the mean of their
 * positions) divided by N, so it lies in (0, 1]. Ranks come from a global sort: the distinct scores with their counts
 * are sorted, each sorted partition's total count is the only thing brought to the driver, and each score's rank
 * follows from the counts before it. Every step depends on the scores alone, never on their order or partitioning,
 * so the result is the same for any partitioning. NaN scores rank lowest (tied with minus infinity) and -0.0 ties
 * with 0.0.
 */
final class RankCombine {
  private RankCombine() {}

  /** One valued row with its own loss: the written table row, and its two scores. */
  record Scored(Row row, double value, double loss) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Replaces column 1 (value) of every row by {@code (rank(value) + rank(-loss)) / 2}; other columns unchanged.
   *
   * @param partitions partitions of the shuffles
   */
  static JavaRDD<Row> combine(JavaRDD<Scored> scored, long rows, int partitions) {
    JavaPairRDD<Double, Double> byValue = ranks(scored.map(new ValueOf()), rows, partitions);
    JavaPairRDD<Double, Double> byLoss = ranks(scored.map(new MinusLossOf()), rows, partitions);
    return scored
        .mapToPair(new KeyByValue())
        .join(byValue, partitions)
        .values()
        .mapToPair(new KeyByLoss())
        .join(byLoss, partitions)
        .values()
        .map(new ToRow());
  }

  /** The table rows as they are, for {@code combine = none}. */
  static final class RowOf implements Function<Scored, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Scored s) {
      return s.row();
    }
  }

  /** The score as a ranking key: NaN as minus infinity, -0.0 as 0.0. */
  static double key(double v) {
    return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v + 0.0;
  }

  /** Each distinct key of {@code scores} with its percentile rank among all {@code rows} scores. */
  static JavaPairRDD<Double, Double> ranks(JavaRDD<Double> scores, long rows, int partitions) {
    JavaPairRDD<Double, Long> sorted = scores.mapToPair(new CountOne()).reduceByKey(new Sum(), partitions).sortByKey(true, partitions);
    List<Long> totals = sorted.mapPartitions(new PartitionTotal()).collect();
    long[] before = new long[totals.size()];
    for (int p = 1; p < before.length; p++) {
      before[p] = before[p - 1] + totals.get(p - 1);
    }
    return sorted.mapPartitionsWithIndex(new Rank(before, rows), true).mapToPair(new Identity());
  }

  private static final class ValueOf implements Function<Scored, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(Scored s) {
      return key(s.value());
    }
  }

  private static final class MinusLossOf implements Function<Scored, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(Scored s) {
      return key(-s.loss());
    }
  }

  private static final class CountOne implements PairFunction<Double, Double, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Double, Long> call(Double v) {
      return new Tuple2<>(v, 1L);
    }
  }

  private static final class Sum implements Function2<Long, Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call(Long a, Long b) {
      return a + b;
    }
  }

  private static final class PartitionTotal implements FlatMapFunction<Iterator<Tuple2<Double, Long>>, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Long> call(Iterator<Tuple2<Double, Long>> it) {
      long n = 0;
      while (it.hasNext()) {
        n += it.next()._2();
      }
      return List.of(n).iterator();
    }
  }

  /** Ranks one sorted partition, starting after the {@code before[p]} scores of the partitions before it. */
  private static final class Rank implements Function2<Integer, Iterator<Tuple2<Double, Long>>, Iterator<Tuple2<Double, Double>>> {
    private static final long serialVersionUID = 1L;
    private final long[] before;
    private final long rows;

    Rank(long[] before, long rows) {
      this.before = before;
      this.rows = rows;
    }

    @Override
    public Iterator<Tuple2<Double, Double>> call(Integer p, Iterator<Tuple2<Double, Long>> it) {
      List<Tuple2<Double, Double>> out = new ArrayList<>();
      long below = before[p];
      while (it.hasNext()) {
        Tuple2<Double, Long> e = it.next();
        long c = e._2();
        // Tied scores take positions below + 1 .. below + c; their average rank is below + (c + 1) / 2.
        out.add(new Tuple2<>(e._1(), (below + (c + 1) / 2.0) / rows));
        below += c;
      }
      return out.iterator();
    }
  }

  private static final class Identity implements PairFunction<Tuple2<Double, Double>, Double, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Double, Double> call(Tuple2<Double, Double> t) {
      return t;
    }
  }

  private static final class KeyByValue implements PairFunction<Scored, Double, Scored> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Double, Scored> call(Scored s) {
      return new Tuple2<>(key(s.value()), s);
    }
  }

  /** Carries the value rank on, keyed by minus the loss. */
  private static final class KeyByLoss implements PairFunction<Tuple2<Scored, Double>, Double, Tuple2<Scored, Double>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Double, Tuple2<Scored, Double>> call(Tuple2<Scored, Double> t) {
      return new Tuple2<>(key(-t._1().loss()), t);
    }
  }

  private static final class ToRow implements Function<Tuple2<Tuple2<Scored, Double>, Double>, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Tuple2<Tuple2<Scored, Double>, Double> t) {
      Row r = t._1()._1().row();
      Object[] cells = new Object[r.length()];
      for (int i = 0; i < cells.length; i++) {
        cells[i] = r.get(i);
      }
      cells[1] = (t._1()._2() + t._2()) / 2.0;
      return RowFactory.create(cells);
    }
  }
}
