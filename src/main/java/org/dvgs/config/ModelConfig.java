package org.dvgs.config;

import java.util.List;

/**
 * The network valued against.
 *
 * @param task classifier, regressor or autoencoder
 * @param hidden hidden layer widths
 * @param activation hidden activation
 * @param dropout dropout probability after each hidden activation
 * @param perSampleNorm parameter-free per-sample normalisation in each hidden block
 * @param blockOrder order of normalisation, activation and dropout in a hidden block
 * @param numClasses classes for the classifier (0 = inferred from the target labels)
 * @param classBalanced weight the target loss by inverse class frequency
 */
public record ModelConfig(
    Task task,
    List<Integer> hidden,
    ActivationKind activation,
    double dropout,
    boolean perSampleNorm,
    BlockOrder blockOrder,
    int numClasses,
    boolean classBalanced) {

  static ModelConfig from(Keys k) {
    ModelConfig m =
        new ModelConfig(
            k.enumValue("task", Task.class),
            k.ints("hidden"),
            k.enumValue("activation", ActivationKind.class),
            k.inRange("dropout", 0.0, 1.0, false),
            k.bool("per-sample-norm"),
            k.enumValue("block-order", BlockOrder.class),
            k.nonNegativeInt("num-classes"),
            k.bool("class-balanced"));
    for (int i = 0; i < m.hidden.size(); i++) {
      if (m.hidden.get(i) <= 0) {
        throw new ConfigValidationException(k.full("hidden") + "[" + i + "] must be > 0, got " + m.hidden.get(i));
      }
    }
    if (m.numClasses == 1) {
      throw new ConfigValidationException(k.full("num-classes") + " must be 0 (inferred) or >= 2, got 1");
    }
    if (m.perSampleNorm && m.hidden.stream().anyMatch(h -> h < 2)) {
      throw new ConfigValidationException(k.full("per-sample-norm") + " needs hidden widths >= 2");
    }
    if (m.classBalanced && m.task != Task.CLASSIFIER) {
      throw new ConfigValidationException(k.full("class-balanced") + " applies to task = classifier only");
    }
    return m;
  }
}
