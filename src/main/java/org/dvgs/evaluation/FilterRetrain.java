package org.dvgs.evaluation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.InputException;
import org.dvgs.core.Mix;
import org.dvgs.spark.SideBySide;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Filter-and-retrain curves: remove the lowest (or the highest) fraction q of the source by a ranking score,
 * train a fresh model on what remains and score it on a held-out test set. Removing the lowest-valued rows should
 * help (or at least not hurt) and removing the highest-valued ones should hurt, if the values mean anything.
 *
 * <p>The ranking is any table of {@code sample_id} and a numeric score column (a value table's {@code value}, or
 * another quality score such as a replicate correlation), so several rankings can be compared on the same source
 * and test set. Ties are broken by a seeded hash of the sample id, so exactly {@code round(q * n)} rows are removed.
 * For sources above {@link Auroc#DRIVER_LIMIT} rows the cut-offs come from a seeded sample of about that many
 * scores, so the removed count is approximate.
 *
 * <p>An instance ({@link #on}) holds one source, test set, model and seed and gives the curves of any number of
 * rankings; the model trained on the whole source does not depend on the ranking and is trained once. A model may
 * let several fits run at once ({@link Model#fitsAtOnce}); the points come back in the same order with the same
 * metrics either way.
 */
public final class FilterRetrain implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FilterRetrain.class);

  private final SparkSession spark;
  private final JavaRDD<CanonicalRow> source;
  private final JavaRDD<CanonicalRow> test;
  private final Model model;
  private final long seed;
  /** The model trained on the whole source: the same for every ranking, so fitted once. */
  private Point all;

  private FilterRetrain(SparkSession spark, JavaRDD<CanonicalRow> source, JavaRDD<CanonicalRow> test, Model model, long seed) {
    this.spark = spark;
    this.source = source;
    this.test = test.persist(StorageLevel.MEMORY_AND_DISK());
    this.model = model;
    this.seed = seed;
  }

  /** Which rows a point removes. */
  public enum Direction {
    /** Nothing removed: the model trained on the whole source. */
    ALL,
    /** The lowest-scored q. */
    LOWEST,
    /** The highest-scored q. */
    HIGHEST
  }

  /**
   * One retrained model.
   *
   * @param direction which rows were removed
   * @param q fraction removed (0 for {@link Direction#ALL})
   * @param metric the test metric (AUROC or R^2, see {@link RetrainModels})
   * @param trainRows rows the model was trained on
   * @param seconds time to train and score (wall time of this fit; fits that run at once overlap)
   */
  public record Point(Direction direction, double q, double metric, long trainRows, double seconds) {}

  /** Trains a fresh model on some rows and scores it on the test set. */
  public interface Model {
    /** The name of the metric {@link #fitAndScore} returns ({@code auroc} or {@code r2}). */
    String metric();

    /** Trains on {@code train} and returns the test metric. */
    double fitAndScore(SparkSession spark, JavaRDD<CanonicalRow> train, JavaRDD<CanonicalRow> test, long seed);

    /**
     * How many fits on about {@code rows} training rows may run at once, each from its own thread. A fit that is a
     * chain of small Spark jobs spends most of its time waiting on scheduling, not computing, so a few at once finish
     * sooner; a fit that computes on the driver, or on rows too large to hold several subsets of in memory, says 1.
     * Each fit's result must not depend on what runs beside it.
     */
    default int fitsAtOnce(long rows) {
      return 1;
    }
  }

  /**
   * Filter-and-retrain runs on one source and test set with one model and seed, for any number of rankings; the
   * model trained on the whole source is fitted once, for the first ranking, and shared. Closing it releases the
   * test rows it keeps.
   *
   * @param source the rows to filter (features on the model's scale)
   * @param test the held-out test rows (same scale)
   * @param model the model to retrain
   * @param seed seeds the tie-breaking and the model
   */
  public static FilterRetrain on(SparkSession spark, JavaRDD<CanonicalRow> source, JavaRDD<CanonicalRow> test, Model model, long seed) {
    return new FilterRetrain(spark, source, test, model, seed);
  }

  /**
   * Runs the curves for one ranking, as {@link #on} then {@link #curves}.
   *
   * @param source the rows to filter (features on the model's scale)
   * @param ranking {@code sample_id} and {@code scoreColumn} for every source row
   * @param test the held-out test rows (same scale)
   * @param grid fractions q to remove, each in (0, 1)
   * @param model the model to retrain
   * @param seed seeds the tie-breaking and the model
   * @return the point trained on everything, then per q the lowest and highest removal
   */
  public static List<Point> run(
      SparkSession spark,
      JavaRDD<CanonicalRow> source,
      Dataset<Row> ranking,
      String scoreColumn,
      JavaRDD<CanonicalRow> test,
      List<Double> grid,
      Model model,
      long seed) {
    try (FilterRetrain f = on(spark, source, test, model, seed)) {
      return f.curves(ranking, scoreColumn, grid);
    }
  }

  /**
   * The curves for one ranking.
   *
   * @param ranking {@code sample_id} and {@code scoreColumn} for every source row
   * @param grid fractions q to remove, each in (0, 1)
   * @return the point trained on everything (the same for every ranking), then per q the lowest and highest removal
   */
  public List<Point> curves(Dataset<Row> ranking, String scoreColumn, List<Double> grid) {
    long tieStream = Mix.mix(seed, 0x7469650000L);
    JavaPairRDD<String, Double> scores = ranking.select("sample_id", scoreColumn).javaRDD().mapToPair(new ScoreOf(scoreColumn));
    JavaRDD<Ranked> ranked =
        source.mapToPair(new ById()).leftOuterJoin(scores).map(new ToRanked(tieStream)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Ranked> missing = ranked.filter(Ranked::unscored).take(3);
      if (!missing.isEmpty()) {
        List<String> ids = new ArrayList<>();
        for (Ranked r : missing) {
          ids.add(r.row().id());
        }
        throw new InputException("ranking column '" + scoreColumn + "' has no score (or a null/NaN one) for source rows " + ids);
      }
      long n = ranked.count();
      Ranked.Key[] keys = sortedKeys(ranked, n, seed);
      // Every q is checked before any model is trained.
      List<Fit> fits = new ArrayList<>();
      if (all == null) {
        fits.add(new Fit(Direction.ALL, 0, ranked.map(Ranked::row)));
      }
      for (double q : grid) {
        int k = (int) Math.round(q * keys.length);
        if (k <= 0 || k >= keys.length) {
          throw new ConfigValidationException("dvgs.evaluation.retrain.grid: q = " + q + " removes " + k + " of the " + n
              + " ranked source rows; each q must remove at least one row and keep at least one");
        }
        Ranked.Key lowCut = keys[k - 1];
        Ranked.Key highCut = keys[keys.length - k];
        fits.add(new Fit(Direction.LOWEST, q, ranked.filter(new Beyond(lowCut, true)).map(Ranked::row)));
        fits.add(new Fit(Direction.HIGHEST, q, ranked.filter(new Beyond(highCut, false)).map(Ranked::row)));
      }
      List<Callable<Point>> work = new ArrayList<>();
      for (Fit f : fits) {
        work.add(() -> fit(f));
      }
      List<Point> fitted = SideBySide.run(work, model.fitsAtOnce(n), "retrain");
      List<Point> points = new ArrayList<>();
      if (all == null) {
        all = fitted.get(0);
        fitted = fitted.subList(1, fitted.size());
      }
      points.add(all);
      points.addAll(fitted);
      return points;
    } finally {
      ranked.unpersist(false);
    }
  }

  /** Releases the test rows. */
  @Override
  public void close() {
    test.unpersist(false);
  }

  /** One model to train: which rows it leaves out and the rows it trains on. */
  private record Fit(Direction direction, double q, JavaRDD<CanonicalRow> train) {}

  private Point fit(Fit f) {
    long t0 = System.nanoTime();
    JavaRDD<CanonicalRow> rows = f.train().persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long count = rows.count();
      double metric = model.fitAndScore(spark, rows, test, Mix.mix(seed, 0x726574726169L));
      double secs = (System.nanoTime() - t0) / 1e9;
      LOG.info("retrain {} q={}: {} rows, test {} = {} ({} s)", f.direction(), f.q(), count, model.metric(), String.format("%.4f", metric),
          String.format("%.1f", secs));
      return new Point(f.direction(), f.q(), metric, count, secs);
    } finally {
      rows.unpersist(false);
    }
  }

  /** Sorted (score, tie-break) keys of all rows, or of a seeded sample of them for very large sources. */
  private static Ranked.Key[] sortedKeys(JavaRDD<Ranked> ranked, long n, long seed) {
    JavaRDD<Ranked> pool = n <= Auroc.DRIVER_LIMIT ? ranked : ranked.sample(false, (double) Auroc.DRIVER_LIMIT / n, seed);
    List<Ranked.Key> list = pool.map(Ranked::key).collect();
    Ranked.Key[] keys = list.toArray(new Ranked.Key[0]);
    Arrays.sort(keys);
    return keys;
  }

  /**
   * A source row with its score.
   *
   * @param row the row
   * @param score its score (NaN when missing)
   * @param tie seeded tie-break
   */
  record Ranked(CanonicalRow row, double score, long tie) implements Serializable {
    private static final long serialVersionUID = 1L;

    boolean unscored() {
      return Double.isNaN(score);
    }

    Key key() {
      return new Key(score, tie);
    }

    /** Sort key: score, then tie-break. */
    record Key(double score, long tie) implements Comparable<Key>, Serializable {
      private static final long serialVersionUID = 1L;

      @Override
      public int compareTo(Key o) {
        int c = Double.compare(score, o.score);
        return c != 0 ? c : Long.compare(tie, o.tie);
      }
    }
  }

  private static final class ById implements PairFunction<CanonicalRow, String, CanonicalRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<String, CanonicalRow> call(CanonicalRow r) {
      return new Tuple2<>(r.id(), r);
    }
  }

  private static final class ScoreOf implements PairFunction<Row, String, Double> {
    private static final long serialVersionUID = 1L;
    private final String column;

    ScoreOf(String column) {
      this.column = column;
    }

    @Override
    public Tuple2<String, Double> call(Row r) {
      Object v = r.get(1);
      if (v != null && !(v instanceof Number)) {
        throw new InputException("ranking column '" + column + "' is not numeric (sample " + r.getString(0) + ": " + v + ")");
      }
      return new Tuple2<>(r.getString(0), v == null ? Double.NaN : ((Number) v).doubleValue());
    }
  }

  private static final class ToRanked implements Function<Tuple2<String, Tuple2<CanonicalRow, org.apache.spark.api.java.Optional<Double>>>, Ranked> {
    private static final long serialVersionUID = 1L;
    private final long stream;

    ToRanked(long stream) {
      this.stream = stream;
    }

    @Override
    public Ranked call(Tuple2<String, Tuple2<CanonicalRow, org.apache.spark.api.java.Optional<Double>>> t) {
      double s = t._2()._2().isPresent() ? t._2()._2().get() : Double.NaN;
      return new Ranked(t._2()._1(), s, Mix.mix(stream, Mix.hash(t._1())));
    }
  }

  /** Rows strictly above ({@code above}) or strictly below the cut-off key. */
  private static final class Beyond implements Function<Ranked, Boolean> {
    private static final long serialVersionUID = 1L;
    private final Ranked.Key cut;
    private final boolean above;

    Beyond(Ranked.Key cut, boolean above) {
      this.cut = cut;
      this.above = above;
    }

    @Override
    public Boolean call(Ranked r) {
      int c = r.key().compareTo(cut);
      return above ? c > 0 : c < 0;
    }
  }
}
