package org.dvgs.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import org.dvgs.config.ScoringMethod;
import org.dvgs.model.Autograd;
import org.dvgs.model.DropoutMasks;
import org.dvgs.model.Losses;
import org.dvgs.io.Mix;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;

/**
 * Scores batches of source rows against a list of snapshots: for each row and snapshot, the similarity of the
 * row's loss gradient to the snapshot's target gradient.
 *
 * <p>The ghost method never forms a per-sample gradient. For a linear layer {@code z = W a + b} the per-sample
 * weight gradient is {@code delta_i a_i^T} with {@code delta_i = dLoss_i/dz_i}, so against a target gradient
 * {@code (G, g)}: {@code <grad_i, target> = delta_i^T G a_i + delta_i . g} and
 * {@code ||grad_i||^2 = ||delta_i||^2 (||a_i||^2 + 1)}. All deltas come from one backward pass of the summed
 * per-sample losses into zero "probe" tensors added to every pre-activation, with the parameters frozen. This is
 * exact whenever per-sample losses are independent, which holds here: the normalisation and dropout act within
 * one row.
 *
 * <p>Each instance owns a native memory scope; every batch runs in a sub-scope closed before returning, so only
 * plain Java arrays leave.
 */
public final class SnapshotScorer implements AutoCloseable {
  private final NetworkSpec spec;
  private final ScoringOptions options;
  private final NDManager root;
  private final List<Snapshot> snapshots;
  private final List<Network> networks = new ArrayList<>();
  private final List<NDArray[]> targetW = new ArrayList<>();
  private final List<NDArray[]> targetB = new ArrayList<>();
  private final double[] targetSq;
  // Within-class similarity: per snapshot, per class, the target gradient of that class and its squared norm.
  private final List<NDArray[][]> classW = new ArrayList<>();
  private final List<NDArray[][]> classB = new ArrayList<>();
  private final double[][] classSq;

