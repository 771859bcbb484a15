package org.dvgs.core;

import java.io.Serializable;

/**
 * Rows as one row-major float matrix plus labels: the form the engine consumes.
 *
 * @param features {@code rows * width} floats
 * @param labels one per row (class index or numeric target; zeros for the autoencoder)
 * @param rows row count
 * @param width feature width
 */
public record DenseRows(float[] features, float[] labels, int rows, int width) implements Serializable {
  private static final long serialVersionUID = 1L;

  public DenseRows {
    if (features.length != (long) rows * width || labels.length != rows) {
      throw new IllegalArgumentException("features/labels do not match " + rows + " x " + width);
    }
  }
}
