package org.dvgs.config;

/**
 * The {@code unique} command: data uniqueness via gradient similarity (DUGS). Each sampled row's loss gradient
 * (over the last linear layers) is projected to {@code k} dimensions; a row is kept as unique when its cosine
 * similarity to every row kept before it is below {@code threshold}; the projected gradients are optionally
 * clustered with k-means.
 *
 * @param snapshotDir directory holding an earlier run's snapshots ({@code restart-NNNNN.snap}); "" = train on the
 *     target set with {@code dvgs.model} and {@code dvgs.training} (or reuse that training's stored snapshots)
 * @param restart which restart's snapshots to take the model from
 * @param checkpoint snapshot index within the restart; -1 = the last one
 * @param sampleSize rows sampled from the valid source (seeded hash of the sample id); 0 = all
 * @param lastLayers how many final linear layers the gradient covers; 0 = all
 * @param k projected dimension; 0 = derived from {@code eps}
 * @param eps Johnson-Lindenstrauss error; {@code k} follows from {@code k >= 8 ln(N) / eps^2}
 * @param threshold cosine similarity at or above which a row counts as a duplicate of a kept row
 * @param batchSize rows per engine call
 * @param partitions partitions of the sampled rows (0 = as read)
 * @param writeProjection write each row's projected gradient into the output table
 * @param clustersEnabled cluster the projected gradients with k-means
 * @param clusters k-means cluster count; 0 = chosen by silhouette over {@code [clustersMin, clustersMax]}
 * @param clustersMin smallest cluster count tried
 * @param clustersMax largest cluster count tried
 * @param clustersMaxIter k-means iterations
 */
public record UniqueConfig(
    String snapshotDir,
    int restart,
    int checkpoint,
    int sampleSize,
    int lastLayers,
    int k,
    double eps,
    double threshold,
    int batchSize,
    int partitions,
    boolean writeProjection,
    boolean clustersEnabled,
    int clusters,
    int clustersMin,
    int clustersMax,
    int clustersMaxIter) {

  static UniqueConfig from(Keys k) {
    Keys c = k.section("clusters");
    UniqueConfig u =
        new UniqueConfig(
            k.string("snapshot-dir").trim(),
            k.nonNegativeInt("restart"),
            k.integer("checkpoint"),
            k.nonNegativeInt("sample-size"),
            k.nonNegativeInt("last-layers"),
            k.nonNegativeInt("k"),
            k.number("eps"),
            k.inRange("threshold", -1.0, 1.0, true),
            k.positiveInt("batch-size"),
            k.nonNegativeInt("partitions"),
            k.bool("write-projection"),
            c.bool("enabled"),
            c.nonNegativeInt("count"),
            c.integer("min"),
            c.integer("max"),
            c.positiveInt("max-iter"));
    if (u.checkpoint < -1) {
      throw new ConfigValidationException(k.full("checkpoint") + " must be >= 0 or -1 (the last snapshot), got " + u.checkpoint);
    }
    if (!(u.eps > 0 && u.eps < 1)) {
      throw new ConfigValidationException(k.full("eps") + " must be in (0, 1), got " + u.eps);
    }
    if (u.clusters == 1) {
      throw new ConfigValidationException(c.full("count") + " must be >= 2, or 0 to choose by silhouette; got 1");
    }
    if (u.clustersMin < 2) {
      throw new ConfigValidationException(c.full("min") + " must be >= 2, got " + u.clustersMin);
    }
    if (u.clustersMax < u.clustersMin) {
      throw new ConfigValidationException(
          c.full("max") + " = " + u.clustersMax + " is below " + c.full("min") + " = " + u.clustersMin);
    }
    return u;
  }

  /** The Johnson-Lindenstrauss dimension {@code ceil(8 ln(n) / eps^2)} for {@code n} points (at least 1). */
  public static int jlDimension(long n, double eps) {
    return (int) Math.max(1, Math.ceil(8 * Math.log(Math.max(2, n)) / (eps * eps)));
  }

  /** The projected dimension for {@code n} rows: {@code k} when set, else the bound for {@code eps}. */
  public int dimension(long n) {
    return k > 0 ? k : jlDimension(n, eps);
  }

  /**
   * A warning when a configured {@code k} is below the Johnson-Lindenstrauss bound for {@code n} rows and
   * {@code eps}, else null.
   */
  public String dimensionWarning(long n) {
    int bound = jlDimension(n, eps);
    if (k > 0 && k < bound) {
      return "dvgs.unique.k = " + k + " is below the Johnson-Lindenstrauss bound 8 ln(N) / eps^2 = " + bound + " for N = " + n
          + " rows and dvgs.unique.eps = " + eps + ": projected cosines may be off by more than eps";
    }
    return null;
  }
}
