package org.dvgs.uniqueness;

import java.io.Serializable;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.core.Mix;
import org.dvgs.model.NetworkSpec;

/**
 * A seeded random projection of per-sample loss gradients to {@code k} dimensions that never needs the gradient
 * itself, nor a {@code k x parameters} matrix.
 *
 * <p>For a linear layer {@code z = W a + b}, a row's gradient over {@code (W, b)} is the outer product
 * {@code delta a~^T} with {@code a~ = [a; 1]} ({@code delta = dLoss/dz}). Coordinate {@code j} of the projection
 * uses a Kronecker-factored row {@code u_j (x) v_j}, with {@code u_j} ({@code out} entries) and {@code v_j}
 * ({@code in + 1} entries) independent Rademacher (+-1) vectors:
 * {@code y_j = <u_j (x) v_j, vec(delta a~^T)> / sqrt(k) = (u_j . delta)(v_j . a~) / sqrt(k)}.
 * So a batch costs two small products, {@code Delta U^T} and {@code A~ V^T}, and an element-wise product
 * (the face-splitting product {@code (U delta) o (V a~)}); over several layers the coordinates add up.
 *
 * <p>Why cosines are preserved in expectation: for two gradients {@code g = delta a~^T}, {@code h = e c~^T},
 * independence of {@code u_j} and {@code v_j} with {@code E[u u^T] = I} gives
 * {@code E[y_j(g) y_j(h)] = E[(u.delta)(u.e)] E[(v.a~)(v.c~)] / k = (delta.e)(a~.c~) / k = <g, h>_F / k}, so
 * {@code E[<y(g), y(h)>] = <g, h>} and likewise {@code E[||y(g)||^2] = ||g||^2}; summing layers with independent
 * factors keeps this for the whole gradient. Each coordinate is an independent unbiased estimate, so the error of
 * the inner product shrinks as {@code 1/sqrt(k)}; a product of two +-1 projections has a heavier tail than one
 * dense Gaussian row (fourth moment at most 9 instead of 3 times {@code ||g||^4}), a constant factor the
 * Johnson-Lindenstrauss dimension {@code 8 ln(N) / eps^2} absorbs in practice (tested against exact per-sample
 * gradients). The alternative of one projection per side, {@code (P_out delta)(P_in a~)^T} with
 * {@code k = k_out k_in}, shares factors between coordinates: its relative error is about
 * {@code sqrt(2/k_out + 2/k_in)}, far above {@code sqrt(2/k)} at the same {@code k}, which is why every coordinate
 * here draws its own pair.
 *
 * <p>Entries are a pure function of (seed, layer, side, coordinate, column) through a counter-based hash, so every
 * executor regenerates the same factors ({@code k (out + in + 1)} numbers per layer) from the seed alone.
 */
public final class KroneckerProjection implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long STREAM = 0x6475677350726f6aL; // "dugsProj"

  private final long seed;
  private final int k;
  private final int[] widths;
  private final boolean[] layers;

  /**
   * @param seed the run seed
   * @param spec the network
   * @param lastLayers how many final linear layers the gradient covers (0 = all)
   * @param k projected dimension
   */
  public KroneckerProjection(long seed, NetworkSpec spec, int lastLayers, int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("projected dimension must be > 0, got " + k);
    }
    int n = spec.layers();
    if (lastLayers > n) {
      throw new ConfigValidationException(
          "dvgs.unique.last-layers = " + lastLayers + " but the network has " + n + " linear layers");
    }
    this.seed = seed;
    this.k = k;
    this.widths = spec.widths();
    this.layers = new boolean[n];
    int from = lastLayers == 0 ? 0 : n - lastLayers;
    for (int l = from; l < n; l++) {
      layers[l] = true;
    }
  }

  public int k() {
    return k;
  }

  /** Whether linear layer {@code l} is part of the projected gradient. */
  public boolean includes(int l) {
    return layers[l];
  }

  /** The first included layer (backward passes stop there). */
  public int firstLayer() {
    for (int l = 0; l < layers.length; l++) {
      if (layers[l]) {
        return l;
      }
    }
    return layers.length;
  }

  /** Gradient entries covered: {@code sum over included layers of out * (in + 1)}. */
  public long gradientDimension() {
    long d = 0;
    for (int l = 0; l < layers.length; l++) {
      if (layers[l]) {
        d += (long) widths[l + 1] * (widths[l] + 1);
      }
    }
    return d;
  }

  /** The output-side factor of layer {@code l}: {@code k x out}, row-major, entries +-1. */
  public float[] outFactor(int l) {
    return signs(l, 0, widths[l + 1], 1f);
  }

  /**
   * The input-side factor of layer {@code l}: {@code k x (in + 1)}, row-major, entries +-1/sqrt(k); the last
   * column multiplies the constant 1 of {@code a~} (the bias).
   */
  public float[] inFactor(int l) {
    return signs(l, 1, widths[l] + 1, (float) (1.0 / Math.sqrt(k)));
  }

  private float[] signs(int layer, int side, int cols, float scale) {
    float[] m = new float[k * cols];
    for (int j = 0; j < k; j++) {
      long row = Mix.mix(Mix.mix(seed, STREAM), layer * 2L + side, j);
      long bits = 0;
      for (int c = 0; c < cols; c++) {
        if ((c & 63) == 0) {
          bits = Mix.mix(row, c >>> 6);
        }
        m[j * cols + c] = ((bits >>> (c & 63)) & 1L) == 0 ? scale : -scale;
      }
    }
    return m;
  }

  /**
   * Reference: the projection of a materialised per-sample gradient, entry by entry with the dense rows
   * {@code u_j (x) v_j}. Cost {@code k} times the gradient size; for tests and checks only.
   *
   * @param gw per layer weight gradient, {@code out x in} row-major (entries of excluded layers are ignored)
   * @param gb per layer bias gradient
   */
  public float[] projectDense(float[][] gw, float[][] gb) {
    double[] y = new double[k];
    for (int l = 0; l < layers.length; l++) {
      if (!layers[l]) {
        continue;
      }
      int in = widths[l];
      int out = widths[l + 1];
      float[] u = outFactor(l);
      float[] v = inFactor(l);
      for (int j = 0; j < k; j++) {
        double s = 0;
        for (int r = 0; r < out; r++) {
          double t = (double) v[j * (in + 1) + in] * gb[l][r];
          for (int c = 0; c < in; c++) {
            t += (double) v[j * (in + 1) + c] * gw[l][r * in + c];
          }
          s += u[j * out + r] * t;
        }
        y[j] += s;
      }
    }
    float[] f = new float[k];
    for (int j = 0; j < k; j++) {
      f[j] = (float) y[j];
    }
    return f;
  }
}