  /**
   * Uploads the snapshots.
   *
   * @param device where to compute
   */
  public SnapshotScorer(NetworkSpec spec, List<Snapshot> snapshots, ScoringOptions options, Device device) {
    this.spec = spec;
    this.options = options;
    this.snapshots = List.copyOf(snapshots);
    this.root = NDManager.newBaseManager(device);
    this.targetSq = new double[snapshots.size()];
    this.classSq = new double[snapshots.size()][];
    boolean naive = options.method() == ScoringMethod.NAIVE;
    int layers = spec.layers();
    try {
      for (int s = 0; s < snapshots.size(); s++) {
        Snapshot snap = snapshots.get(s);
        Network net = Network.upload(root, spec, snap.parameters(), naive);
        networks.add(net);
        NDArray[] gw = new NDArray[layers];
        NDArray[] gb = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
          if (options.includes(l)) {
            gw[l] = net.manager().create(snap.targetGradient().weights()[l], new Shape(spec.width(l + 1), spec.width(l)));
            gb[l] = net.manager().create(snap.targetGradient().biases()[l], new Shape(spec.width(l + 1)));
          }
        }
        targetW.add(gw);
        targetB.add(gb);
        targetSq[s] = snap.targetSquaredNorm(options.layers());
        if (options.withinClass()) {
          if (snap.classGradients() == null) {
            throw new IllegalStateException(
                "within-class similarity needs snapshots with class gradients; snapshot " + snap.restart() + "/" + snap.iteration() + " has none");
          }
          int classes = snap.classGradients().length;
          NDArray[][] cw = new NDArray[classes][layers];
          NDArray[][] cb = new NDArray[classes][layers];
          classSq[s] = new double[classes];
          for (int c = 0; c < classes; c++) {
            for (int l = 0; l < layers; l++) {
              if (options.includes(l)) {
                cw[c][l] = net.manager().create(snap.classGradients()[c].weights()[l], new Shape(spec.width(l + 1), spec.width(l)));
                cb[c][l] = net.manager().create(snap.classGradients()[c].biases()[l], new Shape(spec.width(l + 1)));
              }
            }
            classSq[s][c] = snap.classSquaredNorm(c, options.layers());
          }
          classW.add(cw);
          classB.add(cb);
        }
      }
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /**
   * Similarities of a batch of rows.
   *
   * @param features {@code rows * inputWidth} row-major floats
   * @param labels one per row (ignored for the autoencoder)
   * @param rowKeys stable per-row keys (dropout masks in train mode)
   * @param rows number of rows
   * @return {@code [snapshot][row]} similarities
   */
  public double[][] score(float[] features, float[] labels, long[] rowKeys, int rows) {
    double[][] out = new double[snapshots.size()][];
    try (NDManager batch = root.newSubManager()) {
      if (options.method() == ScoringMethod.GHOST) {
        NDArray x = batch.create(features, new Shape(rows, spec.inputWidth()));
        NDArray targets = Losses.targets(batch, spec, labels, rows);
        NDArray xSq = x.square().sum(new int[] {1});
        for (int s = 0; s < snapshots.size(); s++) {
          out[s] = ghost(batch, s, x, targets, xSq, labels, rowKeys, rows);
        }
      } else {
        for (int s = 0; s < snapshots.size(); s++) {
          out[s] = naive(batch, s, features, labels, rowKeys, rows);
        }
      }
    }
    return out;
  }

  private double[] ghost(NDManager batch, int s, NDArray x, NDArray targets, NDArray xSq, float[] labels, long[] rowKeys, int rows) {
    int layers = spec.layers();
    try (NDManager scope = batch.newSubManager()) {
      // Temporaries follow the manager of their first operand: move the shared batch inputs into this scope so
      // that everything this snapshot creates is freed when the scope closes.
      x.tempAttach(scope);
      xSq.tempAttach(scope);
      if (targets != null) {
        targets.tempAttach(scope);
      }
      NDArray[] probes = new NDArray[layers];
      NDArray[] inputs = new NDArray[layers];
      NDArray[] masks = masks(scope, s, rowKeys, rows);
      NDArray sq;
      Network net = networks.get(s);
      int first = firstIncluded();
      for (int l = first; l < layers; l++) {
        probes[l] = net.probe(scope, l, rows);
      }
      Autograd.gradMode(true);
      try {
        NDArray outp = net.forward(x, masks, probes, inputs);
        Autograd.gradMode(false);
        // Seeding backward with dLoss/dout in closed form skips building and differentiating the loss graph.
        Autograd.backward(outp, Losses.outputGradient(spec, outp, x, targets));
      } finally {
        Autograd.gradMode(false);
      }
      sq = null;
      // One target gradient (batch), or one per class (within-class), each contracted with every row.
      NDArray[][] gws = options.withinClass() ? classW.get(s) : new NDArray[][] {targetW.get(s)};
      NDArray[][] gbs = options.withinClass() ? classB.get(s) : new NDArray[][] {targetB.get(s)};
      NDArray[] dots = new NDArray[gws.length];
      for (int l = 0; l < layers; l++) {
        if (!options.includes(l)) {
          continue;
        }
        NDArray delta = probes[l].getGradient();
        delta.attach(scope);
        NDArray a = inputs[l];
        for (int c = 0; c < gws.length; c++) {
          // delta_i^T G a_i + delta_i . g = rowsum((A G^T + g) * Delta): one fused matrix product per layer.
          NDArray d = Linear.linear(a, gws[c][l], gbs[c][l]).singletonOrThrow().mul(delta).sum(new int[] {1});
          dots[c] = dots[c] == null ? d : dots[c].add(d);
        }
        NDArray aSq = l == 0 ? xSq : a.square().sum(new int[] {1});
        NDArray q = delta.square().sum(new int[] {1}).mul(aSq.add(1f));
        sq = sq == null ? q : sq.add(q);
      }
      float[][] dotValues = new float[dots.length][];
      for (int c = 0; c < dots.length; c++) {
        dotValues[c] = dots[c].toFloatArray();
      }
      float[] sqs = sq.toFloatArray();
      double[] sims = new double[rows];
      for (int i = 0; i < rows; i++) {
        int c = options.withinClass() ? (int) labels[i] : 0;
        double tSq = options.withinClass() ? classSq[s][c] : targetSq[s];
        sims[i] = Similarities.of(options.metric(), dotValues[c][i], sqs[i], tSq);
      }
      return sims;
    }
  }

  /** The first layer whose delta is needed (backward stops there). */
  private int firstIncluded() {
    for (int l = 0; l < spec.layers(); l++) {
      if (options.includes(l)) {
        return l;
      }
    }
    return spec.layers();
  }

  private NDArray[] masks(NDManager scope, int s, long[] rowKeys, int rows) {
    if (!options.trainModeDropout() || spec.dropout() <= 0) {
      return null;
    }
    long stream = Mix.mix(options.seed(), snapshots.get(s).key());
    long[] keys = rowKeys.length == rows ? rowKeys : java.util.Arrays.copyOf(rowKeys, rows);
    NDArray[] masks = new NDArray[spec.layers() - 1];
    for (int l = 0; l < masks.length; l++) {
      int width = spec.width(l + 1);
      masks[l] = scope.create(DropoutMasks.mask(stream, keys, l, width, spec.dropout()), new Shape(rows, width));
    }
    return masks;
  }

  /** Reference path: one backward pass per row, with the full per-sample gradient materialised. */
  private double[] naive(NDManager batch, int s, float[] features, float[] labels, long[] rowKeys, int rows) {
    Network net = networks.get(s);
    Snapshot snap = snapshots.get(s);
    int d = spec.inputWidth();
    int layers = spec.layers();
    double[] sims = new double[rows];
    for (int i = 0; i < rows; i++) {
      double dot = 0;
      double sq = 0;
      try (NDManager scope = batch.newSubManager()) {
        float[] row = java.util.Arrays.copyOfRange(features, i * d, (i + 1) * d);
        NDArray x = scope.create(row, new Shape(1, d));
        NDArray targets = Losses.targets(scope, spec, new float[] {labels == null ? 0f : labels[i]}, 1);
        NDArray[] masks = masks(scope, s, new long[] {rowKeys[i]}, 1);
        Autograd.gradMode(true);
        try {
          NDArray loss = Losses.perSample(spec, net.forward(x, masks, null, null), x, targets).sum();
          Autograd.backward(loss);
        } finally {
          Autograd.gradMode(false);
        }
        for (int l = 0; l < layers; l++) {
          NDArray gwArr = net.weight(l).getGradient();
          gwArr.attach(scope);
          NDArray gbArr = net.bias(l).getGradient();
          gbArr.attach(scope);
          if (options.includes(l)) {
            float[] gw = gwArr.toFloatArray();
            float[] gb = gbArr.toFloatArray();
            org.dvgs.model.ParameterSet target =
                options.withinClass() ? snap.classGradients()[(int) labels[i]] : snap.targetGradient();
            float[] tw = target.weights()[l];
            float[] tb = target.biases()[l];
            for (int j = 0; j < gw.length; j++) {
              dot += (double) gw[j] * tw[j];
              sq += (double) gw[j] * gw[j];
            }
            for (int j = 0; j < gb.length; j++) {
              dot += (double) gb[j] * tb[j];
              sq += (double) gb[j] * gb[j];
            }
          }
        }
        net.zeroGradients();
      }
      sims[i] = Similarities.of(options.metric(), dot, sq, options.withinClass() ? classSq[s][(int) labels[i]] : targetSq[s]);
    }
    return sims;
  }

  @Override
  public void close() {
    root.close();
  }
}
