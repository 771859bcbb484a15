package org.dvgs.scoring;

import org.dvgs.config.SimilarityMetric;

/**
 * Similarity of a source gradient to the target gradient from three sums over the included layers: the dot
 * product {@code <g_i, G>}, the source squared norm {@code ||g_i||^2} and the target squared norm {@code ||G||^2}.
 */
public final class Similarities {
  private Similarities() {}

  /**
   * Evaluates the metric. A zero-norm gradient has no direction: its cosine and projection are defined as 0.
   */
  public static double of(SimilarityMetric metric, double dot, double sourceSq, double targetSq) {
    return switch (metric) {
      case COSINE -> {
        double denom = Math.sqrt(Math.max(sourceSq, 0)) * Math.sqrt(targetSq);
        yield denom > 0 ? clamp(dot / denom) : 0.0;
      }
      case DOT -> dot;
      case NEG_EUCLIDEAN -> -Math.sqrt(Math.max(0.0, sourceSq - 2 * dot + targetSq));
      case SCALAR_PROJECTION -> targetSq > 0 ? dot / Math.sqrt(targetSq) : 0.0;
    };
  }

  private static double clamp(double c) {
    return Math.max(-1.0, Math.min(1.0, c));
  }
}
