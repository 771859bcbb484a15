package org.dvgs.config;

/**
 * Settings of the valuation methods {@code evaluate} can run beside DVGS ({@code dvgs.evaluation.baselines}).
 *
 * @param maxRows largest source that leave-one-out, TMC Data Shapley and DVRL accept (they hold the source on the
 *     driver and fit models on subsets of it)
 */
public record BaselinesConfig(int maxRows) {

  static BaselinesConfig from(Keys k) {
    return new BaselinesConfig(k.positiveInt("max-rows"));
  }
}
