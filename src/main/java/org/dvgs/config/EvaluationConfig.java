package org.dvgs.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code evaluate} experiment: per seed, sample and corrupt the source, value it, and measure how well the
 * values find the corruption and how filtering by value changes a model retrained on what remains.
 *
 * @param seeds one valuation per seed
 * @param sourceSampleSize rows sampled from the source per seed (0 = all)
 * @param labelFlipFraction fraction of sampled source rows whose label is corrupted, in [0, 1)
 * @param labelFlipMode which class a flipped label gets (classifier)
 * @param noiseSigmaMax largest per-row Gaussian feature noise rate (0 = no feature noise)
 * @param noiseFraction fraction of sampled rows that receive feature noise, in (0, 1]
 * @param metrics the metrics to compute, in order
 * @param test held-out test set for filter-and-retrain
 * @param retrain filter-and-retrain settings
 * @param methods valuation methods run on the same corrupted inputs of every seed, in order
 * @param baselines settings of the methods other than DVGS
 */
public record EvaluationConfig(
    List<Long> seeds,
    int sourceSampleSize,
    double labelFlipFraction,
    LabelFlipMode labelFlipMode,
    double noiseSigmaMax,
    double noiseFraction,
    List<Metric> metrics,
    TestSet test,
    Retrain retrain,
    List<Method> methods,
    BaselinesConfig baselines) {

  /** Valuation methods {@code evaluate} can compare. */
  public enum Method {
    /** Data valuation with gradient similarity: the job itself. */
    DVGS,
    /** Uniform random values: the floor. */
    RANDOM,
    /** Leave-one-out: utility of all rows minus utility without the row. */
    LOO,
    /** Truncated Monte Carlo Data Shapley. */
    TMC_SHAPLEY,
    /** Data valuation with reinforcement learning. */
    DVRL,
    /** Exact Shapley values of a K-nearest-neighbour classifier or regressor. */
    KNN_SHAPLEY,
    /** Minus each row's loss under the valuation network trained on the target (DVGS's training, no gradients). */
    TARGET_LOSS,
    /** Out-of-fold predicted probability of the given label (self-confidence; classifier). */
    CONFIDENT_LEARNING
  }

  /** Which class a flipped label gets ({@code label-flip-mode}). */
  public enum LabelFlipMode {
    /** A uniformly drawn different class, per row. */
    UNIFORM,
    /** Always the next class: {@code c -> (c + 1) mod K} (asymmetric noise; classifier only). */
    PAIRS
  }

  /** Metrics {@code evaluate} can compute. */
  public enum Metric {
    /** AUROC(corrupted, -value). */
    AUROC,
    /** Spearman(noise rate, -value). */
    SPEARMAN,
    /** Corrupted-sample discovery curve (and the ROC curve). */
    DISCOVERY,
    /** F1 of the lower cluster of a 2-means split of the values against the corrupted flags. */
    KMEANS_F1,
    /** Filter-and-retrain curves on the held-out test set. */
    RETRAIN
  }

  /** Where the held-out test set comes from. */
  public enum TestMode {
    /** No test set (no retraining). */
    NONE,
    /** A table of its own, read like the source. */
    TABLE,
    /** Valid source rows left out of the per-seed sample (needs {@code source-sample-size > 0}). */
    SOURCE_REMAINDER
  }

  /** Models that can be retrained on the filtered source. */
  public enum RetrainModel {
    /** The valuation network, trained on the driver with the valuation's training settings. */
    VALUATION,
    /** MLlib MultilayerPerceptronClassifier with the valuation's hidden widths (classifier). */
    MLP,
    /** MLlib LogisticRegression (classifier). */
    LOGISTIC_REGRESSION,
    /** MLlib LinearRegression (regressor). */
    LINEAR_REGRESSION
  }

  /**
   * The held-out test set.
   *
   * @param mode where it comes from
   * @param table the table for {@link TestMode#TABLE}
   * @param size rows sampled from the source remainder (0 = all of it)
   */
  public record TestSet(TestMode mode, TableConfig table, int size) {}

  /**
   * Filter-and-retrain settings.
   *
   * @param model the model retrained on what remains
   * @param grid fractions q of the source removed (each in (0, 1), at most 0.5 as in the paper unless higher is asked)
   * @param epochs epochs for {@link RetrainModel#VALUATION} (0 = dvgs.training.epochs)
   * @param batchSize mini-batch size for {@link RetrainModel#VALUATION} (0 = dvgs.training.batch-size)
   * @param learningRate learning rate for {@link RetrainModel#VALUATION} (0 = dvgs.training.learning-rate)
   * @param maxIter iterations for the MLlib models
   */
  public record Retrain(RetrainModel model, List<Double> grid, int epochs, int batchSize, double learningRate, int maxIter) {}

  static EvaluationConfig from(Keys k) {
    List<Long> seeds = k.longs("seeds");
    if (seeds.isEmpty()) {
      throw new ConfigValidationException(k.full("seeds") + " is empty");
    }
    if (seeds.stream().distinct().count() != seeds.size()) {
      throw new ConfigValidationException(k.full("seeds") + " lists a seed twice: " + seeds);
    }
    Keys noise = k.section("feature-noise");
    double sigmaMax = noise.number("sigma-max");
    if (!(sigmaMax >= 0) || Double.isInfinite(sigmaMax)) {
      throw new ConfigValidationException(noise.full("sigma-max") + " must be a finite number >= 0, got " + sigmaMax);
    }
    double noiseFraction = noise.number("fraction");
    if (!(noiseFraction > 0 && noiseFraction <= 1)) {
      throw new ConfigValidationException(noise.full("fraction") + " must be in (0, 1], got " + noiseFraction);
    }
    List<Metric> metrics = new ArrayList<>();
    for (String m : k.strings("metrics")) {
      Metric metric = parse(Metric.class, m);
      if (metric == null) {
        throw new ConfigValidationException(
            k.full("metrics") + ": unknown metric '" + m + "'; expected any of auroc, spearman, discovery, kmeans-f1, retrain");
      }
      if (metrics.contains(metric)) {
        throw new ConfigValidationException(k.full("metrics") + " lists '" + m + "' twice");
      }
      metrics.add(metric);
    }
    if (metrics.isEmpty()) {
      throw new ConfigValidationException(k.full("metrics") + " is empty");
    }
    Keys t = k.section("test");
    TestSet test = new TestSet(t.enumValue("mode", TestMode.class), TableConfig.from(t.section("table")), t.nonNegativeInt("size"));
    if (test.mode() == TestMode.TABLE && !test.table().isSet()) {
      throw new ConfigValidationException(t.full("table.path") + " is empty but " + t.full("mode") + " = table");
    }
    Keys r = k.section("retrain");
    List<Double> grid = new ArrayList<>();
    for (Double q : r.doubles("grid")) {
      if (!(q > 0 && q < 1)) {
        throw new ConfigValidationException(r.full("grid") + ": every q must be in (0, 1), got " + q);
      }
      if (grid.contains(q)) {
        throw new ConfigValidationException(r.full("grid") + " lists " + q + " twice");
      }
      grid.add(q);
    }
    grid.sort(Double::compare);
    Retrain retrain = new Retrain(
        r.enumValue("model", RetrainModel.class), List.copyOf(grid), r.nonNegativeInt("epochs"), r.nonNegativeInt("batch-size"),
        r.inRange("learning-rate", 0.0, Double.MAX_VALUE, true), r.positiveInt("max-iter"));
    List<Method> methods = new ArrayList<>();
    for (String m : k.strings("methods")) {
      if (DvgsVariants.isVariant(m)) {
        continue; // a DVGS variant (DvgsVariants)
      }
      Method method = parse(Method.class, m);
      if (method == null) {
        throw new ConfigValidationException(
            k.full("methods") + ": unknown method '" + m + "'; expected any of dvgs, random, loo, tmc-shapley, dvrl, knn-shapley, target-loss, confident-learning");
      }
      if (methods.contains(method)) {
        throw new ConfigValidationException(k.full("methods") + " lists '" + m + "' twice");
      }
      methods.add(method);
    }
    if (methods.isEmpty() && k.strings("methods").stream().noneMatch(DvgsVariants::isVariant)) {
      throw new ConfigValidationException(k.full("methods") + " is empty");
    }
    EvaluationConfig e =
        new EvaluationConfig(
            List.copyOf(seeds), k.nonNegativeInt("source-sample-size"), k.inRange("label-flip-fraction", 0.0, 1.0, false),
            k.enumValue("label-flip-mode", LabelFlipMode.class), sigmaMax, noiseFraction, List.copyOf(metrics), test, retrain, List.copyOf(methods),
            BaselinesConfig.from(k.section("baselines")));
    if (metrics.contains(Metric.RETRAIN)) {
      if (grid.isEmpty()) {
        throw new ConfigValidationException(r.full("grid") + " is empty but " + k.full("metrics") + " includes retrain");
      }
      if (test.mode() == TestMode.NONE) {
        throw new ConfigValidationException(
            k.full("metrics") + " includes retrain but there is no test set: set " + t.full("mode") + " = table (with "
                + t.full("table.path") + ") or source-remainder");
      }
    }
    if (test.mode() == TestMode.SOURCE_REMAINDER && e.sourceSampleSize == 0) {
      throw new ConfigValidationException(
          t.full("mode") + " = source-remainder needs " + k.full("source-sample-size") + " > 0 (the remainder is the rows left out of the sample)");
    }
    return e;
  }

  /** Whether a method was asked for. */
  public boolean runs(Method m) {
    return methods.contains(m);
  }

  /** Whether a metric was asked for. */
  public boolean wants(Metric m) {
    return metrics.contains(m);
  }

  /**
   * Checks the experiment against the model: label corruption needs labels, and the retrain model must suit the
   * task. Called at start-up by {@code evaluate}.
   */
  public void checkFor(ModelConfig model) {
    String p = "dvgs.evaluation.";
    if (model.task() == Task.AUTOENCODER && labelFlipFraction > 0) {
      throw new ConfigValidationException(
          p + "label-flip-fraction = " + labelFlipFraction + " but dvgs.model.task = autoencoder has no labels; set it to 0 and use "
              + p + "feature-noise");
    }
    if (labelFlipFraction == 0 && noiseSigmaMax == 0) {
      throw new ConfigValidationException(
          "the experiment corrupts nothing: set " + p + "label-flip-fraction > 0 or " + p + "feature-noise.sigma-max > 0");
    }
    if (wants(Metric.SPEARMAN) && noiseSigmaMax == 0) {
      throw new ConfigValidationException(
          p + "metrics includes spearman (noise rate vs value) but " + p + "feature-noise.sigma-max = 0");
    }
    if (runs(Method.KNN_SHAPLEY) && model.task() != Task.CLASSIFIER) {
      throw new ConfigValidationException(
          p + "methods includes knn-shapley, whose closed form (" + p + "baselines.knn-shapley) is implemented for a"
              + " K-nearest-neighbour classifier only, but dvgs.model.task = " + Keys.kebab(model.task())
              + "; remove knn-shapley from " + p + "methods");
    }
    if (runs(Method.CONFIDENT_LEARNING) && model.task() != Task.CLASSIFIER) {
      throw new ConfigValidationException(
          p + "methods includes confident-learning, whose self-confidence (out-of-fold probability of the given label) needs"
              + " classes, but dvgs.model.task = " + Keys.kebab(model.task()) + "; remove confident-learning from " + p + "methods");
    }
    if (labelFlipMode == LabelFlipMode.PAIRS && model.task() != Task.CLASSIFIER && labelFlipFraction > 0) {
      throw new ConfigValidationException(
          p + "label-flip-mode = pairs maps each class to a fixed other class, but dvgs.model.task = " + Keys.kebab(model.task())
              + " has no classes; use label-flip-mode = uniform (a regressor's targets are swapped among the flipped rows)");
    }
    if (runs(Method.DVRL) && model.task() == Task.AUTOENCODER) {
      throw new ConfigValidationException(
          p + "methods includes dvrl, which needs labels (" + p + "baselines.dvrl trains a predictor of the label), but"
              + " dvgs.model.task = autoencoder; remove dvrl from " + p + "methods");
    }
    if (wants(Metric.RETRAIN)) {
      RetrainModel rm = retrain.model();
      boolean classifier = model.task() == Task.CLASSIFIER;
      if ((rm == RetrainModel.MLP || rm == RetrainModel.LOGISTIC_REGRESSION) && !classifier) {
        throw new ConfigValidationException(
            p + "retrain.model = " + Keys.kebab(rm) + " needs dvgs.model.task = classifier, got " + Keys.kebab(model.task()));
      }
      if (rm == RetrainModel.LINEAR_REGRESSION && model.task() != Task.REGRESSOR) {
        throw new ConfigValidationException(
            p + "retrain.model = linear-regression needs dvgs.model.task = regressor, got " + Keys.kebab(model.task()));
      }
    }
    checkUtilityFor(model);
  }

  /** Leave-one-out and TMC Data Shapley fit a supervised utility model whose metric must suit the task. */
  private void checkUtilityFor(ModelConfig model) {
    List<String> fitting = new ArrayList<>();
    for (Method m : List.of(Method.LOO, Method.TMC_SHAPLEY)) {
      if (runs(m)) {
        fitting.add(Keys.kebab(m));
      }
    }
    if (fitting.isEmpty()) {
      return;
    }
    String p = "dvgs.evaluation.";
    if (model.task() == Task.AUTOENCODER) {
      throw new ConfigValidationException(
          p + "methods includes " + String.join(" and ", fitting) + " but dvgs.model.task = autoencoder: their utility model ("
              + p + "baselines.utility) is a supervised logistic or ridge regression and needs labels");
    }
    BaselinesConfig.UtilityMetric metric = baselines.utility().metric();
    boolean classifier = model.task() == Task.CLASSIFIER;
    if (metric == BaselinesConfig.UtilityMetric.R2 && classifier) {
      throw new ConfigValidationException(
          p + "baselines.utility.metric = r2 needs dvgs.model.task = regressor, got classifier (use accuracy or auroc)");
    }
    if ((metric == BaselinesConfig.UtilityMetric.ACCURACY || metric == BaselinesConfig.UtilityMetric.AUROC) && !classifier) {
      throw new ConfigValidationException(
          p + "baselines.utility.metric = " + Keys.kebab(metric) + " needs dvgs.model.task = classifier, got "
              + Keys.kebab(model.task()) + " (use r2)");
    }
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String s) {
    String name = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    return null;
  }
}
