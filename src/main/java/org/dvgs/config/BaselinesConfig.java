package org.dvgs.config;

import java.util.List;

/**
 * Settings of the valuation methods {@code evaluate} can run beside DVGS ({@code dvgs.evaluation.baselines}).
 *
 * @param maxRows largest source that leave-one-out, TMC Data Shapley and DVRL accept (they hold the source on the
 *     driver and fit models on subsets of it)
 * @param utility the model leave-one-out and TMC Data Shapley fit on subsets, and how it is scored
 * @param loo leave-one-out settings
 * @param tmcShapley TMC Data Shapley settings
 * @param knnShapley KNN-Shapley settings ({@code knn-shapley})
 * @param dvrl DVRL settings ({@code dvrl})
 * @param confidentLearning confident-learning settings ({@code confident-learning})
 */
public record BaselinesConfig(
    int maxRows, Utility utility, Loo loo, TmcShapley tmcShapley, KnnShapley knnShapley, Dvrl dvrl, ConfidentLearning confidentLearning) {

  /** The model whose out-of-fold probabilities confident learning reads ({@code confident-learning.model}). */
  public enum ConfidenceModel {
    /** The valuation network, trained on the driver with dvgs.model / dvgs.training settings. */
    VALUATION,
    /** Spark MLlib's LogisticRegression, trained distributed. */
    LOGISTIC_REGRESSION
  }

  /**
   * Confident learning's self-confidence ({@code dvgs.evaluation.baselines.confident-learning}).
   *
   * @param folds folds of the source (each row's probability comes from the model fitted on the other folds)
   * @param model the model fitted per fold
   * @param maxIter iterations of {@link ConfidenceModel#LOGISTIC_REGRESSION}
   */
  public record ConfidentLearning(int folds, ConfidenceModel model, int maxIter) {
    static ConfidentLearning from(Keys k) {
      int folds = k.positiveInt("folds");
      if (folds < 2) {
        throw new ConfigValidationException(k.full("folds") + " must be >= 2 (out-of-fold predictions), got " + folds);
      }
      return new ConfidentLearning(folds, k.enumValue("model", ConfidenceModel.class), k.positiveInt("max-iter"));
    }
  }

  /** How a fitted utility model is scored on the target set ({@code utility.metric}). */
  public enum UtilityMetric {
    /** Accuracy for a classifier, R^2 for a regressor. */
    AUTO,
    /** Fraction of target rows whose class is predicted (classifier). */
    ACCURACY,
    /** Area under the ROC curve of the predicted probabilities; macro one-vs-rest above two classes (classifier). */
    AUROC,
    /** Coefficient of determination on the target (regressor). */
    R2
  }

  /**
   * The utility model ({@code dvgs.evaluation.baselines.utility}): L2-regularised logistic regression (binary or
   * multinomial, fitted by L-BFGS) for a classifier, ridge regression (closed form) for a regressor.
   *
   * @param metric how a fit is scored on the target set
   * @param l2 penalty {@code l2/2 * |w|^2} on the weights (not the intercepts), added to the summed loss over the
   *     fitted rows, so small subsets are shrunk more than large ones
   * @param maxIter L-BFGS iterations per logistic fit
   * @param tolerance a logistic fit stops when the largest gradient entry of the per-row objective is below this
   */
  public record Utility(UtilityMetric metric, double l2, int maxIter, double tolerance) {

    /** The metric {@link UtilityMetric#AUTO} resolves to for a task. */
    public UtilityMetric resolved(Task task) {
      if (metric != UtilityMetric.AUTO) {
        return metric;
      }
      return task == Task.REGRESSOR ? UtilityMetric.R2 : UtilityMetric.ACCURACY;
    }
  }

  /**
   * KNN-Shapley settings.
   *
   * @param k neighbours of the K-nearest-neighbour classifier whose Shapley values are computed
   */
  public record KnnShapley(int k) {
    static KnnShapley from(Keys k) {
      return new KnnShapley(k.positiveInt("k"));
    }
  }

  /**
   * Leave-one-out ({@code dvgs.evaluation.baselines.loo}).
   *
   * @param baselineFits fits on all rows averaged into U(all), each from its own seeded starting point
   * @param timeBudgetSeconds wall-clock budget in seconds (0 = none); rows not reached in time keep no value
   */
  public record Loo(int baselineFits, double timeBudgetSeconds) {}

  /**
   * Truncated Monte Carlo Data Shapley ({@code dvgs.evaluation.baselines.tmc-shapley}).
   *
   * @param maxPermutations stop after this many permutations
   * @param truncationTolerance a permutation stops when U(prefix) is within this fraction of U(all) (0 = never)
   * @param truncationPatience ... for this many consecutive prefixes
   * @param convergenceTolerance stop when the values moved less than this, relatively, over the window
   * @param convergenceWindow permutations the convergence test looks back over
   * @param permutationsPerRound permutations per Spark job between convergence checks (0 = twice the default
   *     parallelism)
   * @param timeBudgetSeconds wall-clock budget in seconds (0 = none)
   */
  public record TmcShapley(
      int maxPermutations,
      double truncationTolerance,
      int truncationPatience,
      double convergenceTolerance,
      int convergenceWindow,
      int permutationsPerRound,
      double timeBudgetSeconds) {}

  /**
   * DVRL settings (see {@code reference.conf} for the meaning and defaults of each).
   *
   * @param outerIterations estimator updates
   * @param batchSize source rows sampled per outer iteration (capped at the source size)
   * @param innerIterations predictor optimiser steps per outer iteration (and for f_val)
   * @param predictorBatchSize predictor mini-batch size
   * @param predictorHidden predictor hidden widths (empty = a linear model)
   * @param predictorLearningRate predictor Adam learning rate
   * @param hidden estimator hidden width
   * @param layers estimator depth as the paper's code counts it (at least 3): {@code layers - 2} hidden layers on (x, y)
   * @param combWidth estimator width after the (x, y) layers and after |y - f_val(x)| joins
   * @param learningRate estimator Adam learning rate
   * @param epsilon the mean selection probability is kept in [epsilon, 1 - epsilon]
   * @param penalty weight of the penalty on a mean selection probability outside that range
   * @param baselineWindow moving-average window of the reward baseline, in outer iterations
   */
  public record Dvrl(
      int outerIterations,
      int batchSize,
      int innerIterations,
      int predictorBatchSize,
      List<Integer> predictorHidden,
      double predictorLearningRate,
      int hidden,
      int layers,
      int combWidth,
      double learningRate,
      double epsilon,
      double penalty,
      int baselineWindow) {

    static Dvrl from(Keys k) {
      List<Integer> predictorHidden = k.ints("predictor-hidden");
      for (int i = 0; i < predictorHidden.size(); i++) {
        if (predictorHidden.get(i) <= 0) {
          throw new ConfigValidationException(k.full("predictor-hidden") + "[" + i + "] must be > 0, got " + predictorHidden.get(i));
        }
      }
      int layers = k.positiveInt("layers");
      if (layers < 3) {
        throw new ConfigValidationException(
            k.full("layers") + " must be >= 3 (the (x, y) layers, the comb layer after |y - f_val(x)| joins, the output), got " + layers);
      }
      return new Dvrl(
          k.positiveInt("outer-iterations"), k.positiveInt("batch-size"), k.positiveInt("inner-iterations"),
          k.positiveInt("predictor-batch-size"), List.copyOf(predictorHidden), k.positive("predictor-learning-rate"),
          k.positiveInt("hidden"), layers, k.positiveInt("comb-width"), k.positive("learning-rate"),
          k.inRange("epsilon", 0.0, 0.5, false), k.inRange("penalty", 0.0, Double.MAX_VALUE, true),
          k.positiveInt("baseline-window"));
    }
  }

  static BaselinesConfig from(Keys k) {
    Keys u = k.section("utility");
    Utility utility = new Utility(
        u.enumValue("metric", UtilityMetric.class), u.positive("l2"), u.positiveInt("max-iter"), u.positive("tolerance"));
    Keys l = k.section("loo");
    Loo loo = new Loo(l.positiveInt("baseline-fits"), l.seconds("time-budget"));
    Keys t = k.section("tmc-shapley");
    double truncation = t.number("truncation-tolerance");
    if (!(truncation >= 0 && truncation < 1)) {
      throw new ConfigValidationException(t.full("truncation-tolerance") + " must be in [0, 1), got " + truncation);
    }
    TmcShapley tmc = new TmcShapley(
        t.positiveInt("max-permutations"), truncation, t.positiveInt("truncation-patience"), t.positive("convergence-tolerance"),
        t.positiveInt("convergence-window"), t.nonNegativeInt("permutations-per-round"), t.seconds("time-budget"));
    return new BaselinesConfig(
        k.positiveInt("max-rows"), utility, loo, tmc, KnnShapley.from(k.section("knn-shapley")), Dvrl.from(k.section("dvrl")),
        ConfidentLearning.from(k.section("confident-learning")));
  }
}
