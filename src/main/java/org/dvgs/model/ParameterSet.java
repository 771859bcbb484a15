package org.dvgs.model;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Weights and biases of every linear layer as plain floats, so they can leave a DJL scope, be serialised and be
 * broadcast. Weight {@code l} is row-major {@code out x in}. Also used for gradients of the same shape.
 *
 * @param weights per layer, {@code out * in} floats
 * @param biases per layer, {@code out} floats
 */
public record ParameterSet(float[][] weights, float[][] biases) implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * PyTorch's default {@code nn.Linear} initialisation, U(-1/sqrt(in), 1/sqrt(in)) for weights and biases,
   * drawn from a seeded generator so a restart seed fixes the network.
   */
  public static ParameterSet initial(NetworkSpec spec, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int layers = spec.layers();
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      int in = spec.width(l);
      int out = spec.width(l + 1);
      double bound = 1.0 / Math.sqrt(in);
      w[l] = new float[out * in];
      for (int i = 0; i < w[l].length; i++) {
        w[l][i] = (float) rnd.nextDouble(-bound, bound);
      }
      b[l] = new float[out];
      for (int i = 0; i < out; i++) {
        b[l][i] = (float) rnd.nextDouble(-bound, bound);
      }
    }
    return new ParameterSet(w, b);
  }

  public int layers() {
    return weights.length;
  }

  /** Squared L2 norm of layer {@code l} (weights and bias), in double. */
  public double squaredNorm(int l) {
    double s = 0;
    for (float v : weights[l]) {
      s += (double) v * v;
    }
    for (float v : biases[l]) {
      s += (double) v * v;
    }
    return s;
  }

}
