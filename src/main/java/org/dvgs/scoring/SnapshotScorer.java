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
import org.dvgs.model.StackedNetwork;
import org.dvgs.model.Tensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Each instance owns a native memory scope; every batch runs in a sub-scope closed before returning, so only
 * plain Java arrays leave.
 */
public final class SnapshotScorer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotScorer.class);

  /**
   * Fewest rows any matrix product of the ghost path is computed with. MKL computes products of fewer than four
   * rows by another code path whose rounding differs from that of larger ones, while from four rows on each row's
   * result is the same whatever the other rows are (measured for every layer shape of the shipped configs, at 1 to 8
   * threads, under {@code MKL_CBWR=AUTO,STRICT}). Computing at least this many rows at once therefore makes a row's
   * value independent of which rows share its batch, and so of the partitioning; 8 leaves a margin.
   */
  public static final int MIN_BATCH_ROWS = 8;

  /**
   * Rows of a stacked pass are padded to a multiple of this. PyTorch's element-wise kernels run two AVX-512 vectors
   * (32 floats) at a time and finish a tensor's last elements one by one, with other rounding for the
   * transcendental functions (Mish, tanh); with {@code rows * width} a multiple of 32 for every slice no element of
   * any slice falls in such a tail, whatever the number of stacked snapshots.
   */
  public static final int STACK_ROW_ALIGNMENT = 32;

  /**
   * Below this many multiply-adds ({@code rows * in * out}) PyTorch's batched product switches from the BLAS
   * product to a plain loop, which rounds differently; a stacked pass pads its rows (and within-class windows) so
   * that every product stays on one side of it whatever the batch holds.
   */
  static final int SMALL_PRODUCT_MULTIPLY_ADDS = 400;

  /**
   * Float tensors of {@code rows x width} a stacked pass keeps alive per snapshot and layer at its peak: the
   * forward intermediates the backward pass needs (pre-activation, normalisation steps, activation, dropout), the
   * probe, its gradient, and the contraction's temporaries. An upper bound used to size K.
   */
  static final int STACK_TENSORS_PER_LAYER = 12;

  /**
   * Most rows of all stacked snapshots together in one pass ({@code K x paddedRows}). Stacking saves the engine's
   * per-call overhead, which matters for small batches; past about this many rows the pass's tensors leave the
   * processor's caches and a pass gets slower per row than one snapshot at a time (measured on the Adult shapes,
   * 108-100-100-2: 64 rows x 16 snapshots about twice the per-snapshot rate, 128 x 16 and 512 x 2 slower than it).
   */
  static final int STACK_ROWS = 1024;

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
  /** Whether ghost scoring runs checkpoint-batched (see {@link #stackedScore}); false for naive scoring. */
  private final boolean stacked;
  /** Memory budget of one stacked pass, in bytes. */
  private final long stackBytes;
  /** Stacked groups of consecutive snapshots, built on the first batch (their size depends on its rows). */
  private List<Group> groups;
  /** Told the sample-checkpoints of each pass (or snapshot) as it finishes; null for none. */
  private java.util.function.LongConsumer progress;

  /**
   * Uploads the snapshots. Ghost scoring stacks all of them into one pass; use
   * {@link #SnapshotScorer(NetworkSpec, List, ScoringOptions, Device, long)} to bound the pass's memory.
   *
   * @param device where to compute
   */
  public SnapshotScorer(NetworkSpec spec, List<Snapshot> snapshots, ScoringOptions options, Device device) {
    this(spec, snapshots, options, device, Long.MAX_VALUE, true);
  }

  /**
   * Uploads the snapshots; ghost scoring stacks as many as fit {@code memoryBytes} per pass (see
   * {@link #snapshotsPerPass}).
   *
   * @param device where to compute
   * @param memoryBytes memory budget of one stacked pass (parameters, target gradients and activations)
   */
  public SnapshotScorer(NetworkSpec spec, List<Snapshot> snapshots, ScoringOptions options, Device device, long memoryBytes) {
    this(spec, snapshots, options, device, memoryBytes, true);
  }

  /**
   * The reference: ghost scoring one snapshot at a time, one set of products per layer and snapshot, as before
   * checkpoint batching. Values agree with the stacked path to rounding; kept to check it.
   */
  static SnapshotScorer perSnapshot(NetworkSpec spec, List<Snapshot> snapshots, ScoringOptions options, Device device) {
    return new SnapshotScorer(spec, snapshots, options, device, Long.MAX_VALUE, false);
  }

  private SnapshotScorer(NetworkSpec spec, List<Snapshot> snapshots, ScoringOptions options, Device device, long memoryBytes, boolean stack) {
    this.spec = spec;
    this.options = options;
    this.snapshots = List.copyOf(snapshots);
    this.root = NDManager.newBaseManager(device);
    this.targetSq = new double[snapshots.size()][];
    // Fallback to the per-snapshot path: naive scoring (one backward pass per row by definition), and networks with
    // a hidden layer of width 1 (see StackedNetwork.stackable).
    this.stacked = stack && options.method() == ScoringMethod.GHOST && StackedNetwork.stackable(spec);
    this.stackBytes = memoryBytes;
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
        targetSq[s] = new double[targets];
        for (int c = 0; c < targets; c++) {
          targetSq[s][c] = options.withinClass() ? snap.classSquaredNorm(c, options.layers()) : snap.targetSquaredNorm(options.layers());
        }
        if (stacked) {
          continue; // uploaded in stacks on the first batch
        }
        Network net = Network.upload(root, spec, snap.parameters(), naive);
        networks.add(net);
        NDArray[][] gw = new NDArray[targets][];
        NDArray[][] gb = new NDArray[targets][];
        NDArray[][] batchGradient = null;
        for (int c = 0; c < targets; c++) {
          ParameterSet g = options.withinClass() ? snap.gradientForClass(c) : snap.targetGradient();
          NDArray[][] up;
          if (g == snap.targetGradient()) {
            // Classes that fall back to the batch gradient share one upload of it.
            batchGradient = batchGradient == null ? upload(net.manager(), g) : batchGradient;
            up = batchGradient;
          } else {
            up = upload(net.manager(), g);
          }
          gw[c] = up[0];
          gb[c] = up[1];
        }
        targetW.add(gw);
        targetB.add(gb);
      }
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
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
    if (options.withinClass()) {
      checkLabels(labels, rows);
    }
    if (stacked) {
      return options.withinClass() ? ghostWithinClass(features, labels, rowKeys, rows) : stackedScore(features, labels, rowKeys, rows, null);
    }
    if (options.method() == ScoringMethod.GHOST && rows < MIN_BATCH_ROWS) {
      // A partition's last batch can be a handful of rows: computed alone, its rows would take another path
      // through the matrix products (see MIN_BATCH_ROWS) and get values that depend on how the source was
      // partitioned. Padding rows (zero features, class 0) are computed and dropped.
      int d = spec.inputWidth();
      float[] f = java.util.Arrays.copyOf(features, MIN_BATCH_ROWS * d);
      java.util.Arrays.fill(f, rows * d, f.length, 0f);
      float[] y = labels == null ? null : java.util.Arrays.copyOf(labels, MIN_BATCH_ROWS);
      if (y != null) {
        java.util.Arrays.fill(y, rows, y.length, 0f);
      }
      long[] k = java.util.Arrays.copyOf(rowKeys, MIN_BATCH_ROWS);
      double[][] padded = ghostBatch(f, y, k, MIN_BATCH_ROWS);
      double[][] out = new double[padded.length][];
      for (int s = 0; s < padded.length; s++) {
        out[s] = java.util.Arrays.copyOf(padded[s], rows);
      }
      return out;
    }
    return options.method() == ScoringMethod.GHOST ? ghostBatch(features, labels, rowKeys, rows) : score(features, labels, rowKeys, rows, null);
  }

  /** Ghost scoring of a batch of at least {@link #MIN_BATCH_ROWS} rows. */
  private double[][] ghostBatch(float[] features, float[] labels, long[] rowKeys, int rows) {
    return options.withinClass() ? ghostWithinClass(features, labels, rowKeys, rows) : score(features, labels, rowKeys, rows, null);
  }

  /**
   * Within-class ghost scoring: the rows are put in label order (a stable counting sort), scored with one slice
   * per class, and the similarities put back in the caller's row order.
   */
  private double[][] ghostWithinClass(float[] features, float[] labels, long[] rowKeys, int rows) {
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
    double[][] sorted = stacked ? stackedScore(f, y, k, rows, start) : score(f, y, k, rows, start);
    double[][] out = new double[sorted.length][rows];
    for (int s = 0; s < sorted.length; s++) {
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
   */
  private double[][] score(float[] features, float[] labels, long[] rowKeys, int rows, int[] classStart) {
    double[][] out = new double[snapshots.size()][];
    try (NDManager batch = root.newSubManager()) {
      if (options.method() == ScoringMethod.GHOST) {
        NDArray x = Tensors.floats(batch, features, new Shape(rows, spec.inputWidth()));
        NDArray targets = Losses.targets(batch, spec, labels, rows);
        NDArray xSq = x.square().sum(new int[] {1});
        for (int s = 0; s < snapshots.size(); s++) {
          out[s] = ghost(batch, s, x, targets, xSq, rowKeys, rows, classStart);
          if (progress != null) {
            progress.accept(rows);
          }
        }
      } else {
        for (int s = 0; s < snapshots.size(); s++) {
          out[s] = naive(batch, s, features, labels, rowKeys, rows);
          if (progress != null) {
            progress.accept(rows);
          }
        }
      }
    }
    return out;
  }

  private double[] ghost(NDManager batch, int s, NDArray x, NDArray targets, NDArray xSq, long[] rowKeys, int rows, int[] classStart) {
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
      Autograd.gradMode(true);
      try {
        NDArray outp = net.forward(x, masks, probes, inputs);
        Autograd.gradMode(false);
        // Seeding backward with dLoss/dout in closed form skips building and differentiating the loss graph.
        Autograd.backward(outp, Losses.outputGradient(spec, outp, x, targets));
      } finally {
        Autograd.gradMode(false);
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
              int start = Math.max(0, Math.min(from, rows - MIN_BATCH_ROWS));
              int end = Math.max(to, Math.min(rows, start + MIN_BATCH_ROWS));
              NDIndex window = new NDIndex("{}:{}", start, end);
              NDArray w = Linear.linear(a.get(window), gw[c][l], gb[c][l]).singletonOrThrow().mul(delta.get(window)).sum(new int[] {1});
              parts.add(start == from && end == to ? w : w.get(new NDIndex("{}:{}", from - start, to - start)));
            }
          }
          d = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts);
        }
        NDArray aSq = l == 0 ? xSq : a.square().sum(new int[] {1});
        NDArray q = delta.square().sum(new int[] {1}).mul(aSq.add(1f));
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

  /** One pass's worth of consecutive snapshots: {@code targets[t][0 | 1][layer]} their stacked target gradients. */
  private record Group(int first, int size, StackedNetwork net, NDArray[][][] targets) {}

  /**
   * Fewest rows a stacked pass computes, and fewest rows of a within-class window: at least {@link #MIN_BATCH_ROWS},
   * and enough that no layer's product falls below {@link #SMALL_PRODUCT_MULTIPLY_ADDS}.
   */
  static int minimumRows(NetworkSpec spec) {
    long min = MIN_BATCH_ROWS;
    for (int l = 0; l < spec.layers(); l++) {
      long perRow = (long) spec.width(l) * spec.width(l + 1);
      min = Math.max(min, (SMALL_PRODUCT_MULTIPLY_ADDS + perRow - 1) / perRow);
    }
    return (int) min;
  }

  /**
   * Rows a stacked pass computes for a batch of {@code rows}: at least {@link #minimumRows}, rounded up to a
   * multiple of {@link #STACK_ROW_ALIGNMENT}. The padding rows (zero features, class 0) are computed and dropped; a
   * real row's value then depends neither on the other rows of its batch nor on how many snapshots share the pass.
   */
  public static int paddedRows(NetworkSpec spec, int rows) {
    long n = Math.max(rows, minimumRows(spec));
    return (int) ((n + STACK_ROW_ALIGNMENT - 1) / STACK_ROW_ALIGNMENT * STACK_ROW_ALIGNMENT);
  }

  /**
   * How many snapshots share one stacked pass (K): as many as fit {@code budgetBytes}, and no more than make
   * {@link #STACK_ROWS} rows in all; at least one. A snapshot costs its parameters and target gradients, and
   * {@link #STACK_TENSORS_PER_LAYER} float tensors of {@code paddedRows x width} per linear layer.
   *
   * @param targets target gradients per snapshot (1, or the classes with within-class scoring)
   * @param paddedRows rows of the pass ({@link #paddedRows})
   */
  public static int snapshotsPerPass(NetworkSpec spec, int targets, int paddedRows, long budgetBytes) {
    long byMemory = budgetBytes / bytesPerSnapshot(spec, targets, paddedRows);
    long byCache = Math.max(1, STACK_ROWS / paddedRows);
    return (int) Math.max(1, Math.min(byMemory, byCache));
  }

  /** What one snapshot costs a stacked pass (see {@link #snapshotsPerPass}). */
  static long bytesPerSnapshot(NetworkSpec spec, int targets, int paddedRows) {
    long widths = 0;
    for (int l = 1; l <= spec.layers(); l++) {
      widths += spec.width(l);
    }
    return 4L * (1 + targets) * spec.parameterCount() + 4L * paddedRows * STACK_TENSORS_PER_LAYER * widths;
  }

  /** The stacked groups, uploaded on the first call (sized for that batch's rows) and kept. */
  private List<Group> groups(int paddedRows) {
    if (groups != null) {
      return groups;
    }
    int n = snapshots.size();
    int targets = options.withinClass() ? spec.numClasses() : 1;
    int k = snapshotsPerPass(spec, targets, paddedRows, stackBytes);
    int passes = n == 0 ? 0 : (n - 1) / k + 1;
    List<Group> out = new ArrayList<>(passes);
    for (int g = 0; g < passes; g++) {
      // Even groups (sizes differ by at most one) rather than full groups and a small remainder.
      int from = (int) ((long) g * n / passes);
      int to = (int) ((long) (g + 1) * n / passes);
      List<Snapshot> part = snapshots.subList(from, to);
      List<ParameterSet> params = new ArrayList<>(part.size());
      for (Snapshot snap : part) {
        params.add(snap.parameters());
      }
      StackedNetwork net = StackedNetwork.upload(root, spec, params);
      NDArray[][][] t = new NDArray[targets][][];
      for (int c = 0; c < targets; c++) {
        List<ParameterSet> sets = new ArrayList<>(part.size());
        for (Snapshot snap : part) {
          sets.add(options.withinClass() ? snap.gradientForClass(c) : snap.targetGradient());
        }
        t[c] = StackedNetwork.uploadStacked(net.manager(), spec, sets, options.layers());
      }
      out.add(new Group(from, to - from, net, t));
    }
    groups = out;
    LOG.debug("stacked ghost scoring: {} snapshots in {} passes of up to {} (rows {})", n, passes, k, paddedRows);
    return groups;
  }

  /**
   * Reports the sample-checkpoints (rows times snapshots) of each stacked pass, or of each snapshot on the
   * per-snapshot and naive paths, as it finishes, so that progress shows within a batch.
   */
  public void onProgress(java.util.function.LongConsumer progress) {
    this.progress = progress;
  }

  /** Snapshots per stacked pass once the first batch was scored (0 before, or for the per-snapshot path). */
  int stackSize() {
    int k = 0;
    for (Group g : groups == null ? List.<Group>of() : groups) {
      k = Math.max(k, g.size());
    }
    return k;
  }

  /**
   * Checkpoint-batched ghost scoring: the batch is scored against each group of K snapshots in one forward pass, one
   * backward pass and one contraction per layer, each a batched product over the K stacked snapshots.
   *
   * @param classStart as for {@link #score(float[], float[], long[], int, int[])}
   */
  private double[][] stackedScore(float[] features, float[] labels, long[] rowKeys, int rows, int[] classStart) {
    int padded = paddedRows(spec, rows);
    int d = spec.inputWidth();
    float[] f = java.util.Arrays.copyOf(features, padded * d);
    java.util.Arrays.fill(f, Math.min(rows * d, f.length), f.length, 0f);
    float[] y = null;
    if (labels != null) {
      y = java.util.Arrays.copyOf(labels, padded);
      java.util.Arrays.fill(y, rows, padded, 0f);
    }
    long[] keys = java.util.Arrays.copyOf(rowKeys, padded);
    java.util.Arrays.fill(keys, Math.min(rows, rowKeys.length), padded, 0L);
    double[][] out = new double[snapshots.size()][];
    try (NDManager batch = root.newSubManager()) {
      NDArray x = Tensors.floats(batch, f, new Shape(padded, d));
      NDArray targets = Losses.targets(batch, spec, y, padded);
      NDArray xSq = x.square().sum(new int[] {1});
      for (Group g : groups(padded)) {
        stackedGroup(batch, g, x, targets, xSq, keys, rows, padded, classStart, out);
      }
    }
    return out;
  }

  private void stackedGroup(
      NDManager batch, Group g, NDArray x, NDArray targets, NDArray xSq, long[] keys, int rows, int padded, int[] classStart, double[][] out) {
    int layers = spec.layers();
    try (NDManager scope = batch.newSubManager()) {
      // As in ghost(): the shared batch inputs move into this scope, so the group's temporaries follow them.
      x.tempAttach(scope);
      xSq.tempAttach(scope);
      if (targets != null) {
        targets.tempAttach(scope);
      }
      StackedNetwork net = g.net();
      NDArray[] probes = new NDArray[layers];
      NDArray[] inputs = new NDArray[layers];
      NDArray[] masks = stackedMasks(scope, g, keys);
      for (int l = firstIncluded(); l < layers; l++) {
        probes[l] = net.probe(scope, l, padded);
      }
      Autograd.gradMode(true);
      try {
        NDArray outp = net.forward(x, masks, probes, inputs);
        Autograd.gradMode(false);
        Autograd.backward(outp, Losses.outputGradient(spec, outp, x, targets, 2));
      } finally {
        Autograd.gradMode(false);
      }
      NDArray dot = null;
      NDArray sq = null;
      int window = minimumRows(spec);
      for (int l = 0; l < layers; l++) {
        if (!options.includes(l)) {
          continue;
        }
        NDArray delta = probes[l].getGradient();
        delta.attach(scope);
        NDArray a = inputs[l];
        NDArray d;
        if (classStart == null) {
          // rowsum((A G^T + g) * Delta) per snapshot: one batched product per layer.
          d = StackedNetwork.batched(a, g.targets()[0][0][l], spec.width(l + 1)).add(g.targets()[0][1][l]).mul(delta).sum(new int[] {2});
        } else {
          NDList parts = new NDList();
          for (int c = 0; c + 1 < classStart.length; c++) {
            int from = classStart[c];
            int to = classStart[c + 1];
            if (to > from) {
              // As in ghost(), a class is contracted in a window of at least `window` rows, so that a small class
              // takes the same path through the product as a large one.
              int start = Math.max(0, Math.min(from, padded - window));
              int end = Math.max(to, Math.min(padded, start + window));
              NDArray aw = l == 0 ? a.get(new NDIndex("{}:{}", start, end)) : a.get(new NDIndex(":, {}:{}", start, end));
              NDArray w = StackedNetwork.batched(aw, g.targets()[c][0][l], spec.width(l + 1)).add(g.targets()[c][1][l])
                  .mul(delta.get(new NDIndex(":, {}:{}", start, end))).sum(new int[] {2});
              parts.add(start == from && end == to ? w : w.get(new NDIndex(":, {}:{}", from - start, to - start)));
            }
          }
          d = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 1);
        }
        NDArray aSq = l == 0 ? xSq : a.square().sum(new int[] {2});
        NDArray q = delta.square().sum(new int[] {2}).mul(aSq.add(1f));
        dot = dot == null ? d : dot.add(d);
        sq = sq == null ? q : sq.add(q);
      }
      float[] dots = dot.toFloatArray();
      float[] sqs = sq.toFloatArray();
      // Within-class contractions cover the real rows only; the squared norms cover the padded pass.
      int dotWidth = classStart == null ? padded : rows;
      int[] ranges = classStart == null ? new int[] {0, rows} : classStart;
      for (int k = 0; k < g.size(); k++) {
        int s = g.first() + k;
        double[] sims = new double[rows];
        for (int c = 0; c + 1 < ranges.length; c++) {
          for (int i = ranges[c]; i < ranges[c + 1]; i++) {
            sims[i] = Similarities.of(options.metric(), dots[k * dotWidth + i], sqs[k * padded + i], targetSq[s][c]);
          }
        }
        out[s] = sims;
      }
    }
    if (progress != null) {
      progress.accept((long) rows * g.size());
    }
  }

  /** Per hidden layer, the {@code K x rows x width} dropout masks of a group (each snapshot's own stream). */
  private NDArray[] stackedMasks(NDManager scope, Group g, long[] keys) {
    if (!options.trainModeDropout() || spec.dropout() <= 0) {
      return null;
    }
    int rows = keys.length;
    NDArray[] masks = new NDArray[spec.layers() - 1];
    for (int l = 0; l < masks.length; l++) {
      int width = spec.width(l + 1);
      float[] m = new float[g.size() * rows * width];
      for (int k = 0; k < g.size(); k++) {
        long stream = Mix.mix(options.seed(), snapshots.get(g.first() + k).key());
        System.arraycopy(DropoutMasks.mask(stream, keys, l, width, spec.dropout()), 0, m, k * rows * width, rows * width);
      }
      masks[l] = Tensors.floats(scope, m, new Shape(g.size(), rows, width));
    }
    return masks;
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
        NDArray x = Tensors.floats(scope, row, new Shape(1, d));
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
            ParameterSet target = options.withinClass() ? snap.gradientForClass((int) labels[i]) : snap.targetGradient();
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
      sims[i] = Similarities.of(options.metric(), dot, sq, targetSq[s][options.withinClass() ? (int) labels[i] : 0]);
    }
    return sims;
  }

  @Override
  public void close() {
    root.close();
  }
}
