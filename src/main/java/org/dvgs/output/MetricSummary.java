package org.dvgs.output;

import java.util.List;

/**
 * One metric (or runtime) over the seeds of an experiment. Undefined values are {@code null} and left out of the
 * mean and the standard deviation.
 *
 * @param mean mean of the defined per-seed values, null when none is
 * @param std sample standard deviation of the defined values (0 for one), null when none is
 * @param perSeed the value of each seed, in the order of {@code seeds}
 */
public record MetricSummary(@MayBeNull Double mean, @MayBeNull Double std, List<Double> perSeed) {}
