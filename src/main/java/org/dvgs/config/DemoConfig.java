package org.dvgs.config;

/**
 * The generated data set of the {@code demo} command.
 *
 * @param classes number of classes
 * @param features feature width
 * @param targetRows clean target rows
 * @param sourceRows source rows
 * @param labelFlipFraction fraction of source labels flipped
 */
public record DemoConfig(int classes, int features, int targetRows, int sourceRows, double labelFlipFraction) {
  static DemoConfig from(Keys k) {
    DemoConfig d =
        new DemoConfig(
            k.positiveInt("classes"),
            k.positiveInt("features"),
            k.positiveInt("target-rows"),
            k.positiveInt("source-rows"),
            k.inRange("label-flip-fraction", 0.0, 1.0, true));
    if (d.classes < 2) {
      throw new ConfigValidationException(k.full("classes") + " must be >= 2, got " + d.classes);
    }
    return d;
  }
}
