package org.dvgs.config;

/** The learning task the model is trained for. Written in configs in kebab case. */
public enum Task {
  CLASSIFIER, REGRESSOR, AUTOENCODER
}
