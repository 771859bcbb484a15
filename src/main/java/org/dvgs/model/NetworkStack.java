package org.dvgs.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dvgs.config.BlockOrder;

/**
 * Several networks of one {@link NetworkSpec} (the restarts of one configuration) uploaded as one: layer
 * {@code l}'s weights stacked to {@code R x out x in} and its biases to {@code R x 1 x out}, so that one forward
 * and one backward pass over {@code R x B x in} inputs (restart {@code r}'s batch in slice {@code r}) train all of
 * them at the per-step cost of one. Slice {@code r} computes exactly what {@link Network#forward} computes for
 * restart {@code r} alone (the same layer order, activation, normalisation over a row's units and dropout masks);
 * only the kernels differ (batched matrix products instead of one), so results agree to float round-off. Restarts
 * never mix: the gradient of the sum of the restarts' losses with respect to slice {@code r} is the gradient of
 * restart {@code r}'s loss. Temporaries attach to the manager of the input; the parameters live until
 * {@link #close()}.
 */
public final class NetworkStack implements AutoCloseable {
  private final NetworkSpec spec;
  private final NDManager manager;
  private final int count;
  private final NDArray[] w;
  private final NDArray[] b;

  private NetworkStack(NetworkSpec spec, NDManager manager, int count, NDArray[] w, NDArray[] b) {
    this.spec = spec;
    this.manager = manager;
    this.count = count;
    this.w = w;
    this.b = b;
  }

  /**
   * Uploads the parameters of every network, in order, into a new sub-manager of {@code parent}.
   *
   * @param requiresGrad whether the parameters record gradients
   */
  public static NetworkStack upload(NDManager parent, NetworkSpec spec, ParameterSet[] params, boolean requiresGrad) {
    int r = params.length;
    if (r == 0) {
      throw new IllegalArgumentException("a network stack needs at least one network");
    }
    NDManager m = parent.newSubManager();
    int layers = spec.layers();
    NDArray[] w = new NDArray[layers];
    NDArray[] b = new NDArray[layers];
    for (int l = 0; l < layers; l++) {
      int in = spec.width(l);
      int out = spec.width(l + 1);
      w[l] = Tensors.floats(m, stack(params, l, true, out * in), new Shape(r, out, in));
      b[l] = Tensors.floats(m, stack(params, l, false, out), new Shape(r, 1, out));
      if (requiresGrad) {
        w[l].setRequiresGradient(true);
        b[l].setRequiresGradient(true);
      }
    }
    return new NetworkStack(spec, m, r, w, b);
  }

  /** Networks in the stack. */
  public int count() {
    return count;
  }

  /**
   * Forward pass of every network on its own batch.
   *
   * @param x {@code R x B x in}; its manager receives every temporary
   * @param masks per hidden layer dropout masks ({@code R x B x width}), or null for no dropout
   * @return the outputs, {@code R x B x out}
   */
  public NDArray forward(NDArray x, NDArray[] masks) {
    NDArray a = x;
    int layers = spec.layers();
    for (int l = 0; l < layers; l++) {
      // Batched matrix product with each slice's transposed weights, then the bias broadcast over the batch rows.
      NDArray z = a.matMul(w[l].transpose(0, 2, 1)).add(b[l]);
      if (l == layers - 1) {
        return z;
      }
      NDArray mask = masks != null ? masks[l] : null;
      if (spec.blockOrder() == BlockOrder.NORM_ACT_DROPOUT) {
        z = Network.dropout(Network.activate(spec, Network.normalise(spec, z, 2)), mask);
      } else {
        z = Network.normalise(spec, Network.activate(spec, Network.dropout(z, mask)), 2);
      }
      a = z;
    }
    throw new IllegalStateException("unreachable");
  }

  /** Copies the accumulated gradients out of the engine, one parameter set per network. */
  public ParameterSet[] gradients() {
    int layers = spec.layers();
    ParameterSet all = Network.gradientsOf(w, b);
    float[][] gw = all.weights();
    float[][] gb = all.biases();
    ParameterSet[] out = new ParameterSet[count];
    for (int r = 0; r < count; r++) {
      float[][] pw = new float[layers][];
      float[][] pb = new float[layers][];
      for (int l = 0; l < layers; l++) {
        int wn = gw[l].length / count;
        int bn = gb[l].length / count;
        pw[l] = java.util.Arrays.copyOfRange(gw[l], r * wn, (r + 1) * wn);
        pb[l] = java.util.Arrays.copyOfRange(gb[l], r * bn, (r + 1) * bn);
      }
      out[r] = new ParameterSet(pw, pb);
    }
    return out;
  }

  /** Clears the accumulated gradients (PyTorch accumulates across backward calls). */
  public void zeroGradients() {
    for (int l = 0; l < spec.layers(); l++) {
      Autograd.zeroGrad(w[l]);
      Autograd.zeroGrad(b[l]);
    }
  }

  private static float[] stack(ParameterSet[] params, int l, boolean weights, int size) {
    float[] out = new float[params.length * size];
    for (int r = 0; r < params.length; r++) {
      float[] src = weights ? params[r].weights()[l] : params[r].biases()[l];
      if (src.length != size) {
        throw new IllegalArgumentException("network " + r + ", layer " + l + ": " + src.length + " values, expected " + size);
      }
      System.arraycopy(src, 0, out, r * size, size);
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
