package org.dvgs.baselines;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.Task;
import org.dvgs.core.Stats;
import org.dvgs.core.DenseRows;
import org.dvgs.core.Mix;
import org.dvgs.model.Autograd;
import org.dvgs.model.Losses;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Tensors;
import org.dvgs.training.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DVRL, data valuation with reinforcement learning (Yoon, Arik and Pfister, ICML 2020). A data-value estimator
 * network {@code h(x, y, |y - f_val(x)|)} gives every source row a selection probability. Each outer iteration
 * samples a batch of source rows, draws a selection {@code s_i ~ Bernoulli(h_i)}, trains a predictor from a fixed
 * initialisation on the selected rows only, and rewards the selection with the predictor's performance on the target
 * set (minus cross-entropy for a classifier, minus squared error for a regressor) less a moving-average baseline.
 * The estimator then takes one Adam step on {@code -reward * sum_i log P(s_i | h_i)} plus a penalty keeping the
 * batch's mean selection probability inside {@code [epsilon, 1 - epsilon]}. {@code f_val} is the predictor trained
 * on the target set first; its error on a source row is the estimator's third input. A row's value is its final
 * selection probability.
 *
 * <p>Everything runs on the driver with DJL: the source is collected ({@link SourceRows#collect}, bounded by
 * {@code dvgs.evaluation.baselines.max-rows}). Every random choice (initialisations, batches, selections, predictor
 * mini-batches) derives from the experiment seed, so the same seed gives the same values. Each outer iteration's
 * tensors live in one NDManager scope closed at its end, so native memory stays flat.
 */
public final class Dvrl implements ValuationMethod {
  private static final Logger LOG = LoggerFactory.getLogger(Dvrl.class);
  /** Keeps log(h) and log(1 - h) finite, as the paper's code does. */
  private static final float LOG_EPS = 1e-8f;

  @Override
  public String name() {
    return "dvrl";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    if (ctx.task() == Task.AUTOENCODER) {
      throw new ConfigValidationException(
          "dvgs.evaluation.methods includes dvrl, which needs labels, but dvgs.model.task = autoencoder");
    }
    SourceRows src = SourceRows.collect(ctx.inputs().source(), name(), ctx.config().maxRows());
    Result r = run(src.rows(), ctx.inputs().target(), ctx.task(), ctx.inputs().numClasses(), ctx.config().dvrl(), ctx.seed(), ctx.device());
    double[] v = new double[r.values().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.values()[i];
    }
    List<SampleValue> values = src.values(v, null, null);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return new MethodResult(jsc.parallelize(values, Math.max(1, jsc.defaultParallelism())), r.details());
  }

  /**
   * What a run gives.
   *
   * @param values each source row's final selection probability, in row order
   * @param details facts for the manifest
   */
  public record Result(float[] values, Map<String, Object> details) {}

  /**
   * Trains the estimator and values every row of {@code source}.
   *
   * @param source the rows to value (labels: class indices or numeric targets)
   * @param target the trusted rows the predictor is evaluated on
   * @param task classifier or regressor
   * @param classes classes (classifier)
   * @param cfg the settings
   * @param seed everything random derives from it
   * @param device where DJL computes
   */
  public static Result run(DenseRows source, DenseRows target, Task task, int classes, BaselinesConfig.Dvrl cfg, long seed, Device device) {
    long t0 = System.nanoTime();
    int n = source.rows();
    int d = source.width();
    int yw = task == Task.CLASSIFIER ? classes : 1;
    NetworkSpec pspec = predictorSpec(task, d, classes, cfg.predictorHidden());
    ParameterSet pinit = ParameterSet.initial(pspec, Mix.mix(seed, 0x4456524cL, 1));
    float[] yenc = encode(source.labels(), task, yw);
    int batch = Math.min(cfg.batchSize(), n);
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    try (NDManager root = NDManager.newBaseManager(device)) {
      // f_val: the predictor trained on the target; its error on each source row is the estimator's third input
      float[] diff;
      double valPerf;
      int[] targetRows = new int[target.rows()];
      for (int i = 0; i < targetRows.length; i++) {
        targetRows[i] = i;
      }
      try (NDManager scope = root.newSubManager()) {
        Network fval = fit(scope, pspec, pinit, target, targetRows, cfg, Mix.mix(seed, 0x4656414cL));
        valPerf = performance(scope, fval, target);
        float[] out = predict(scope, fval, source);
        diff = new float[n * yw];
        for (int i = 0; i < diff.length; i++) {
          diff[i] = Math.abs(yenc[i] - out[i]);
        }
      }
      double baseline;
      try (NDManager scope = root.newSubManager()) {
        baseline = performance(scope, fit(scope, pspec, pinit, source, all, cfg, Mix.mix(seed, 0x414c4cL)), target);
      }
      details.put("f_val_target_performance", valPerf);
      details.put("all_rows_target_performance", baseline);
      LOG.info("dvrl: f_val performance on the target {}, predictor on all {} source rows {}", fmt(valPerf), n, fmt(baseline));

      Estimator est = Estimator.create(root, d + yw, yw, cfg, Mix.mix(seed, 0x45535449L));
      Adam adam = new Adam(cfg.learningRate(), 0);
      double window = cfg.baselineWindow();
      double lastPerf = Double.NaN;
      double lastMean = Double.NaN;
      int emptySelections = 0;
      int logEvery = Math.max(1, cfg.outerIterations() / 10);
      for (int it = 0; it < cfg.outerIterations(); it++) {
        int[] rows = batch == n ? all : sample(n, batch, Mix.mix(seed, 0x42415443L, it));
        try (NDManager scope = root.newSubManager()) {
          float[] in = new float[batch * (d + yw)];
          float[] df = new float[batch * yw];
          for (int i = 0; i < batch; i++) {
            int r = rows[i];
            System.arraycopy(source.features(), r * d, in, i * (d + yw), d);
            System.arraycopy(yenc, r * yw, in, i * (d + yw) + d, yw);
            System.arraycopy(diff, r * yw, df, i * yw, yw);
          }
          NDArray xin = Tensors.floats(scope, in, new Shape(batch, d + yw));
          NDArray xdf = Tensors.floats(scope, df, new Shape(batch, yw));
          float[] prob = est.forward(xin, xdf).toFloatArray();
          SplittableRandom rnd = new SplittableRandom(Mix.mix(seed, 0x53454cL, it));
          float[] sel = draw(prob, rnd, false);
          if (count(sel) == 0) {
            // nothing to train on: the paper's code redraws with probability 1/2 each
            sel = draw(prob, rnd, true);
            emptySelections++;
          }
          int[] chosen = selected(rows, sel);
          double perf;
          try (NDManager fitScope = scope.newSubManager()) {
            Network p = fit(fitScope, pspec, pinit, source, chosen, cfg, Mix.mix(seed, 0x50524544L, it));
            perf = performance(fitScope, p, target);
          }
          double reward = perf - baseline;
          baseline = ((window - 1) / window) * baseline + perf / window;
          NDArray s = Tensors.floats(scope, sel, new Shape(batch, 1));
          Autograd.gradMode(true);
          NDArray loss;
          NDArray h;
          try {
            h = est.forward(xin, xdf);
            NDArray logLik =
                s.mul(h.add(LOG_EPS).log()).add(s.neg().add(1f).mul(h.neg().add(1f + LOG_EPS).log())).sum();
            NDArray mean = h.mean();
            // Scalars that backward reads (maximum, mul) are tensors of the scope, not Number arguments: see
            // Tensors.scalar.
            NDArray zero = Tensors.scalar(scope, 0f);
            NDArray outside =
                mean.sub((float) (1 - cfg.epsilon())).maximum(zero).add(mean.neg().add((float) cfg.epsilon()).maximum(zero));
            loss = logLik.mul(Tensors.scalar(scope, (float) -reward)).add(outside.mul(Tensors.scalar(scope, (float) cfg.penalty())));
            Autograd.backward(loss);
          } finally {
            Autograd.gradMode(false);
          }
          est.step(adam);
          lastPerf = perf;
          lastMean = Stats.mean(prob);
          if ((it + 1) % logEvery == 0) {
            LOG.info(
                "dvrl: iteration {}/{}: selected {} of {}, predictor performance {}, reward {}, mean selection probability {}",
                it + 1, cfg.outerIterations(), chosen.length, batch, fmt(perf), fmt(reward), fmt(lastMean));
          }
        }
      }
      float[] values;
      try (NDManager scope = root.newSubManager()) {
        float[] in = new float[n * (d + yw)];
        for (int i = 0; i < n; i++) {
          System.arraycopy(source.features(), i * d, in, i * (d + yw), d);
          System.arraycopy(yenc, i * yw, in, i * (d + yw) + d, yw);
        }
        values = est.forward(Tensors.floats(scope, in, new Shape(n, d + yw)), Tensors.floats(scope, diff, new Shape(n, yw))).toFloatArray();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      details.put("outer_iterations", cfg.outerIterations());
      details.put("batch_size", batch);
      details.put("empty_selections", emptySelections);
      details.put("last_predictor_performance", lastPerf);
      details.put("last_mean_selection_probability", lastMean);
      details.put("final_mean_value", Stats.mean(values));
      details.put("seconds", secs);
      LOG.info("dvrl: {} outer iterations on {} source rows in {} s", cfg.outerIterations(), n, fmt(secs));
      return new Result(values, details);
    }
  }

  /** The predictor: ReLU MLP with the configured hidden widths, no dropout or normalisation. */
  static NetworkSpec predictorSpec(Task task, int width, int classes, List<Integer> hidden) {
    int[] w = new int[hidden.size() + 2];
    w[0] = width;
    for (int i = 0; i < hidden.size(); i++) {
      w[i + 1] = hidden.get(i);
    }
    w[w.length - 1] = task == Task.CLASSIFIER ? classes : 1;
    return new NetworkSpec(task, w, ActivationKind.RELU, 0.0, false, task == Task.CLASSIFIER ? classes : 0);
  }

  /** Labels as the estimator sees them: one-hot rows (classifier) or the value itself (regressor). */
  private static float[] encode(float[] labels, Task task, int yw) {
    float[] out = new float[labels.length * yw];
    for (int i = 0; i < labels.length; i++) {
      if (task == Task.CLASSIFIER) {
        out[i * yw + (int) labels[i]] = 1f;
      } else {
        out[i] = labels[i];
      }
    }
    return out;
  }

  /**
   * Trains a predictor from {@code init} on the given rows of {@code data}: {@code inner-iterations} Adam steps on
   * mini-batches of {@code predictor-batch-size} rows, visiting the rows in a seeded order, reshuffled each pass.
   * The network lives in {@code scope}.
   */
  static Network fit(NDManager scope, NetworkSpec spec, ParameterSet init, DenseRows data, int[] rows, BaselinesConfig.Dvrl cfg, long seed) {
    Network net = Network.upload(scope, spec, init, true);
    Adam adam = new Adam(cfg.predictorLearningRate(), 0);
    int d = data.width();
    int bs = Math.min(cfg.predictorBatchSize(), rows.length);
    int[] order = rows.clone();
    SplittableRandom rnd = new SplittableRandom(seed);
    int pos = order.length;
    for (int step = 0; step < cfg.innerIterations(); step++) {
      if (pos + bs > order.length) {
        shuffle(order, rnd);
        pos = 0;
      }
      float[] x = new float[bs * d];
      float[] y = new float[bs];
      for (int i = 0; i < bs; i++) {
        int r = order[pos + i];
        System.arraycopy(data.features(), r * d, x, i * d, d);
        y[i] = data.labels()[r];
      }
      pos += bs;
      try (NDManager s = scope.newSubManager()) {
        NDArray xs = Tensors.floats(s, x, new Shape(bs, d));
        NDArray targets = Losses.targets(s, spec, y, bs);
        Autograd.gradMode(true);
        try {
          Autograd.backward(Losses.perSample(spec, net.forward(xs, null, null, null), xs, targets).mean());
        } finally {
          Autograd.gradMode(false);
        }
        adam.nextStep();
        for (int l = 0; l < spec.layers(); l++) {
          update(adam, 2 * l, net.weight(l));
          update(adam, 2 * l + 1, net.bias(l));
        }
      }
    }
    return net;
  }

  /**
   * One Adam update of a DJL parameter from its accumulated gradient, which is then cleared: both are copied out,
   * updated by the project's one Adam in Java (moments on the heap, so nothing native outlives the model) and the
   * result written back. Grad mode is off here, so the write is not recorded.
   */
  private static void update(Adam adam, int slot, NDArray param) {
    float[] p = param.toFloatArray();
    float[] g;
    try (NDArray grad = param.getGradient()) {
      g = grad.toFloatArray();
    }
    adam.update(slot, p, g);
    param.set(FloatBuffer.wrap(p));
    Autograd.zeroGrad(param);
  }

  /** Performance on {@code data}, higher is better: minus the mean per-row loss (cross-entropy or squared error). */
  static double performance(NDManager scope, Network net, DenseRows data) {
    try (NDManager s = scope.newSubManager()) {
      NDArray xs = Tensors.floats(s, data.features(), new Shape(data.rows(), data.width()));
      NDArray targets = Losses.targets(s, net.spec(), data.labels(), data.rows());
      return -Losses.perSample(net.spec(), net.forward(xs, null, null, null), xs, targets).mean().getFloat();
    }
  }

  /** Class probabilities (classifier) or predictions (regressor), row-major. */
  private static float[] predict(NDManager scope, Network net, DenseRows data) {
    try (NDManager s = scope.newSubManager()) {
      NDArray out = net.forward(Tensors.floats(s, data.features(), new Shape(data.rows(), data.width())), null, null, null);
      return (net.spec().task() == Task.CLASSIFIER ? out.softmax(1) : out).toFloatArray();
    }
  }

  private static float[] draw(float[] prob, SplittableRandom rnd, boolean half) {
    float[] s = new float[prob.length];
    for (int i = 0; i < prob.length; i++) {
      s[i] = rnd.nextDouble() < (half ? 0.5 : prob[i]) ? 1f : 0f;
    }
    return s;
  }

  private static int count(float[] sel) {
    int c = 0;
    for (float v : sel) {
      c += v > 0 ? 1 : 0;
    }
    return c;
  }

  private static int[] selected(int[] rows, float[] sel) {
    int[] out = new int[count(sel)];
    int j = 0;
    for (int i = 0; i < sel.length; i++) {
      if (sel[i] > 0) {
        out[j++] = rows[i];
      }
    }
    return out;
  }

  /** {@code k} distinct rows of {@code n}, in a seeded order. */
  private static int[] sample(int n, int k, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p, new SplittableRandom(seed));
    return java.util.Arrays.copyOf(p, k);
  }

  private static void shuffle(int[] p, SplittableRandom rnd) {
    for (int i = p.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
  }

  private static String fmt(double v) {
    return String.format("%.4f", v);
  }

  /**
   * The data-value estimator: {@code layers - 2} ReLU layers of width {@code hidden} on (x, y), one ReLU layer of
   * width {@code comb-width}, then {@code |y - f_val(x)|} is concatenated for one more ReLU layer of that width and
   * a sigmoid output, as in the paper's released code. Parameters live in the manager given at creation.
   */
  private static final class Estimator {
    private final NDArray[] w;
    private final NDArray[] b;
    /** Index of the layer whose input gets |y - f_val(x)| appended. */
    private final int join;

    private Estimator(NDArray[] w, NDArray[] b, int join) {
      this.w = w;
      this.b = b;
      this.join = join;
    }

    static Estimator create(NDManager m, int inWidth, int diffWidth, BaselinesConfig.Dvrl cfg, long seed) {
      int hiddenLayers = cfg.layers() - 2;
      int layers = hiddenLayers + 3;
      int[] in = new int[layers];
      int[] out = new int[layers];
      for (int l = 0; l < hiddenLayers; l++) {
        in[l] = l == 0 ? inWidth : cfg.hidden();
        out[l] = cfg.hidden();
      }
      in[hiddenLayers] = cfg.hidden();
      out[hiddenLayers] = cfg.combWidth();
      in[hiddenLayers + 1] = cfg.combWidth() + diffWidth;
      out[hiddenLayers + 1] = cfg.combWidth();
      in[hiddenLayers + 2] = cfg.combWidth();
      out[hiddenLayers + 2] = 1;
      SplittableRandom rnd = new SplittableRandom(seed);
      NDArray[] w = new NDArray[layers];
      NDArray[] b = new NDArray[layers];
      for (int l = 0; l < layers; l++) {
        double bound = 1.0 / Math.sqrt(in[l]);
        float[] wv = new float[out[l] * in[l]];
        for (int i = 0; i < wv.length; i++) {
          wv[i] = (float) rnd.nextDouble(-bound, bound);
        }
        float[] bv = new float[out[l]];
        for (int i = 0; i < bv.length; i++) {
          bv[i] = (float) rnd.nextDouble(-bound, bound);
        }
        w[l] = Tensors.floats(m, wv, new Shape(out[l], in[l]));
        b[l] = Tensors.floats(m, bv, new Shape(out[l]));
        w[l].setRequiresGradient(true);
        b[l].setRequiresGradient(true);
      }
      return new Estimator(w, b, hiddenLayers + 1);
    }

    /** Selection probabilities, {@code B x 1}; temporaries attach to the input's manager. */
    NDArray forward(NDArray xy, NDArray diff) {
      NDArray a = xy;
      for (int l = 0; l < w.length; l++) {
        if (l == join) {
          a = NDArrays.concat(new ai.djl.ndarray.NDList(a, diff), 1);
        }
        NDArray z = Linear.linear(a, w[l], b[l]).singletonOrThrow();
        a = l == w.length - 1 ? Activation.sigmoid(z) : Activation.relu(z);
      }
      return a;
    }

    /** One Adam step from the accumulated gradients. */
    void step(Adam adam) {
      adam.nextStep();
      for (int l = 0; l < w.length; l++) {
        update(adam, 2 * l, w[l]);
        update(adam, 2 * l + 1, b[l]);
      }
    }
  }
}
