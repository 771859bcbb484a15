package org.dvgs.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import org.dvgs.config.BlockOrder;

/**
 * A {@link NetworkSpec} with its parameters uploaded to a DJL manager. The forward pass is written with plain
 * tensor operations so that callers can add a "probe" to each pre-activation (for per-sample deltas) and read
 * each layer's input. Temporaries attach to the manager of the batch input, so closing the batch scope frees
 * them; the parameters live until {@link #close()}.
 */
public final class Network implements AutoCloseable {
  private final NetworkSpec spec;
  private final NDManager manager;
  private final NDArray[] w;
  private final NDArray[] b;

  private Network(NetworkSpec spec, NDManager manager, NDArray[] w, NDArray[] b) {
    this.spec = spec;
    this.manager = manager;
    this.w = w;
    this.b = b;
  }

  /**
   * Uploads parameters into a new sub-manager of {@code parent}.
   *
   * @param requiresGrad whether the parameters record gradients (training, naive scoring)
   */
  public static Network upload(NDManager parent, NetworkSpec spec, ParameterSet p, boolean requiresGrad) {
    NDManager m = parent.newSubManager();
    int layers = spec.layers();
    NDArray[] w = new NDArray[layers];
    NDArray[] b = new NDArray[layers];
    for (int l = 0; l < layers; l++) {
      w[l] = Tensors.floats(m, p.weights()[l], new Shape(spec.width(l + 1), spec.width(l)));
      b[l] = Tensors.floats(m, p.biases()[l], new Shape(spec.width(l + 1)));
      if (requiresGrad) {
        w[l].setRequiresGradient(true);
        b[l].setRequiresGradient(true);
      }
    }
    return new Network(spec, m, w, b);
  }

  public NetworkSpec spec() {
    return spec;
  }

  public NDManager manager() {
    return manager;
  }

  public NDArray weight(int l) {
    return w[l];
  }

  public NDArray bias(int l) {
    return b[l];
  }

