package org.dvgs.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.List;
import org.dvgs.config.BlockOrder;

/**
 * The parameters of K snapshots of one {@link NetworkSpec} stacked along a leading axis, so that one forward (and
 * backward) pass evaluates a batch of rows under all K at once: layer {@code l}'s weights are one
 * {@code K x out x in} tensor and each linear layer is one batched matrix product,
 * {@code a.matMul(W^T) + b} on {@code K x rows x in}. The number of engine calls per batch then does not grow with K.
 *
 * <p>Every operation acts within one snapshot's slice and one row, the same operations as {@link Network#forward}
 * in the same order, so slice {@code k} of the result is snapshot {@code k}'s forward pass. The batched product
 * computes each slice with the matrix product of that slice alone, which is what makes a row's result independent
 * of how many snapshots share the pass (see the scorer's row padding for the remaining conditions).
 *
 * <p>Specs with a hidden layer of width 1 are not stacked ({@link #stackable}).
 *
 * <p>Temporaries attach to the manager of the batch input; the parameters live until {@link #close()}.
 */
public final class StackedNetwork implements AutoCloseable {
  private final NetworkSpec spec;
  private final NDManager manager;
  private final int size;
  /** Per layer, {@code K x in x out}: a transposed view of the stacked {@code K x out x in} weights. */
  private final NDArray[] wt;
  /** Per layer, {@code K x 1 x out}. */
  private final NDArray[] b;

  private StackedNetwork(NetworkSpec spec, NDManager manager, int size, NDArray[] wt, NDArray[] b) {
    this.spec = spec;
    this.manager = manager;
    this.size = size;
    this.wt = wt;
    this.b = b;
  }

  /**
   * Uploads the parameters of {@code params.size()} snapshots into a new sub-manager of {@code parent}; they never
   * require gradients (deltas come from probes, see {@link #probe}).
   */
  public static StackedNetwork upload(NDManager parent, NetworkSpec spec, List<ParameterSet> params) {
    NDManager m = parent.newSubManager();
    try {
      NDArray[][] up = uploadStacked(m, spec, params, null);
      return new StackedNetwork(spec, m, params.size(), up[0], up[1]);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /**
   * Uploads a stack of parameter-shaped sets (parameters or gradients) of one spec: {@code [0][l]} the
   * {@code K x in x out} transposed view of layer {@code l}'s stacked weights, {@code [1][l]} its {@code K x 1 x out}
   * biases; layers where {@code include} is false (when given) are left null.
   */
  public static NDArray[][] uploadStacked(NDManager m, NetworkSpec spec, List<ParameterSet> sets, boolean[] include) {
    int layers = spec.layers();
    int k = sets.size();
    NDArray[][] out = new NDArray[2][layers];
    for (int l = 0; l < layers; l++) {
      if (include != null && !include[l]) {
        continue;
      }
      int in = spec.width(l);
      int o = spec.width(l + 1);
      // A product with one output column rounds differently with the number of stacked slices (measured with
      // PyTorch 2.7: it is not computed slice by slice), so such weights get a zero second row, whose column of the
      // product is computed and dropped (see batched).
      int rowsOut = Math.max(o, 2);
      float[] w = new float[k * rowsOut * in];
      float[] bias = new float[k * o];
      for (int s = 0; s < k; s++) {
        System.arraycopy(sets.get(s).weights()[l], 0, w, s * rowsOut * in, o * in);
        System.arraycopy(sets.get(s).biases()[l], 0, bias, s * o, o);
      }
      // A view, as Network's linear layers take W^T: each slice's product sees the operands laid out alike.
      out[0][l] = Tensors.floats(m, w, new Shape(k, rowsOut, in)).transpose(0, 2, 1);
      out[1][l] = Tensors.floats(m, bias, new Shape(k, 1, o));
    }
    return out;
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** The number of stacked snapshots, K. */
  public int size() {
    return size;
  }

  public NDManager manager() {
    return manager;
  }

  /**
   * A per-row copy of layer {@code l}'s biases ({@code K x rows x out}) that requires grad: passed as a probe to
   * {@link #forward}, its gradient after backward is each snapshot's and row's {@code dLoss/dz}. Create it with grad
   * mode off.
   */
  public NDArray probe(NDManager scope, int l, int rows) {
    NDArray p = b[l].broadcast(new Shape(size, rows, spec.width(l + 1))).duplicate();
    p.attach(scope);
    p.setRequiresGradient(true);
    return p;
  }

  /**
   * Forward pass of every stacked snapshot.
   *
   * @param x batch input, {@code rows x in}, shared by all snapshots; its manager receives every temporary
   * @param masks per hidden layer dropout masks ({@code K x rows x width}), or null for no dropout
   * @param probes per layer {@code K x rows x out} probes used as the layer's bias (see {@link #probe}), or null
   * @param layerInputs if not null, receives each linear layer's input ({@code x} itself for layer 0, then
   *     {@code K x rows x width})
   * @return the output, {@code K x rows x out}
   */
  public NDArray forward(NDArray x, NDArray[] masks, NDArray[] probes, NDArray[] layerInputs) {
    int layers = spec.layers();
    NDArray a = x;
    for (int l = 0; l < layers; l++) {
      if (layerInputs != null) {
        layerInputs[l] = a;
      }
      NDArray bias = probes != null && probes[l] != null ? probes[l] : b[l];
      NDArray z = batched(a, wt[l], spec.width(l + 1)).add(bias);
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
   * {@code a (K x rows x in, or rows x in shared by all K) times m (K x in x out')}, the first {@code out} columns: one
   * batched product. A shared input is expanded (a view) so that the product is always the plain batched one, never
   * folded into one large matrix product whose rounding could depend on K; {@code m} from {@link #uploadStacked}
   * may carry a padding column (see there).
   */
  public static NDArray batched(NDArray a, NDArray m, int out) {
    NDArray lhs = a.getShape().dimension() == 2 ? a.broadcast(new Shape(m.getShape().get(0), a.getShape().get(0), a.getShape().get(1))) : a;
    NDArray p = lhs.matMul(m);
    return m.getShape().get(2) == out ? p : p.get(new NDIndex(":, :, 0:{}", out));
  }

  /**
   * Whether a spec can be stacked with values independent of K: not when a hidden layer has width 1, whose backward
   * product would have one output column (the input of a later layer, unlike the network input, needs its gradient).
   */
  public static boolean stackable(NetworkSpec spec) {
    for (int l = 1; l < spec.layers(); l++) {
      if (spec.width(l) == 1) {
        return false;
      }
    }
    return true;
  }

  private NDArray normalise(NDArray z) {
    if (!spec.perSampleNorm()) {
      return z;
    }
    NDArray centred = z.sub(z.mean(new int[] {2}, true));
    NDArray var = centred.square().mean(new int[] {2}, true);
    return centred.div(var.add(NetworkSpec.NORM_EPS).sqrt());
  }

  private NDArray activate(NDArray z) {
    return switch (spec.activation()) {
      case RELU -> Activation.relu(z);
      case TANH -> z.tanh();
      case MISH -> Activation.mish(z);
    };
  }

  private static NDArray dropout(NDArray z, NDArray mask) {
    return mask == null ? z : z.mul(mask);
  }

  @Override
  public void close() {
    manager.close();
  }
}
