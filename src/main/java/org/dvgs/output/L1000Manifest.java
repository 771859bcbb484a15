package org.dvgs.output;

import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of an {@code l1000} run: the manifest of its valuation ({@link ValueManifest}, whose
 * fields it holds at its own top level) with the comparison of the values with APC, the filter-and-retrain curves,
 * two more tables under {@code output} and the comparison's stage times under {@code timings}.
 *
 * @param valuation the valuation run's manifest; its fields are this manifest's own (its {@code metrics} are the
 *     ones below, as a map)
 * @param metrics value vs APC and the retrain curves
 * @param output the tables the comparison adds
 * @param timings the comparison's stage wall times
 */
public record L1000Manifest(@Inline ValueManifest valuation, Metrics metrics, Output output, Timings timings) {

  /** The command name the manifest carries. */
  public static final String COMMAND = "l1000";

  /** The command. */
  public String command() {
    return valuation.command();
  }

  /**
   * Value against APC and the filter-and-retrain curves.
   *
   * @param valueVsApc correlation of value and APC over the valued signatures that have an APC
   * @param retrainMetric the test metric of the retrained models ({@code r2} or {@code auroc}), the name of each
   *     curve point's score
   * @param retrainTestRows held-out test rows the retrained models are scored on (the valid ones)
   * @param retrainTestRead held-out test rows read
   * @param retrainTestValid valid held-out test rows
   * @param retrainTestRejected invalid held-out test rows (left out of the test set)
   * @param retrainTestRejectedByReason invalid held-out test rows per reason
   * @param retrainCurves the curve points, ranking by value first, then by APC
   */
  public record Metrics(
      Correlation valueVsApc,
      String retrainMetric,
      long retrainTestRows,
      long retrainTestRead,
      long retrainTestValid,
      long retrainTestRejected,
      Map<String, Long> retrainTestRejectedByReason,
      List<CurvePoint> retrainCurves) {}

  /**
   * Pearson and Spearman correlation (NaN with fewer than 3 pairs).
   *
   * @param n pairs with both values
   * @param pearson Pearson correlation
   * @param spearman Spearman correlation (average ranks for ties)
   */
  public record Correlation(long n, double pearson, double spearman) {}

  /**
   * One point of a filter-and-retrain curve: its score is written under the name of the metric.
   *
   * @param ranking {@code value} or {@code apc}
   * @param removed {@code all} (nothing removed), {@code lowest} or {@code highest}
   * @param q the fraction of the ranked rows removed
   * @param auroc test AUROC of the retrained classifier
   * @param r2 test R^2 of the retrained regressor or autoencoder
   * @param trainRows rows the model was retrained on
   */
  public record CurvePoint(String ranking, String removed, double q, @MayBeAbsent Double auroc, @MayBeAbsent Double r2, long trainRows) {
    /** A point scored with {@code metric} ({@code auroc} or {@code r2}). */
    public static CurvePoint of(String ranking, String removed, double q, String metric, double score, long trainRows) {
      return switch (metric) {
        case "auroc" -> new CurvePoint(ranking, removed, q, score, null, trainRows);
        case "r2" -> new CurvePoint(ranking, removed, q, null, score, trainRows);
        default -> throw new IllegalArgumentException("no curve score named " + metric);
      };
    }

    /** The score, whichever metric it is. */
    public double score() {
      return auroc != null ? auroc : r2;
    }
  }

  /**
   * The tables the comparison writes, next to the valuation's.
   *
   * @param valuesWithMetadata every valued signature with its value and all its metadata
   * @param retrainCurves the curve points as a table
   */
  public record Output(String valuesWithMetadata, String retrainCurves) {}

  /**
   * The comparison's stage wall times, in seconds.
   *
   * @param valuationS the valuation (its {@code total_s})
   * @param joinAndCorrelationS joining values with metadata, writing them and correlating with APC
   * @param retrainS checking the held-out rows and retraining every curve point
   * @param l1000TotalS the whole command
   */
  public record Timings(double valuationS, double joinAndCorrelationS, double retrainS, double l1000TotalS) {}
}
