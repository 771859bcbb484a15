package org.dvgs.uniqueness;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.Arrays;
import org.dvgs.config.Task;
import org.dvgs.model.Autograd;
import org.dvgs.model.Losses;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Tensors;
import org.dvgs.scoring.SnapshotScorer;

/**
 * Projected per-sample loss gradients of a batch, from the same single backward pass the ghost scorer uses: zero
 * "probes" on every pre-activation collect each row's {@code delta_l = dLoss_i/dz_l}, the forward pass records each
 * layer's input {@code a_l}, and {@link KroneckerProjection} turns them into {@code sum_l (U_l delta_l) o (V_l [a_l; 1])}
 * without ever forming the per-sample gradient. Dropout is off (the model as trained, in evaluation mode).
 *
 * <p>Owns a native memory scope; each batch runs in a sub-scope, so only float arrays leave.
 */
public final class GradientProjector implements AutoCloseable {
  private final NetworkSpec spec;
  private final KroneckerProjection projection;
  private final NDManager root;
  private final Network net;
  private final NDArray[] u;
  private final NDArray[] vw;
  private final NDArray[] vb;

  /**
   * Uploads the model and generates the projection factors.
   *
   * @param params the model's parameters
   */
  public GradientProjector(NetworkSpec spec, ParameterSet params, KroneckerProjection projection, Device device) {
    this.spec = spec;
    this.projection = projection;
    this.root = NDManager.newBaseManager(device);
    int layers = spec.layers();
    int k = projection.k();
    u = new NDArray[layers];
    vw = new NDArray[layers];
    vb = new NDArray[layers];
    try {
      net = Network.upload(root, spec, params, false);
      for (int l = 0; l < layers; l++) {
        if (!projection.includes(l)) {
          continue;
        }
        int in = spec.width(l);
        u[l] = Tensors.floats(root, projection.outFactor(l), new Shape(k, spec.width(l + 1)));
        float[] v = projection.inFactor(l);
        float[] w = new float[k * in];
        float[] b = new float[k];
        for (int j = 0; j < k; j++) {
          System.arraycopy(v, j * (in + 1), w, j * in, in);
          b[j] = v[j * (in + 1) + in];
        }
        vw[l] = Tensors.floats(root, w, new Shape(k, in));
        vb[l] = Tensors.floats(root, b, new Shape(k));
      }
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /**
   * Projects a batch.
   *
   * @param features {@code rows * inputWidth} row-major floats
   * @param labels one per row (ignored for the autoencoder)
   * @return {@code rows * k} row-major floats
   */
  public float[] project(float[] features, float[] labels, int rows) {
    if (rows < SnapshotScorer.MIN_BATCH_ROWS) {
      // As in ghost scoring: a tiny batch would take another path through the matrix products, so it is padded
      // with zero rows of class 0, whose projections are dropped.
      int n = SnapshotScorer.MIN_BATCH_ROWS;
      float[] f = Arrays.copyOf(features, n * spec.inputWidth());
      Arrays.fill(f, rows * spec.inputWidth(), f.length, 0f);
      float[] y = labels == null ? null : Arrays.copyOf(labels, n);
      if (y != null) {
        Arrays.fill(y, rows, n, 0f);
      }
      return Arrays.copyOf(projectBatch(f, y, n), rows * projection.k());
    }
    return projectBatch(features, labels, rows);
  }

  private float[] projectBatch(float[] features, float[] labels, int rows) {
    int layers = spec.layers();
    try (NDManager batch = root.newSubManager()) {
      NDArray x = Tensors.floats(batch, features.length == rows * spec.inputWidth() ? features : Arrays.copyOf(features, rows * spec.inputWidth()),
          new Shape(rows, spec.inputWidth()));
      NDArray targets = Losses.targets(batch, spec, labels, rows);
      NDArray[] probes = new NDArray[layers];
      NDArray[] inputs = new NDArray[layers];
      for (int l = projection.firstLayer(); l < layers; l++) {
        probes[l] = net.probe(batch, l, rows);
      }
      Autograd.gradMode(true);
      try {
        NDArray out = net.forward(x, null, probes, inputs);
        Autograd.gradMode(false);
        Autograd.backward(out, outputGradient(out, x, targets));
      } finally {
        Autograd.gradMode(false);
      }
      NDArray y = null;
      for (int l = 0; l < layers; l++) {
        if (!projection.includes(l)) {
          continue;
        }
        NDArray delta = probes[l].getGradient();
        delta.attach(batch);
        NDArray side = Linear.linear(inputs[l], vw[l], vb[l]).singletonOrThrow();
        NDArray term = Linear.linear(delta, u[l]).singletonOrThrow().mul(side);
        y = y == null ? term : y.add(term);
      }
      return y.toFloatArray();
    }
  }

  /**
   * {@code dLoss_i/dout_i} as {@link Losses#outputGradient}, except that for cross-entropy the true class's entry
   * {@code p_y - 1} is computed as {@code -(sum of the other probabilities)}: when the model is confident,
   * {@code p_y} rounds to 1 in float and the difference would vanish, losing the gradient's direction.
   */
  private NDArray outputGradient(NDArray out, NDArray x, NDArray targets) {
    if (spec.task() != Task.CLASSIFIER) {
      return Losses.outputGradient(spec, out, x, targets);
    }
    NDArray others = out.softmax(1).mul(targets.neg().add(1f));
    return others.sub(targets.mul(others.sum(new int[] {1}, true)));
  }

  /**
   * Reference path: each row's full gradient over the projected layers, by one backward pass per row (as
   * {@code scoring.method = naive} does). Layer {@code l}'s weight gradient is {@code out x in} row-major.
   *
   * @return {@code [row][0 = weights, 1 = biases][layer]} gradients; excluded layers are null
   */
  public static float[][][][] exactGradients(NetworkSpec spec, ParameterSet params, KroneckerProjection projection,
      float[] features, float[] labels, int rows, Device device) {
    int d = spec.inputWidth();
    int layers = spec.layers();
    float[][][][] out = new float[rows][2][layers][];
    try (NDManager root = NDManager.newBaseManager(device);
        Network net = Network.upload(root, spec, params, true)) {
      for (int i = 0; i < rows; i++) {
        try (NDManager scope = root.newSubManager()) {
          NDArray x = Tensors.floats(scope, Arrays.copyOfRange(features, i * d, (i + 1) * d), new Shape(1, d));
          NDArray t = Losses.targets(scope, spec, new float[] {labels == null ? 0f : labels[i]}, 1);
          Autograd.gradMode(true);
          try {
            Autograd.backward(Losses.perSample(spec, net.forward(x, null, null, null), x, t).sum());
          } finally {
            Autograd.gradMode(false);
          }
          for (int l = 0; l < layers; l++) {
            NDArray gw = net.weight(l).getGradient();
            gw.attach(scope);
            NDArray gb = net.bias(l).getGradient();
            gb.attach(scope);
            if (projection.includes(l)) {
              out[i][0][l] = gw.toFloatArray();
              out[i][1][l] = gb.toFloatArray();
            }
          }
          net.zeroGradients();
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    root.close();
  }
}
