package org.dvgs.config;

import java.util.List;

/**
 * The {@code scale} command: a synthetic L1000-shaped source generated on the executors (a low-rank signal plus
 * per-sample noise whose rate is recorded), valued at several sizes in one Spark session.
 *
 * @param rows source sizes, one valuation each (the first n rows of one deterministic table)
 * @param genes features per sample
 * @param rank rank of the shared signal
 * @param noiseMin smallest per-sample noise standard deviation
 * @param noiseMax largest per-sample noise standard deviation (drawn uniformly in between)
 * @param compounds perturbation groups (column {@code pert_id}, Zipf-like sizes) for balanced target sampling
 * @param rowsPerPartition generated rows per partition
 * @param keepData keep the generated Parquet tables after each run
 */
public record ScaleConfig(
    List<Long> rows, int genes, int rank, double noiseMin, double noiseMax, int compounds, int rowsPerPartition, boolean keepData) {
  static ScaleConfig from(Keys k) {
    ScaleConfig c = new ScaleConfig(
        k.longs("rows"),
        k.positiveInt("genes"),
        k.positiveInt("rank"),
        k.inRange("noise-min", 0.0, Double.MAX_VALUE, true),
        k.positive("noise-max"),
        k.positiveInt("compounds"),
        k.positiveInt("rows-per-partition"),
        k.bool("keep-data"));
    if (c.rows.isEmpty()) {
      throw new ConfigValidationException(k.full("rows") + " is empty");
    }
    for (int i = 0; i < c.rows.size(); i++) {
      if (c.rows.get(i) <= 0 || c.rows.get(i) > Integer.MAX_VALUE) {
        throw new ConfigValidationException(k.full("rows") + "[" + i + "] must be in [1, " + Integer.MAX_VALUE + "], got " + c.rows.get(i));
      }
    }
    if (c.noiseMax < c.noiseMin) {
      throw new ConfigValidationException(k.full("noise-max") + " (" + c.noiseMax + ") is below " + k.full("noise-min") + " (" + c.noiseMin + ")");
    }
    if (c.rank > c.genes) {
      throw new ConfigValidationException(k.full("rank") + " (" + c.rank + ") exceeds " + k.full("genes") + " (" + c.genes + ")");
    }
    return c;
  }
}
