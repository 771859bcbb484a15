package org.dvgs.config;

/** How a source gradient is compared with the target gradient. Written in configs in kebab case. */
public enum SimilarityMetric {
  COSINE, DOT, NEG_EUCLIDEAN, SCALAR_PROJECTION
}
