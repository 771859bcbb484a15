package org.dvgs.config;

import java.util.List;

/**
 * Settings of the valuation methods {@code evaluate} can run beside DVGS ({@code dvgs.evaluation.baselines}).
 *
 * @param maxRows largest source that leave-one-out, TMC Data Shapley and DVRL accept (they hold the source on the
 *     driver and fit models on subsets of it)
 * @param knnShapley KNN-Shapley settings ({@code knn-shapley})
 * @param dvrl DVRL settings ({@code dvrl})
 */
public record BaselinesConfig(int maxRows, KnnShapley knnShapley, Dvrl dvrl) {

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
    return new BaselinesConfig(
        k.positiveInt("max-rows"), KnnShapley.from(k.section("knn-shapley")), Dvrl.from(k.section("dvrl")));
  }
}
