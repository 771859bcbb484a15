package org.dvgs.core;

import java.io.Serializable;

/**
 * One input row in canonical form. A row with a non-null {@code reason} could not be valued and goes to the
 * rejects table with that reason.
 *
 * @param id sample id
 * @param features feature values (null when unreadable)
 * @param label class index or numeric target; NaN when absent
 * @param reason why the row is rejected, or null
 * @param corrupted set by experiments that corrupt rows on purpose (ground truth for metrics)
 * @param target whether a split by column marks this row as a target row
 */
public record CanonicalRow(String id, float[] features, double label, String reason, boolean corrupted, boolean target)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public boolean valid() {
    return reason == null;
  }

  public CanonicalRow reject(String why) {
    return new CanonicalRow(id, features, label, why, corrupted, target);
  }

  public CanonicalRow withFeatures(float[] f) {
    return new CanonicalRow(id, f, label, reason, corrupted, target);
  }

  public CanonicalRow withLabel(double y, boolean isCorrupted) {
    return new CanonicalRow(id, features, y, reason, isCorrupted, target);
  }

  /** The category of a reject reason (text before the first colon), for counts in the manifest. */
  public static String category(String reason) {
    int c = reason.indexOf(':');
    return c < 0 ? reason : reason.substring(0, c);
  }
}
