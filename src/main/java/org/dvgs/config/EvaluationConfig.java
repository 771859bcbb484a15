package org.dvgs.config;

import java.util.List;

/**
 * The {@code evaluate} experiment: repeated corruption and valuation.
 *
 * @param seeds one valuation per seed
 * @param sourceSampleSize rows sampled from the source per seed (0 = all)
 * @param labelFlipFraction fraction of sampled source rows whose label is flipped
 */
public record EvaluationConfig(List<Long> seeds, int sourceSampleSize, double labelFlipFraction) {
  static EvaluationConfig from(Keys k) {
    EvaluationConfig e =
        new EvaluationConfig(k.longs("seeds"), k.nonNegativeInt("source-sample-size"), k.inRange("label-flip-fraction", 0.0, 1.0, true));
    if (e.seeds.isEmpty()) {
      throw new ConfigValidationException(k.full("seeds") + " is empty");
    }
    if (e.seeds.stream().distinct().count() != e.seeds.size()) {
      throw new ConfigValidationException(k.full("seeds") + " lists a seed twice: " + e.seeds);
    }
    return e;
  }
}