  /**
   * Forward pass.
   *
   * @param x batch input, {@code B x in}; its manager receives every temporary
   * @param masks per hidden layer dropout masks ({@code B x width}), or null for no dropout
   * @param probes per layer {@code B x out} tensors used as the layer's bias instead of {@link #bias(int)}: a
   *     per-row copy of the bias that requires grad receives each row's {@code dLoss/dz}; or null
   * @param layerInputs if not null, receives each linear layer's input
   * @return the output, {@code B x out}
   */
  public NDArray forward(NDArray x, NDArray[] masks, NDArray[] probes, NDArray[] layerInputs) {
    NDArray a = x;
    int layers = spec.layers();
    for (int l = 0; l < layers; l++) {
      if (layerInputs != null) {
        layerInputs[l] = a;
      }
      NDArray bias = probes != null && probes[l] != null ? probes[l] : b[l];
      NDArray z = Linear.linear(a, w[l], bias).singletonOrThrow();
      if (l == layers - 1) {
        return z;
      }
      a = hidden(spec, z, masks != null ? masks[l] : null, 1);
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * A hidden layer's block after its linear product, in the spec's order: normalisation (along {@code axis}, the
   * features), activation and dropout ({@code mask}, or none when null).
   */
  private static NDArray hidden(NetworkSpec spec, NDArray z, NDArray mask, int axis) {
    if (spec.blockOrder() == BlockOrder.NORM_ACT_DROPOUT) {
      return dropout(activate(spec, normalise(spec, z, axis)), mask);
    }
    return normalise(spec, activate(spec, dropout(z, mask)), axis);
  }

  /**
   * Forward pass of {@code K} networks of this spec at once, their parameters stacked along a leading axis: layer
   * {@code l} computes {@code z_k = a_k W_k^T + b_k} for every {@code k} as one batched product. Each slice {@code k}
   * is the same function of its rows as {@link #forward} of network {@code k} (normalisation, activation and dropout
   * act along the last axis, within one row of one network).
   *
   * @param x input, {@code K x B x in} (a broadcast view of one {@code B x in} batch is fine); its manager receives
   *     every temporary
   * @param weightsT per layer {@code K x in x out}: the stacked weights, transposed
   * @param biases per layer {@code K x 1 x out}, used where {@code probes} has no entry
   * @param masks per hidden layer {@code K x B x width} dropout masks, or null for no dropout
   * @param probes per layer {@code K x B x out} tensors used as the bias (see {@link #probe}), or null entries
   * @param layerInputs if not null, receives each linear layer's input, {@code K x B x in}
   * @return the output, {@code K x B x out}
   */
  public static NDArray forwardStacked(
      NetworkSpec spec, NDArray x, NDArray[] weightsT, NDArray[] biases, NDArray[] masks, NDArray[] probes, NDArray[] layerInputs) {
    NDArray a = x;
    int layers = spec.layers();
    for (int l = 0; l < layers; l++) {
      if (layerInputs != null) {
        layerInputs[l] = a;
      }
      NDArray bias = probes != null && probes[l] != null ? probes[l] : biases[l];
      NDArray z = batchedProduct(a, weightsT[l]).add(bias);
      if (l == layers - 1) {
        return z;
      }
      a = hidden(spec, z, masks != null ? masks[l] : null, 2);
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * {@code a_k m_k} for every {@code k}: {@code a} {@code K x B x in}, {@code m} {@code K x in x out}. A product of one
   * output column (a regressor's last layer) is taken as a row-wise multiply and sum instead: PyTorch's batched
   * product rounds such a column differently depending on the other slices of the batch, which would make a
   * snapshot's values depend on the snapshots scored with it.
   */
  public static NDArray batchedProduct(NDArray a, NDArray m) {
    if (m.getShape().get(2) == 1) {
      return a.mul(m.transpose(0, 2, 1)).sum(new int[] {2}, true);
    }
    return a.batchMatMul(m);
  }

  /**
   * A per-row copy of layer {@code l}'s bias ({@code rows x out}) that requires grad: passed as a probe to
   * {@link #forward}, its gradient after backward is each row's {@code dLoss/dz}. Create it with grad mode off.
   */
  public NDArray probe(NDManager scope, int l, int rows) {
    NDArray p = b[l].broadcast(new Shape(rows, spec.width(l + 1))).duplicate();
    p.attach(scope);
    p.setRequiresGradient(true);
    return p;
  }

  private NDArray normalise(NDArray z) {
    return normalise(spec, z, 1);
  }

  /** Per-sample normalisation over {@code axis} (the units of a row), when the spec asks for it. */
  static NDArray normalise(NetworkSpec spec, NDArray z, int axis) {
    if (!spec.perSampleNorm()) {
      return z;
    }
    NDArray centred = z.sub(z.mean(new int[] {axis}, true));
    NDArray var = centred.square().mean(new int[] {axis}, true);
    return centred.div(var.add(NetworkSpec.NORM_EPS).sqrt());
  }

  private NDArray activate(NDArray z) {
    return activate(spec, z);
  }

  /** The spec's activation, elementwise. */
  static NDArray activate(NetworkSpec spec, NDArray z) {
    return switch (spec.activation()) {
      case RELU -> Activation.relu(z);
      case TANH -> z.tanh();
      case MISH -> Activation.mish(z);
    };
  }

  static NDArray dropout(NDArray z, NDArray mask) {
    return mask == null ? z : z.mul(mask);
  }

  /** Copies the current parameters out of the engine. */
  public ParameterSet parameters() {
    return copy(w, b);
  }

  /** Copies the parameters' accumulated gradients out of the engine. */
  public ParameterSet gradients() {
    return gradientsOf(w, b);
  }

  /** The accumulated gradients of {@code w} and {@code b}, layer by layer, as plain arrays (also for {@link NetworkStack}). */
  static ParameterSet gradientsOf(NDArray[] w, NDArray[] b) {
    int layers = w.length;
    float[][] gw = new float[layers][];
    float[][] gb = new float[layers][];
    for (int l = 0; l < layers; l++) {
      try (NDArray g = w[l].getGradient()) {
        gw[l] = g.toFloatArray();
      }
      try (NDArray g = b[l].getGradient()) {
        gb[l] = g.toFloatArray();
      }
    }
    return new ParameterSet(gw, gb);
  }

  /** Clears the parameters' accumulated gradients (PyTorch accumulates across backward calls). */
  public void zeroGradients() {
    for (int l = 0; l < spec.layers(); l++) {
      Autograd.zeroGrad(w[l]);
      Autograd.zeroGrad(b[l]);
    }
  }

  private static ParameterSet copy(NDArray[] w, NDArray[] b) {
    float[][] pw = new float[w.length][];
    float[][] pb = new float[b.length][];
    for (int l = 0; l < w.length; l++) {
      pw[l] = w[l].toFloatArray();
      pb[l] = b[l].toFloatArray();
    }
    return new ParameterSet(pw, pb);
  }

  @Override
  public void close() {
    manager.close();
  }
}
