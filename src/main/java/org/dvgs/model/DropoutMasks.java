package org.dvgs.model;

import org.dvgs.core.Mix;

/**
 * Inverted-dropout masks drawn from a counter-based hash of (stream, row key, layer, unit), so that a row's mask
 * depends on the row and the checkpoint only: never on the batch or partition it lands in, nor on thread timing.
 */
public final class DropoutMasks {
  private DropoutMasks() {}

  /**
   * Masks for one hidden layer.
   *
   * @param stream checkpoint or training-step key
   * @param rowKeys one key per row of the batch
   * @param layer hidden layer index
   * @param width layer width
   * @param p drop probability
   * @return {@code rows x width} values, 0 or {@code 1/(1-p)}
   */
  public static float[] mask(long stream, long[] rowKeys, int layer, int width, double p) {
    float keep = (float) (1.0 / (1.0 - p));
    float[] m = new float[rowKeys.length * width];
    for (int r = 0; r < rowKeys.length; r++) {
      long base = Mix.mix(stream, rowKeys[r], layer);
      int off = r * width;
      for (int j = 0; j < width; j++) {
        m[off + j] = Mix.unit(base + j) < p ? 0f : keep;
      }
    }
    return m;
  }
}
