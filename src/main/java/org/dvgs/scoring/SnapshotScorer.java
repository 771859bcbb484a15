package org.dvgs.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import org.dvgs.config.ScoringMethod;
import org.dvgs.model.Autograd;
import org.dvgs.model.DropoutMasks;
import org.dvgs.model.Losses;
import org.dvgs.core.Mix;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.model.Tensors;

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
 * <p>With within-class scoring ({@link ScoringOptions#withinClass()}) row {@code i} is compared with the target
 * gradient of its own label's class, {@code G_{y_i}} (the batch gradient where that class had no target rows at the
 * checkpoint). The ghost path orders the batch by label, so each class's rows are one contiguous slice, and does the
 * same contraction per class on that slice against that class's gradient: C contractions over disjoint row sets,
 * together the cost of one. The per-row squared norm does not involve the target and is unchanged.
 *
 * <p>With preconditioned scoring ({@link ScoringOptions#preconditioned()}) every inner product is taken in the metric of
 * the snapshot's diagonal preconditioner {@code P} (Adam's {@code 1 / (sqrt(v_hat) + eps)}): per layer
 * {@code <grad_i, target>_P = delta_i^T (P_W o G) a_i + delta_i . (P_b o g)}, so the target is uploaded already
 * weighted and the dot costs what it costs unpreconditioned, and {@code ||grad_i||_P^2 = (delta_i o delta_i)^T P_W
 * (a_i o a_i) + (delta_i o delta_i) . P_b}, one more matrix product per layer (with {@code P_W}, shared by every
 * class). The target's {@code ||target||_P^2 = sum P o G o G} is computed once per snapshot. Every metric follows from
 * these three sums as in the Euclidean case ({@link Similarities}).
 *
 * <p>Each instance owns a native memory scope; every batch runs in a sub-scope closed before returning, so only
 * plain Java arrays leave.
 */
public final class SnapshotScorer implements AutoCloseable {
  /**
   * Fewest rows any matrix product of the ghost path is computed with. MKL computes products of fewer than four
   * rows by another code path whose rounding differs from that of larger ones, while from four rows on each row's
   * result is the same whatever the other rows are (measured for every layer shape of the shipped configs, at 1 to 8
   * threads, under {@code MKL_CBWR=AUTO,STRICT}). Computing at least this many rows at once therefore makes a row's
   * value independent of which rows share its batch, and so of the partitioning; 8 leaves a margin.
   */
  public static final int MIN_BATCH_ROWS = 8;

  /**
   * PyTorch computes a batched product whose slices have fewer than this many multiply-adds ({@code rows x in x out})
   * by a plain loop instead of MKL, rounding differently; the checkpoint-batched path keeps every product at or above
   * it ({@link #minRows}) so that a small batch or class window rounds as a large one does.
   */
  static final int SMALL_PRODUCT = 400;

  /**
   * Fewest rows a product of the scoring path is computed with: {@link #MIN_BATCH_ROWS}, and with checkpoint
   * batching enough that no layer's batched product falls below {@link #SMALL_PRODUCT} (one-column products are
   * not batched products, see {@link Network#batchedProduct}).
   */
  private final int minRows;

  private final NetworkSpec spec;
  private final ScoringOptions options;
  private final NDManager root;
  private final List<Snapshot> snapshots;
  private final List<Network> networks = new ArrayList<>();
  /** Per snapshot, per target (the batch gradient, or one per class), per layer. */
  private final List<NDArray[][]> targetW = new ArrayList<>();
  private final List<NDArray[][]> targetB = new ArrayList<>();
  /** Per snapshot, per target: squared norm over the included layers. */
  private final double[][] targetSq;
  /** Per snapshot, with preconditioned scoring: the preconditioner weights, {@code [0]} weights, {@code [1]} biases. */
  private final List<NDArray[][]> precondition = new ArrayList<>();
  /**
   * With checkpoint batching ({@link ScoringOptions#checkpointBatched()}): every snapshot's parameters and targets
   * stacked along a leading snapshot axis, per layer; a pass over snapshots {@code [from, to)} takes views of them.
   * Weights {@code n x out x in}, biases {@code n x 1 x out}; targets per target (class) and layer, included layers
   * only; preconditioner weights with preconditioned scoring. Null without checkpoint batching.
   */
  private Stacked stacked;

  private record Stacked(NDArray[] w, NDArray[] b, NDArray[][] gw, NDArray[][] gb, NDArray[] pw, NDArray[] pb) {}

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
    this.targetSq = new double[snapshots.size()][];
    int least = MIN_BATCH_ROWS;
    if (options.method() == ScoringMethod.GHOST && options.checkpointBatched()) {
      for (int l = 0; l < spec.layers(); l++) {
        long size = (long) spec.width(l) * spec.width(l + 1);
        if (spec.width(l + 1) > 1) {
          least = (int) Math.max(least, (SMALL_PRODUCT + size - 1) / size);
        }
      }
    }
    this.minRows = least;
    boolean naive = options.method() == ScoringMethod.NAIVE;
    int targets = options.withinClass() ? spec.numClasses() : 1;
    if (options.withinClass() && spec.numClasses() < 1) {
      throw new IllegalArgumentException("within-class scoring needs a classifier, got " + spec);
    }
    try {
      for (int s = 0; s < snapshots.size(); s++) {
        Snapshot snap = snapshots.get(s);
        if (options.withinClass() && (!snap.hasClassGradients() || snap.classGradients().length != targets)) {
          throw new IllegalArgumentException(
              "snapshot (restart " + snap.restart() + ", iteration " + snap.iteration() + ") holds no per-class target gradients for "
                  + targets + " classes; within-class scoring needs snapshots trained with dvgs.scoring.target-gradient = within-class");
        }
        if (options.preconditioned() && !snap.hasPreconditioner()) {
          throw new IllegalArgumentException(
              "snapshot (restart " + snap.restart() + ", iteration " + snap.iteration() + ") holds no preconditioner weights; "
                  + "dvgs.scoring.preconditioner = adam needs snapshots trained with it");
        }
        targetSq[s] = new double[targets];
        if (batched()) {
          for (int c = 0; c < targets; c++) {
            ParameterSet g = options.withinClass() ? snap.gradientForClass(c) : snap.targetGradient();
            targetSq[s][c] = targetSquaredNorm(snap, g, c);
          }
          continue;
        }
        Network net = Network.upload(root, spec, snap.parameters(), naive);
        networks.add(net);
        if (options.preconditioned()) {
          precondition.add(upload(net.manager(), snap.preconditioner()));
        }
        NDArray[][] gw = new NDArray[targets][];
        NDArray[][] gb = new NDArray[targets][];
        NDArray[][] batchGradient = null;
        for (int c = 0; c < targets; c++) {
          ParameterSet g = options.withinClass() ? snap.gradientForClass(c) : snap.targetGradient();
          NDArray[][] up;
          if (g == snap.targetGradient()) {
            // Classes that fall back to the batch gradient share one upload of it.
            batchGradient = batchGradient == null ? upload(net.manager(), targetAsUploaded(snap, g)) : batchGradient;
            up = batchGradient;
          } else {
            up = upload(net.manager(), targetAsUploaded(snap, g));
          }
          gw[c] = up[0];
          gb[c] = up[1];
          targetSq[s][c] = targetSquaredNorm(snap, g, c);
        }
        targetW.add(gw);
        targetB.add(gb);
      }
      if (batched()) {
        stacked = uploadStacked(targets);
      }
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** Whether the ghost path stacks snapshots. */
  private boolean batched() {
    return options.method() == ScoringMethod.GHOST && options.checkpointBatched();
  }

  /** The target's squared norm over the included layers, in the scoring metric. */
  private double targetSquaredNorm(Snapshot snap, ParameterSet g, int c) {
    if (options.preconditioned()) {
      return snap.preconditionedSquaredNorm(g, options.layers());
    }
    return options.withinClass() ? snap.classSquaredNorm(c, options.layers()) : snap.targetSquaredNorm(options.layers());
  }

  /** Uploads every snapshot's parameters, targets (as the contraction uses them) and preconditioner, stacked. */
  private Stacked uploadStacked(int targets) {
    NDManager m = root.newSubManager();
    int layers = spec.layers();
    int n = snapshots.size();
    NDArray[] w = new NDArray[layers];
    NDArray[] b = new NDArray[layers];
    NDArray[][] gw = new NDArray[targets][layers];
    NDArray[][] gb = new NDArray[targets][layers];
    NDArray[] pw = options.preconditioned() ? new NDArray[layers] : null;
    NDArray[] pb = options.preconditioned() ? new NDArray[layers] : null;
    List<ParameterSet> params = new ArrayList<>();
    List<List<ParameterSet>> uploadedTargets = new ArrayList<>();
    for (int c = 0; c < targets; c++) {
      uploadedTargets.add(new ArrayList<>());
    }
    List<ParameterSet> pre = new ArrayList<>();
    for (Snapshot snap : snapshots) {
      params.add(snap.parameters());
      for (int c = 0; c < targets; c++) {
        uploadedTargets.get(c).add(targetAsUploaded(snap, options.withinClass() ? snap.gradientForClass(c) : snap.targetGradient()));
      }
      if (options.preconditioned()) {
        pre.add(snap.preconditioner());
      }
    }
    for (int l = 0; l < layers; l++) {
      int in = spec.width(l);
      int out = spec.width(l + 1);
      w[l] = stack(m, params, l, true, new Shape(n, out, in));
      b[l] = stack(m, params, l, false, new Shape(n, 1, out));
      if (options.includes(l)) {
        for (int c = 0; c < targets; c++) {
          gw[c][l] = stack(m, uploadedTargets.get(c), l, true, new Shape(n, out, in));
          gb[c][l] = stack(m, uploadedTargets.get(c), l, false, new Shape(n, 1, out));
        }
        if (pw != null) {
          pw[l] = stack(m, pre, l, true, new Shape(n, out, in));
          pb[l] = stack(m, pre, l, false, new Shape(n, 1, out));
        }
      }
    }
    return new Stacked(w, b, gw, gb, pw, pb);
  }

  /** Layer {@code l}'s weights (or biases) of every set, one after another, as one array of {@code shape}. */
  private static NDArray stack(NDManager m, List<ParameterSet> sets, int l, boolean weights, Shape shape) {
    int size = (int) (shape.size() / sets.size());
    float[] all = new float[(int) shape.size()];
    for (int k = 0; k < sets.size(); k++) {
      float[] part = weights ? sets.get(k).weights()[l] : sets.get(k).biases()[l];
      System.arraycopy(part, 0, all, k * size, size);
    }
    return Tensors.floats(m, all, shape);
  }

  /**
   * Bytes of batched intermediates one row costs per snapshot of a pass: per linear layer, about 16 floats per output
   * unit (pre-activation, probe and its gradient, normalisation, activation and dropout temporaries and the autograd
   * buffers of each, the dot's product) and 2 per input unit (the layer input kept for backward, its square).
   */
  public static long bytesPerRowAndSnapshot(NetworkSpec spec) {
    long floats = 0;
    for (int l = 0; l < spec.layers(); l++) {
      floats += 16L * spec.width(l + 1) + 2L * spec.width(l);
    }
    return 4 * floats;
  }

  /**
   * Snapshots scored in one pass of batched products over a batch of {@code rows} rows: as many as fit
   * {@code budgetBytes} of intermediates ({@link #bytesPerRowAndSnapshot}), at most {@code cap} (when positive) and
   * {@code snapshots}, and at least two where there are two. A pass of one snapshot is avoided because PyTorch
   * computes a one-slice batched product whose result is a column (a layer of one output unit, as a regressor's last)
   * by another kernel whose rounding differs; from two slices on each slice's values are the same whatever the
   * others are, so a snapshot's values do not depend on how the budget, and so the batch size, groups the snapshots.
   */
  public static int snapshotsPerPass(NetworkSpec spec, int rows, int snapshots, int cap, long budgetBytes) {
    long perSnapshot = bytesPerRowAndSnapshot(spec) * Math.max(rows, MIN_BATCH_ROWS);
    long fit = Math.max(2, budgetBytes / perSnapshot);
    if (cap > 0) {
      fit = Math.min(fit, Math.max(2, cap));
    }
    return (int) Math.max(1, Math.min(fit, snapshots));
  }

  /**
   * Snapshots this scorer scores together per pass over a batch of {@code rows} rows: 1 without checkpoint batching
   * (or on the naive path), else {@link #snapshotsPerPass(NetworkSpec, int, int, int, long)} for its options (a last
   * single snapshot then joins the pass before it).
   */
  public int snapshotsPerPass(int rows) {
    return batched() ? snapshotsPerPass(spec, rows, snapshots.size(), options.checkpointBatch(), options.batchedBytes()) : 1;
  }

  /**
   * The target gradient as the ghost contraction uses it: itself, or with preconditioned scoring {@code P o G}
   * (each element's product rounded once to float), so that {@code delta_i^T (P o G) a_i} is the preconditioned dot.
   */
  private ParameterSet targetAsUploaded(Snapshot snap, ParameterSet g) {
    if (!options.preconditioned()) {
      return g;
    }
    ParameterSet p = snap.preconditioner();
    int layers = spec.layers();
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      if (options.includes(l)) {
        w[l] = times(p.weights()[l], g.weights()[l]);
        b[l] = times(p.biases()[l], g.biases()[l]);
      }
    }
    return new ParameterSet(w, b);
  }

  private static float[] times(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) ((double) a[i] * b[i]);
    }
    return out;
  }

  /** Uploads the included layers of a gradient: {@code [0]} weights, {@code [1]} biases (null for excluded layers). */
  private NDArray[][] upload(NDManager m, ParameterSet g) {
    int layers = spec.layers();
    NDArray[][] out = new NDArray[2][layers];
    for (int l = 0; l < layers; l++) {
      if (options.includes(l)) {
        out[0][l] = Tensors.floats(m, g.weights()[l], new Shape(spec.width(l + 1), spec.width(l)));
        out[1][l] = Tensors.floats(m, g.biases()[l], new Shape(spec.width(l + 1)));
      }
    }
    return out;
  }

  /**
   * Similarities of a batch of rows.
   *
   * @param features {@code rows * inputWidth} row-major floats
   * @param labels one per row (ignored for the autoencoder); with within-class scoring, class indices select the target
   *     gradient
   * @param rowKeys stable per-row keys (dropout masks in train mode)
   * @param rows number of rows
   * @return {@code [snapshot][row]} similarities
   */
  public double[][] score(float[] features, float[] labels, long[] rowKeys, int rows) {
    return java.util.Arrays.copyOf(scoreAll(features, labels, rowKeys, rows, false), snapshots.size());
  }

  /**
   * A batch's similarities and each row's own loss at every snapshot.
   *
   * @param similarities {@code [snapshot][row]}, as {@link #score} gives them
   * @param losses {@code [snapshot][row]}: the row's loss ({@link Losses#perSample}, of its given label) under the
   *     snapshot's model, from the forward pass the similarity takes (train-mode dropout masks included)
   */
  public record Scores(double[][] similarities, double[][] losses) {}

  /** As {@link #score}, with the rows' own losses: they come from the forward pass scoring takes anyway. */
  public Scores scoreWithLosses(float[] features, float[] labels, long[] rowKeys, int rows) {
    double[][] all = scoreAll(features, labels, rowKeys, rows, true);
    int n = snapshots.size();
    return new Scores(java.util.Arrays.copyOf(all, n), java.util.Arrays.copyOfRange(all, n, 2 * n));
  }

  /**
   * {@code [snapshot][row]} similarities followed by {@code [snapshots + snapshot][row]} own losses; without
   * {@code withLosses} the loss rows are null (the ghost path then skips the loss op per snapshot).
   */
  private double[][] scoreAll(float[] features, float[] labels, long[] rowKeys, int rows, boolean withLosses) {
    if (options.withinClass()) {
      checkLabels(labels, rows);
    }
    if (options.method() == ScoringMethod.GHOST && rows < minRows) {
      // A partition's last batch can be a handful of rows: computed alone, its rows would take another path
      // through the matrix products (see MIN_BATCH_ROWS) and get values that depend on how the source was
      // partitioned. Padding rows (zero features, class 0) are computed and dropped.
      int d = spec.inputWidth();
      float[] f = java.util.Arrays.copyOf(features, minRows * d);
      java.util.Arrays.fill(f, rows * d, f.length, 0f);
      float[] y = labels == null ? null : java.util.Arrays.copyOf(labels, minRows);
      if (y != null) {
        java.util.Arrays.fill(y, rows, y.length, 0f);
      }
      long[] k = java.util.Arrays.copyOf(rowKeys, minRows);
      double[][] padded = ghostBatch(f, y, k, minRows, withLosses);
      double[][] out = new double[padded.length][];
      for (int s = 0; s < padded.length; s++) {
        out[s] = padded[s] == null ? null : java.util.Arrays.copyOf(padded[s], rows);
      }
      return out;
    }
    return options.method() == ScoringMethod.GHOST
        ? ghostBatch(features, labels, rowKeys, rows, withLosses)
        : score(features, labels, rowKeys, rows, null, withLosses);
  }

  /** Ghost scoring of a batch of at least {@link #MIN_BATCH_ROWS} rows. */
  private double[][] ghostBatch(float[] features, float[] labels, long[] rowKeys, int rows, boolean withLosses) {
    return options.withinClass()
        ? ghostWithinClass(features, labels, rowKeys, rows, withLosses)
        : score(features, labels, rowKeys, rows, null, withLosses);
  }

  /**
   * Within-class ghost scoring: the rows are put in label order (a stable counting sort), scored with one slice
   * per class, and the similarities put back in the caller's row order.
   */
  private double[][] ghostWithinClass(float[] features, float[] labels, long[] rowKeys, int rows, boolean withLosses) {
    int classes = spec.numClasses();
    int d = spec.inputWidth();
    int[] start = new int[classes + 1];
    for (int i = 0; i < rows; i++) {
      start[(int) labels[i] + 1]++;
    }
    for (int c = 0; c < classes; c++) {
      start[c + 1] += start[c];
    }
    int[] next = java.util.Arrays.copyOf(start, classes);
    int[] at = new int[rows];
    float[] f = new float[rows * d];
    float[] y = new float[rows];
    long[] k = new long[rows];
    for (int i = 0; i < rows; i++) {
      int j = next[(int) labels[i]]++;
      at[i] = j;
      System.arraycopy(features, i * d, f, j * d, d);
      y[j] = labels[i];
      k[j] = rowKeys[i];
    }
    double[][] sorted = score(f, y, k, rows, start, withLosses);
    double[][] out = new double[sorted.length][];
    for (int s = 0; s < sorted.length; s++) {
      if (sorted[s] == null) {
        continue;
      }
      out[s] = new double[rows];
      for (int i = 0; i < rows; i++) {
        out[s][i] = sorted[s][at[i]];
      }
    }
    return out;
  }

  private void checkLabels(float[] labels, int rows) {
    int classes = spec.numClasses();
    for (int i = 0; i < rows; i++) {
      float v = labels[i];
      if (!(v >= 0 && v < classes && v == Math.rint(v))) {
        throw new IllegalArgumentException("row " + i + " of the batch has label " + v + ", not a class index in [0, " + classes + ")");
      }
    }
  }

  /**
   * Scores a batch.
   *
   * @param classStart with within-class ghost scoring, the rows are in label order and class c is rows
   *     {@code [classStart[c], classStart[c + 1])}; null otherwise
   * @param withLosses whether the rows' own losses are kept
   * @return similarities then own losses, as {@link #scoreAll}
   */
  private double[][] score(float[] features, float[] labels, long[] rowKeys, int rows, int[] classStart, boolean withLosses) {
    int n = snapshots.size();
    double[][] out = new double[2 * n][];
    try (NDManager batch = root.newSubManager()) {
      if (batched()) {
        NDArray x = Tensors.floats(batch, features, new Shape(rows, spec.inputWidth()));
        NDArray targets = Losses.targets(batch, spec, labels, rows);
        NDArray xSq = x.square().sum(new int[] {1});
        int k = snapshotsPerPass(rows);
        for (int from = 0; from < n; from += k) {
          int to = Math.min(n, from + k);
          if (n - to == 1) {
            // No pass of one snapshot (see snapshotsPerPass): the last one joins the pass before it.
            to = n;
          }
          double[][] losses = withLosses ? new double[to - from][] : null;
          double[][] sims = ghostStacked(batch, from, to, x, targets, xSq, rowKeys, rows, classStart, losses);
          for (int s = from; s < to; s++) {
            out[s] = sims[s - from];
            out[n + s] = withLosses ? losses[s - from] : null;
          }
        }
      } else if (options.method() == ScoringMethod.GHOST) {
        NDArray x = Tensors.floats(batch, features, new Shape(rows, spec.inputWidth()));
        NDArray targets = Losses.targets(batch, spec, labels, rows);
        NDArray xSq = x.square().sum(new int[] {1});
        for (int s = 0; s < snapshots.size(); s++) {
          out[n + s] = withLosses ? new double[rows] : null;
          out[s] = ghost(batch, s, x, targets, xSq, rowKeys, rows, classStart, out[n + s]);
        }
      } else {
        for (int s = 0; s < snapshots.size(); s++) {
          out[n + s] = withLosses ? new double[rows] : null;
          out[s] = naive(batch, s, features, labels, rowKeys, rows, out[n + s]);
        }
      }
    }
    return out;
  }

  private double[] ghost(
      NDManager batch, int s, NDArray x, NDArray targets, NDArray xSq, long[] rowKeys, int rows, int[] classStart, double[] lossOut) {
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
      NDArray dot;
      NDArray sq;
      Network net = networks.get(s);
      int first = firstIncluded();
      for (int l = first; l < layers; l++) {
        probes[l] = net.probe(scope, l, rows);
      }
      NDArray outp;
      Autograd.gradMode(true);
      try {
        outp = net.forward(x, masks, probes, inputs);
        Autograd.gradMode(false);
        // Seeding backward with dLoss/dout in closed form skips building and differentiating the loss graph.
        Autograd.backward(outp, Losses.outputGradient(spec, outp, x, targets));
      } finally {
        Autograd.gradMode(false);
      }
      if (lossOut != null) {
        float[] own = Losses.perSample(spec, outp, x, targets).toFloatArray();
        for (int i = 0; i < rows; i++) {
          lossOut[i] = own[i];
        }
      }
      dot = null;
      sq = null;
      NDArray[][] gw = targetW.get(s);
      NDArray[][] gb = targetB.get(s);
      for (int l = 0; l < layers; l++) {
        if (!options.includes(l)) {
          continue;
        }
        NDArray delta = probes[l].getGradient();
        delta.attach(scope);
        NDArray a = inputs[l];
        // delta_i^T G a_i + delta_i . g = rowsum((A G^T + g) * Delta): one fused matrix product per layer.
        NDArray d;
        if (classStart == null) {
          d = Linear.linear(a, gw[0][l], gb[0][l]).singletonOrThrow().mul(delta).sum(new int[] {1});
        } else {
          NDList parts = new NDList();
          for (int c = 0; c + 1 < classStart.length; c++) {
            int from = classStart[c];
            int to = classStart[c + 1];
            if (to > from) {
              // A class's slice is contracted within a window of at least MIN_BATCH_ROWS rows (the batch has at
              // least that many), so that a small class takes the same path through the product as a large one;
              // the window's rows of other classes are dropped.
              int start = windowStart(from, rows, MIN_BATCH_ROWS);
              int end = windowEnd(to, start, rows, MIN_BATCH_ROWS);
              NDIndex window = new NDIndex("{}:{}", start, end);
              NDArray w = Linear.linear(a.get(window), gw[c][l], gb[c][l]).singletonOrThrow().mul(delta.get(window)).sum(new int[] {1});
              parts.add(start == from && end == to ? w : w.get(new NDIndex("{}:{}", from - start, to - start)));
            }
          }
          d = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts);
        }
        NDArray q;
        if (options.preconditioned()) {
          q = preconditionedSquaredNorms(s, l, a, delta);
        } else {
          NDArray aSq = l == 0 ? xSq : a.square().sum(new int[] {1});
          q = delta.square().sum(new int[] {1}).mul(aSq.add(1f));
        }
        dot = dot == null ? d : dot.add(d);
        sq = sq == null ? q : sq.add(q);
      }
      float[] dots = dot.toFloatArray();
      float[] sqs = sq.toFloatArray();
      double[] sims = new double[rows];
      int[] ranges = classStart == null ? new int[] {0, rows} : classStart;
      for (int c = 0; c + 1 < ranges.length; c++) {
        for (int i = ranges[c]; i < ranges[c + 1]; i++) {
          sims[i] = Similarities.of(options.metric(), dots[i], sqs[i], targetSq[s][c]);
        }
      }
      return sims;
    }
  }

  /**
   * Ghost scoring of a batch against snapshots {@code [from, to)} in one pass: their parameters stacked along a
   * leading axis, the batch broadcast over it, and every layer's products batched ({@code K x B x in} times
   * {@code K x in x out}), so that the engine calls do not grow with the snapshots of the pass. One backward of the
   * summed {@code K * B} per-sample losses gives each row's delta at each snapshot, since those losses are
   * independent. Each snapshot's slice of a batched product is the product the one-snapshot path takes, so a row's
   * value still does not depend on its batch-mates (see {@link #MIN_BATCH_ROWS}).
   *
   * @param lossOut if not null, receives per snapshot of the pass the rows' own losses
   * @return per snapshot of the pass, the rows' similarities
   */
  private double[][] ghostStacked(
      NDManager batch, int from, int to, NDArray x, NDArray targets, NDArray xSq, long[] rowKeys, int rows, int[] classStart,
      double[][] lossOut) {
    int layers = spec.layers();
    int k = to - from;
    try (NDManager scope = batch.newSubManager()) {
      // As in ghost(): the shared batch inputs move into this scope so that their temporaries are freed with it.
      x.tempAttach(scope);
      xSq.tempAttach(scope);
      if (targets != null) {
        targets.tempAttach(scope);
      }
      NDIndex pass = new NDIndex("{}:{}", from, to);
      NDArray[] wt = new NDArray[layers];
      NDArray[] bias = new NDArray[layers];
      for (int l = 0; l < layers; l++) {
        wt[l] = view(scope, stacked.w()[l], pass).transpose(0, 2, 1);
        bias[l] = view(scope, stacked.b()[l], pass);
      }
      NDArray[] probes = new NDArray[layers];
      NDArray[] inputs = new NDArray[layers];
      NDArray[] masks = stackedMasks(scope, from, to, rowKeys, rows);
      int first = firstIncluded();
      for (int l = first; l < layers; l++) {
        probes[l] = bias[l].broadcast(new Shape(k, rows, spec.width(l + 1))).duplicate();
        probes[l].setRequiresGradient(true);
      }
      NDArray xb = x.broadcast(new Shape(k, rows, spec.inputWidth()));
      NDArray outp;
      Autograd.gradMode(true);
      try {
        outp = Network.forwardStacked(spec, xb, wt, bias, masks, probes, inputs);
        Autograd.gradMode(false);
        Autograd.backward(outp, Losses.outputGradient(spec, outp, x, targets));
      } finally {
        Autograd.gradMode(false);
      }
      if (lossOut != null) {
        float[] own = Losses.perSample(spec, outp, x, targets).toFloatArray();
        for (int j = 0; j < k; j++) {
          lossOut[j] = new double[rows];
          for (int i = 0; i < rows; i++) {
            lossOut[j][i] = own[j * rows + i];
          }
        }
      }
      NDArray dot = null;
      NDArray sq = null;
      for (int l = 0; l < layers; l++) {
        if (!options.includes(l)) {
          continue;
        }
        NDArray delta = probes[l].getGradient();
        delta.attach(scope);
        NDArray a = inputs[l];
        NDArray d;
        if (classStart == null) {
          d = contract(a, delta, view(scope, stacked.gw()[0][l], pass).transpose(0, 2, 1), view(scope, stacked.gb()[0][l], pass));
        } else {
          NDList parts = new NDList();
          for (int c = 0; c + 1 < classStart.length; c++) {
            int lo = classStart[c];
            int hi = classStart[c + 1];
            if (hi > lo) {
              // A window of at least minRows rows, as ghost() takes one of MIN_BATCH_ROWS, for the same reason.
              int start = windowStart(lo, rows, minRows);
              int end = windowEnd(hi, start, rows, minRows);
              NDIndex window = new NDIndex(":, {}:{}", start, end);
              NDArray w = contract(a.get(window), delta.get(window), view(scope, stacked.gw()[c][l], pass).transpose(0, 2, 1),
                  view(scope, stacked.gb()[c][l], pass));
              parts.add(start == lo && end == hi ? w : w.get(new NDIndex(":, {}:{}", lo - start, hi - start)));
            }
          }
          d = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 1);
        }
        NDArray q;
        if (options.preconditioned()) {
          q = contract(a.square(), delta.square(), view(scope, stacked.pw()[l], pass).transpose(0, 2, 1), view(scope, stacked.pb()[l], pass));
        } else {
          NDArray aSq = l == 0 ? xSq : a.square().sum(new int[] {2});
          q = delta.square().sum(new int[] {2}).mul(aSq.add(1f));
        }
        dot = dot == null ? d : dot.add(d);
        sq = sq == null ? q : sq.add(q);
      }
      float[] dots = dot.toFloatArray();
      float[] sqs = sq.toFloatArray();
      double[][] sims = new double[k][rows];
      int[] ranges = classStart == null ? new int[] {0, rows} : classStart;
      for (int j = 0; j < k; j++) {
        for (int c = 0; c + 1 < ranges.length; c++) {
          for (int i = ranges[c]; i < ranges[c + 1]; i++) {
            sims[j][i] = Similarities.of(options.metric(), dots[j * rows + i], sqs[j * rows + i], targetSq[from + j][c]);
          }
        }
      }
      return sims;
    }
  }

  /**
   * Per snapshot and row, {@code rowsum((A_k T_k + t_k) o D_k)}: {@code a} {@code K x B x in}, {@code d}
   * {@code K x B x out}, {@code tT} {@code K x in x out}, {@code t} {@code K x 1 x out}; {@code K x B}.
   */
  private static NDArray contract(NDArray a, NDArray d, NDArray tT, NDArray t) {
    return Network.batchedProduct(a, tT).add(t).mul(d).sum(new int[] {2});
  }

  /** A view of a stacked array's snapshots, owned by {@code scope} (the stacked array lives on). */
  private static NDArray view(NDManager scope, NDArray stackedArray, NDIndex pass) {
    NDArray v = stackedArray.get(pass);
    v.attach(scope);
    return v;
  }

  /** Dropout masks of snapshots {@code [from, to)}, {@code K x B x width} per hidden layer: each snapshot's own. */
  private NDArray[] stackedMasks(NDManager scope, int from, int to, long[] rowKeys, int rows) {
    if (!options.trainModeDropout() || spec.dropout() <= 0) {
      return null;
    }
    long[] keys = rowKeys.length == rows ? rowKeys : java.util.Arrays.copyOf(rowKeys, rows);
    NDArray[] masks = new NDArray[spec.layers() - 1];
    for (int l = 0; l < masks.length; l++) {
      int width = spec.width(l + 1);
      float[] all = new float[(to - from) * rows * width];
      for (int s = from; s < to; s++) {
        float[] m = DropoutMasks.mask(Mix.mix(options.seed(), snapshots.get(s).key()), keys, l, width, spec.dropout());
        System.arraycopy(m, 0, all, (s - from) * rows * width, m.length);
      }
      masks[l] = Tensors.floats(scope, all, new Shape(to - from, rows, width));
    }
    return masks;
  }

  /**
   * Per row, layer {@code l}'s share of {@code ||grad_i||_P^2}: {@code (delta_i o delta_i)^T P_W (a_i o a_i) +
   * (delta_i o delta_i) . P_b = rowsum(((A o A) P_W^T + P_b) o (Delta o Delta))}, one fused matrix product.
   */
  private NDArray preconditionedSquaredNorms(int s, int l, NDArray a, NDArray delta) {
    NDArray[][] p = precondition.get(s);
    return Linear.linear(a.square(), p[0][l], p[1][l]).singletonOrThrow().mul(delta.square()).sum(new int[] {1});
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
      masks[l] = Tensors.floats(scope, DropoutMasks.mask(stream, keys, l, width, spec.dropout()), new Shape(rows, width));
    }
    return masks;
  }

  /** Reference path: one backward pass per row, with the full per-sample gradient materialised. */
  private double[] naive(NDManager batch, int s, float[] features, float[] labels, long[] rowKeys, int rows, double[] lossOut) {
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
        NDArray x = Tensors.floats(scope, row, new Shape(1, d));
        NDArray targets = Losses.targets(scope, spec, new float[] {labels == null ? 0f : labels[i]}, 1);
        NDArray[] masks = masks(scope, s, new long[] {rowKeys[i]}, 1);
        Autograd.gradMode(true);
        try {
          NDArray loss = Losses.perSample(spec, net.forward(x, masks, null, null), x, targets).sum();
          if (lossOut != null) {
            lossOut[i] = loss.getFloat();
          }
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
            ParameterSet target = options.withinClass() ? snap.gradientForClass((int) labels[i]) : snap.targetGradient();
            float[] tw = target.weights()[l];
            float[] tb = target.biases()[l];
            if (options.preconditioned()) {
              // The reference takes the full per-sample gradient and the raw target in the metric directly.
              float[] pw = snap.preconditioner().weights()[l];
              float[] pb = snap.preconditioner().biases()[l];
              for (int j = 0; j < gw.length; j++) {
                dot += (double) pw[j] * gw[j] * tw[j];
                sq += (double) pw[j] * gw[j] * gw[j];
              }
              for (int j = 0; j < gb.length; j++) {
                dot += (double) pb[j] * gb[j] * tb[j];
                sq += (double) pb[j] * gb[j] * gb[j];
              }
              continue;
            }
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
      sims[i] = Similarities.of(options.metric(), dot, sq, targetSq[s][options.withinClass() ? (int) labels[i] : 0]);
    }
    return sims;
  }

  @Override
  public void close() {
    root.close();
  }

  /** First row of the window of at least {@code minRows} of {@code rows} rows that holds a class starting at {@code from}. */
  private static int windowStart(int from, int rows, int minRows) {
    return Math.max(0, Math.min(from, rows - minRows));
  }

  /** End (exclusive) of that window, for a class ending at {@code to}. */
  private static int windowEnd(int to, int start, int rows, int minRows) {
    return Math.max(to, Math.min(rows, start + minRows));
  }
}
