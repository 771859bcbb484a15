package org.dvgs.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.Consumer;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.model.Autograd;
import org.dvgs.core.DenseRows;
import org.dvgs.model.DropoutMasks;
import org.dvgs.model.Losses;
import org.dvgs.core.Mix;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.NetworkStack;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.model.Tensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the network on the target set on the driver and emits a {@link Snapshot} every T iterations: the
 * parameters before the step and the target batch gradient that the step uses. Each epoch visits the target in a
 * seeded random order, in batches of the configured size (the last batch of an epoch may be smaller). Dropout is
 * on during training, with masks drawn from (seed, restart, iteration, target row). For within-class scoring a
 * snapshot also carries one target gradient per class (see {@link #classGradients}).
 */
public final class TargetTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(TargetTrainer.class);

  /** Progress callback: restart, epoch, iteration, loss. */
  public interface Progress {
    void update(int restart, int epoch, long iteration, long totalIterations, double loss);
  }

  /**
   * What one restart did.
   *
   * @param restart restart index
   * @param iterations optimizer steps
   * @param snapshots snapshots emitted
   * @param firstLoss loss at the first step
   * @param lastLoss loss at the last step
   * @param seconds wall time
   * @param classFallbacks (snapshot, class) pairs whose batch had no row of the class, so that the class's
   *     within-class gradient is the batch gradient (0 without class gradients)
   */
  public record RestartResult(
      int restart, long iterations, int snapshots, double firstLoss, double lastLoss, double seconds, long classFallbacks) {}

  private final NetworkSpec spec;
  private final TrainingConfig cfg;
  private final boolean classBalanced;
  private final long seed;
  private final Device device;
  private final boolean classGradients;
  private final boolean preconditioner;

  /** A trainer whose snapshots carry the batch gradient only. */
  public TargetTrainer(NetworkSpec spec, TrainingConfig cfg, boolean classBalanced, long seed, Device device) {
    this(spec, cfg, classBalanced, seed, device, false);
  }

  /**
   * A trainer.
   *
   * @param classGradients also keep, in every snapshot, one gradient per class for within-class scoring (classifier
   *     only); see {@link #classGradients}
   */
  public TargetTrainer(NetworkSpec spec, TrainingConfig cfg, boolean classBalanced, long seed, Device device, boolean classGradients) {
    this(spec, cfg, classBalanced, seed, device, classGradients, false);
  }

  /**
   * A trainer.
   *
   * @param classGradients also keep, in every snapshot, one gradient per class for within-class scoring (classifier
   *     only); see {@link #classGradients}
   * @param preconditioner also keep, in every snapshot, Adam's diagonal preconditioner of that step (see
   *     {@link Snapshot#preconditioner()}), for preconditioned scoring; Adam only
   */
  public TargetTrainer(
      NetworkSpec spec, TrainingConfig cfg, boolean classBalanced, long seed, Device device, boolean classGradients, boolean preconditioner) {
    if (preconditioner && cfg.optimizer() != OptimizerKind.ADAM) {
      throw new ConfigValidationException(
          "dvgs.scoring.preconditioner = adam needs dvgs.training.optimizer = adam, got " + cfg.optimizer());
    }
    if (classGradients && spec.task() != Task.CLASSIFIER) {
      throw new IllegalArgumentException("per-class target gradients need a classifier, got " + spec.task());
    }
    this.spec = spec;
    this.cfg = cfg;
    this.classBalanced = classBalanced;
    this.seed = seed;
    this.device = device;
    this.classGradients = classGradients;
    this.preconditioner = preconditioner;
  }

  /** Configured intra-op threads per training thread (0 = derived by the caller). */
  public int intraOpThreads() {
    return cfg.intraOpThreads();
  }

  /** Whether the restarts to train are trained together ({@link #trainStacked}) or each alone on its own thread. */
  public org.dvgs.config.RestartMode restartMode() {
    return cfg.restartMode();
  }

  /** Seed of restart {@code r}, derived from the run seed. */
  public static long restartSeed(long seed, int restart) {
    return Mix.mix(seed, restart, 0x7265737461727473L);
  }

  /** Iterations per epoch for {@code n} target rows. */
  public long iterationsPerEpoch(int n) {
    return iterationsPerEpoch(cfg, n);
  }

  /** Optimizer steps per epoch over {@code n} target rows under {@code cfg}: one per batch, the last one short. */
  public static long iterationsPerEpoch(TrainingConfig cfg, int n) {
    return (n + cfg.batchSize() - 1) / cfg.batchSize();
  }

  /** Per-class loss weights n / (C n_c) from the target labels (0 for a class the target lacks). */
  public static float[] classWeights(float[] labels, int classes) {
    long[] counts = new long[classes];
    for (float y : labels) {
      counts[(int) y]++;
    }
    float[] w = new float[classes];
    for (int c = 0; c < classes; c++) {
      w[c] = counts[c] == 0 ? 0f : (float) ((double) labels.length / ((double) classes * counts[c]));
    }
    return w;
  }

  /** Trains restart {@code restart} and passes each snapshot to {@code sink} in iteration order. */
  public RestartResult train(int restart, DenseRows target, Consumer<Snapshot> sink, Progress progress) {
    return run(restart, target, sink, progress, null);
  }

  /**
   * Trains the given restarts together as one {@link NetworkStack}: one forward and one backward pass per step for
   * all of them, instead of one per restart. Each restart keeps everything it has when trained alone by
   * {@link #train}: its seed, initialisation, epoch orders, dropout masks, loss (class-balanced weights and
   * per-class gradients included) and its own optimizer state, stepped on plain arrays exactly as alone. Since the
   * target and the batch size are shared, every restart's step has the same number of rows (the last batch of an
   * epoch is smaller for all alike), so the batches stack. The snapshots equal those of {@link #train} to float
   * round-off (batched kernels sum in another order), and a restart's snapshots do not depend on which other
   * restarts share its stack.
   *
   * @param restarts restart indices, each at most once
   * @param sinks one per restart, in the same order: receives that restart's snapshots in iteration order
   * @return one result per restart, in the same order; each has the wall time of the whole stack
   */
  public RestartResult[] trainStacked(int[] restarts, DenseRows target, java.util.List<Consumer<Snapshot>> sinks, Progress progress) {
    if (sinks.size() != restarts.length) {
      throw new IllegalArgumentException(restarts.length + " restarts but " + sinks.size() + " snapshot sinks");
    }
    if (java.util.Arrays.stream(restarts).distinct().count() != restarts.length) {
      throw new IllegalArgumentException("a restart is listed twice: " + java.util.Arrays.toString(restarts));
    }
    long t0 = System.nanoTime();
    int k = restarts.length;
    long[] rseeds = new long[k];
    ParameterSet[] params = new ParameterSet[k];
    Optimizer[] opts = new Optimizer[k];
    for (int j = 0; j < k; j++) {
      rseeds[j] = restartSeed(seed, restarts[j]);
      params[j] = ParameterSet.initial(spec, Mix.mix(rseeds[j], 1));
      opts[j] = new Optimizer(cfg);
    }
    float[] weights =
        classBalanced && spec.task() == Task.CLASSIFIER ? classWeights(target.labels(), spec.numClasses()) : null;
    int n = target.rows();
    int d = target.width();
    int bs = Math.min(cfg.batchSize(), n);
    long perEpoch = iterationsPerEpoch(n);
    long total = perEpoch * cfg.epochs();
    long iteration = 0;
    int emitted = 0;
    long[] fallbacks = new long[k];
    double[] firstLoss = new double[k];
    double[] loss = new double[k];
    java.util.Arrays.fill(firstLoss, Double.NaN);
    java.util.Arrays.fill(loss, Double.NaN);
    try (NDManager root = NDManager.newBaseManager(device)) {
      for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
        int[][] orders = new int[k][];
        for (int j = 0; j < k; j++) {
          orders[j] = permutation(n, Mix.mix(rseeds[j], 2, epoch));
        }
        for (int start = 0; start < n; start += bs) {
          int rows = Math.min(bs, n - start);
          float[] x = new float[k * rows * d];
          float[] y = new float[k * rows];
          long[][] keys = new long[k][rows];
          long[] streams = new long[k];
          for (int j = 0; j < k; j++) {
            streams[j] = Mix.mix(rseeds[j], 3, iteration);
            for (int i = 0; i < rows; i++) {
              int r = orders[j][start + i];
              System.arraycopy(target.features(), r * d, x, (j * rows + i) * d, d);
              y[j * rows + i] = target.labels()[r];
              keys[j][i] = r;
            }
          }
          ParameterSet[] grads;
          ParameterSet[][] perClass = null;
          boolean snapshotHere = iteration % cfg.snapshotEvery() == 0;
          try (NDManager step = root.newSubManager();
              NetworkStack net = NetworkStack.upload(step, spec, params, true)) {
            NDArray xs = Tensors.floats(step, x, new Shape(k, rows, d));
            NDArray targets = stackedTargets(step, y, k, rows);
            NDArray[] masks = stackedMasks(step, streams, keys, rows);
            float[] lossValues;
            Autograd.gradMode(true);
            try {
              NDArray per = Losses.perSample(spec, net.forward(xs, masks), xs, targets, 2);
              NDArray lossArr;
              if (weights != null) {
                // Per restart, as alone: sum of w_i l_i over its rows divided by the sum of its rows' weights.
                float[] sw = new float[k * rows];
                float[] totals = new float[k];
                for (int j = 0; j < k; j++) {
                  double total2 = 0;
                  for (int i = 0; i < rows; i++) {
                    sw[j * rows + i] = weights[(int) y[j * rows + i]];
                    total2 += sw[j * rows + i];
                  }
                  totals[j] = (float) total2;
                }
                lossArr = per.mul(Tensors.floats(step, sw, new Shape(k, rows))).sum(new int[] {1}).div(Tensors.floats(step, totals));
              } else {
                lossArr = per.mean(new int[] {1});
              }
              lossValues = lossArr.toFloatArray();
              // The restarts' losses are independent, so the gradient of their sum in slice j is restart j's.
              Autograd.backward(lossArr.sum());
            } finally {
              Autograd.gradMode(false);
            }
            grads = net.gradients();
            for (int j = 0; j < k; j++) {
              loss[j] = lossValues[j];
            }
            if (snapshotHere && classGradients) {
              perClass = stackedClassGradients(net, step, xs, masks, targets, y, k, rows);
            }
          }
          for (int j = 0; j < k; j++) {
            if (!Double.isFinite(loss[j])) {
              throw new ConfigValidationException(
                  "training diverged at restart " + restarts[j] + ", iteration " + iteration + ": target loss = " + loss[j]
                      + "; lower dvgs.training.learning-rate or check the target features for extreme values");
            }
            if (iteration == 0) {
              firstLoss[j] = loss[j];
            }
          }
          for (int j = 0; j < k; j++) {
            Snapshot snap = null;
            if (snapshotHere) {
              snap = new Snapshot(restarts[j], iteration, loss[j], copy(params[j]), grads[j], perClass == null ? null : perClass[j]);
              if (perClass != null) {
                for (ParameterSet g : perClass[j]) {
                  fallbacks[j] += g == null ? 1 : 0;
                }
              }
            }
            opts[j].step(params[j], grads[j]);
            if (snap != null) {
              // As in the restart alone: the preconditioner this step applied.
              sinks.get(j).accept(preconditioner ? snap.withPreconditioner(opts[j].preconditioner()) : snap);
            }
          }
          if (snapshotHere) {
            emitted++;
          }
          iteration++;
          if (progress != null) {
            for (int j = 0; j < k; j++) {
              progress.update(restarts[j], epoch, iteration, total, loss[j]);
            }
          }
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    RestartResult[] out = new RestartResult[k];
    for (int j = 0; j < k; j++) {
      LOG.info(
          "restart {}: {} iterations, {} snapshots, target loss {} -> {} ({} s for the {} restarts trained together)",
          restarts[j], iteration, emitted, String.format("%.4f", firstLoss[j]), String.format("%.4f", loss[j]),
          String.format("%.1f", secs), k);
      if (fallbacks[j] > 0) {
        LOG.warn(
            "restart {}: {} of {} per-class target gradients fell back to the batch gradient (the class had no row in "
                + "that step's target batch); a larger dvgs.training.batch-size avoids this",
            restarts[j], fallbacks[j], (long) emitted * spec.numClasses());
      }
      out[j] = new RestartResult(restarts[j], iteration, emitted, firstLoss[j], loss[j], secs, fallbacks[j]);
    }
    return out;
  }

  /**
   * Trains a fresh model on {@code data} (restart {@code restart}'s initialisation and batch order) and returns
   * its final parameters, without snapshots: used to retrain on filtered data in experiments.
   */
  public ParameterSet fit(int restart, DenseRows data) {
    ParameterSet[] last = new ParameterSet[1];
    run(restart, data, null, null, last);
    return last[0];
  }

  private RestartResult run(int restart, DenseRows target, Consumer<Snapshot> sink, Progress progress, ParameterSet[] last) {
    long t0 = System.nanoTime();
    long rseed = restartSeed(seed, restart);
    ParameterSet params = ParameterSet.initial(spec, Mix.mix(rseed, 1));
    Optimizer opt = new Optimizer(cfg);
    float[] weights =
        classBalanced && spec.task() == Task.CLASSIFIER ? classWeights(target.labels(), spec.numClasses()) : null;
    int n = target.rows();
    int d = target.width();
    int bs = Math.min(cfg.batchSize(), n);
    long perEpoch = iterationsPerEpoch(n);
    long total = perEpoch * cfg.epochs();
    long iteration = 0;
    int emitted = 0;
    long fallbacks = 0;
    double firstLoss = Double.NaN;
    double loss = Double.NaN;
    try (NDManager root = NDManager.newBaseManager(device)) {
      for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
        int[] order = permutation(n, Mix.mix(rseed, 2, epoch));
        for (int start = 0; start < n; start += bs) {
          int rows = Math.min(bs, n - start);
          float[] x = new float[rows * d];
          float[] y = new float[rows];
          long[] keys = new long[rows];
          for (int i = 0; i < rows; i++) {
            int r = order[start + i];
            System.arraycopy(target.features(), r * d, x, i * d, d);
            y[i] = target.labels()[r];
            keys[i] = r;
          }
          ParameterSet grad;
          ParameterSet[] perClass = null;
          boolean snapshotHere = sink != null && iteration % cfg.snapshotEvery() == 0;
          try (NDManager step = root.newSubManager();
              Network net = Network.upload(step, spec, params, true)) {
            NDArray xs = Tensors.floats(step, x, new Shape(rows, d));
            NDArray targets = Losses.targets(step, spec, y, rows);
            NDArray[] masks = masks(step, Mix.mix(rseed, 3, iteration), keys, rows);
            Autograd.gradMode(true);
            try {
              NDArray per = Losses.perSample(spec, net.forward(xs, masks, null, null), xs, targets);
              NDArray lossArr;
              if (weights != null) {
                float[] sw = new float[rows];
                double total2 = 0;
                for (int i = 0; i < rows; i++) {
                  sw[i] = weights[(int) y[i]];
                  total2 += sw[i];
                }
                // The divisor is a tensor of the step's scope, not div(Number): see Tensors.scalar.
                lossArr = per.mul(Tensors.floats(step, sw)).sum().div(Tensors.scalar(step, (float) total2));
              } else {
                lossArr = per.mean();
              }
              loss = lossArr.getFloat();
              Autograd.backward(lossArr);
            } finally {
              Autograd.gradMode(false);
            }
            grad = net.gradients();
            if (snapshotHere && classGradients) {
              perClass = classGradients(net, step, x, y, keys, rows, Mix.mix(rseed, 3, iteration));
            }
          }
          if (!Double.isFinite(loss)) {
            throw new ConfigValidationException(
                "training diverged at restart " + restart + ", iteration " + iteration + ": target loss = " + loss
                    + "; lower dvgs.training.learning-rate or check the target features for extreme values");
          }
          if (iteration == 0) {
            firstLoss = loss;
          }
          Snapshot snap = null;
          if (snapshotHere) {
            snap = new Snapshot(restart, iteration, loss, copy(params), grad, perClass);
            emitted++;
            if (perClass != null) {
              for (ParameterSet g : perClass) {
                fallbacks += g == null ? 1 : 0;
              }
            }
          }
          opt.step(params, grad);
          if (snap != null) {
            // The preconditioner is the one this step applied: its second moment already holds this step's gradient.
            sink.accept(preconditioner ? snap.withPreconditioner(opt.preconditioner()) : snap);
          }
          iteration++;
          if (progress != null) {
            progress.update(restart, epoch, iteration, total, loss);
          }
        }
      }
    }
    if (last != null) {
      last[0] = params;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    LOG.info(
        "restart {}: {} iterations, {} snapshots, target loss {} -> {} ({} s)",
        restart, iteration, emitted, String.format("%.4f", firstLoss), String.format("%.4f", loss), String.format("%.1f", secs));
    if (fallbacks > 0) {
      LOG.warn(
          "restart {}: {} of {} per-class target gradients fell back to the batch gradient (the class had no row in that "
              + "step's target batch); a larger dvgs.training.batch-size avoids this",
          restart, fallbacks, (long) emitted * spec.numClasses());
    }
    return new RestartResult(restart, iteration, emitted, firstLoss, loss, secs, fallbacks);
  }

  /**
   * The per-class target gradients of one step, at the same parameters and with the same dropout masks as the batch
   * gradient: for each class c, the gradient of the mean per-sample loss over the batch rows labelled c. This is
   * the batch loss restricted to class c. Class-balanced weights give every row of one class the same weight, so
   * they cancel inside a class and leave the plain mean; the batch gradient is the weighted sum of the class
   * gradients, {@code sum_c (W_c / W) G_c} with {@code W_c} the total weight of the class's rows. A class without
   * rows in the batch has no gradient (null): within-class scoring then compares that class's rows with the batch
   * gradient of that checkpoint (see {@link Snapshot#gradientForClass(int)}).
   *
   * @param stream the step's dropout stream; masks depend only on (stream, row key), so each row gets the mask it
   *     had in the batch pass
   */
  private ParameterSet[] classGradients(Network net, NDManager step, float[] x, float[] y, long[] keys, int rows, long stream) {
    int classes = spec.numClasses();
    int d = spec.inputWidth();
    int[] counts = new int[classes];
    for (int i = 0; i < rows; i++) {
      counts[(int) y[i]]++;
    }
    ParameterSet[] out = new ParameterSet[classes];
    for (int c = 0; c < classes; c++) {
      int m = counts[c];
      if (m == 0) {
        continue;
      }
      float[] xc = new float[m * d];
      float[] yc = new float[m];
      long[] kc = new long[m];
      int j = 0;
      for (int i = 0; i < rows; i++) {
        if ((int) y[i] == c) {
          System.arraycopy(x, i * d, xc, j * d, d);
          yc[j] = c;
          kc[j] = keys[i];
          j++;
        }
      }
      net.zeroGradients();
      try (NDManager scope = step.newSubManager()) {
        NDArray xs = Tensors.floats(scope, xc, new Shape(m, d));
        NDArray targets = Losses.targets(scope, spec, yc, m);
        NDArray[] masks = masks(scope, stream, kc, m);
        Autograd.gradMode(true);
        try {
          Autograd.backward(Losses.perSample(spec, net.forward(xs, masks, null, null), xs, targets).mean());
        } finally {
          Autograd.gradMode(false);
        }
        out[c] = net.gradients();
      }
    }
    net.zeroGradients();
    return out;
  }

  /**
   * The per-class target gradients of one stacked step (see {@link #classGradients}), per restart: for class c,
   * the gradient of the mean loss over each restart's rows of class c. Every restart has its own class counts, so
   * instead of forwarding each restart's class rows alone (sizes would differ across the stack), the whole stacked
   * batch is forwarded once per class with the rows of other classes weighted 0: rows never interact (dropout and
   * normalisation act within a row), so this is the same loss and gradient, to float round-off. A restart without
   * rows of the class gets null for it, as alone.
   */
  private ParameterSet[][] stackedClassGradients(
      NetworkStack net, NDManager step, NDArray xs, NDArray[] masks, NDArray targets, float[] y, int k, int rows) {
    int classes = spec.numClasses();
    ParameterSet[][] out = new ParameterSet[k][classes];
    for (int c = 0; c < classes; c++) {
      float[] ind = new float[k * rows];
      float[] counts = new float[k];
      boolean any = false;
      for (int j = 0; j < k; j++) {
        int m = 0;
        for (int i = 0; i < rows; i++) {
          if ((int) y[j * rows + i] == c) {
            ind[j * rows + i] = 1f;
            m++;
          }
        }
        // A restart without rows of the class divides its zero sum by 1: a zero gradient, not kept.
        counts[j] = Math.max(1, m);
        any |= m > 0;
      }
      if (!any) {
        continue;
      }
      net.zeroGradients();
      try (NDManager scope = step.newSubManager()) {
        NDArray weight = Tensors.floats(scope, ind, new Shape(k, rows));
        Autograd.gradMode(true);
        try {
          NDArray per = Losses.perSample(spec, net.forward(xs, masks), xs, targets, 2);
          NDArray perRestart = per.mul(weight).sum(new int[] {1}).div(Tensors.floats(scope, counts));
          Autograd.backward(perRestart.sum());
        } finally {
          Autograd.gradMode(false);
        }
        ParameterSet[] g = net.gradients();
        for (int j = 0; j < k; j++) {
          boolean present = false;
          for (int i = 0; i < rows && !present; i++) {
            present = ind[j * rows + i] != 0f;
          }
          out[j][c] = present ? g[j] : null;
        }
      }
    }
    net.zeroGradients();
    return out;
  }

  private NDArray stackedTargets(NDManager m, float[] y, int k, int rows) {
    NDArray flat = Losses.targets(m, spec, y, k * rows);
    return flat == null ? null : flat.reshape(new Shape(k, rows, flat.getShape().get(1)));
  }

  private NDArray[] stackedMasks(NDManager m, long[] streams, long[][] keys, int rows) {
    if (spec.dropout() <= 0) {
      return null;
    }
    int k = streams.length;
    NDArray[] masks = new NDArray[spec.layers() - 1];
    for (int l = 0; l < masks.length; l++) {
      int w = spec.width(l + 1);
      float[] all = new float[k * rows * w];
      for (int j = 0; j < k; j++) {
        System.arraycopy(DropoutMasks.mask(streams[j], keys[j], l, w, spec.dropout()), 0, all, j * rows * w, rows * w);
      }
      masks[l] = Tensors.floats(m, all, new Shape(k, rows, w));
    }
    return masks;
  }

  private NDArray[] masks(NDManager m, long stream, long[] keys, int rows) {
    if (spec.dropout() <= 0) {
      return null;
    }
    NDArray[] masks = new NDArray[spec.layers() - 1];
    for (int l = 0; l < masks.length; l++) {
      int w = spec.width(l + 1);
      masks[l] = Tensors.floats(m, DropoutMasks.mask(stream, keys, l, w, spec.dropout()), new Shape(rows, w));
    }
    return masks;
  }

  private static ParameterSet copy(ParameterSet p) {
    float[][] w = new float[p.layers()][];
    float[][] b = new float[p.layers()][];
    for (int l = 0; l < p.layers(); l++) {
      w[l] = p.weights()[l].clone();
      b[l] = p.biases()[l].clone();
    }
    return new ParameterSet(w, b);
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
