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
      NDArray mask = masks != null ? masks[l] : null;
      if (spec.blockOrder() == BlockOrder.NORM_ACT_DROPOUT) {
        z = dropout(activate(normalise(z)), mask);
      } else {
        z = normalise(activate(dropout(z, mask)));
      }
      a = z;
    }
    throw new IllegalStateException("unreachable");
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
