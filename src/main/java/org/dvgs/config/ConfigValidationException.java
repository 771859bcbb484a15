package org.dvgs.config;

/** A configuration problem; the message names the offending key (full path, e.g. {@code dvgs.training.epochs}). */
public final class ConfigValidationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigValidationException(String message) {
    super(message);
  }

  public ConfigValidationException(String message, Throwable cause) {
    super(message, cause);
  }
}
