package org.dvgs.output;

/**
 * A manifest that does not hold what its record needs: a field is missing, {@code null} or of the wrong kind.
 * {@link #field()} is the field's path ({@code training.restarts[2].last_loss}); the message says what is wrong.
 */
public final class ManifestFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  ManifestFormatException(String field, String problem, Throwable cause) {
    super(field.isEmpty() ? problem : field + " " + problem, cause);
    this.field = field;
  }

  /** Path of the offending field from the top of the manifest; empty for the manifest as a whole. */
  public String field() {
    return field;
  }
}
