package org.dvgs.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.dvgs.baselines.MethodContext;
import org.dvgs.baselines.MethodResult;
import org.dvgs.baselines.SampleValue;
import org.dvgs.baselines.ValuationMethod;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.model.Autograd;
import org.dvgs.model.Losses;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.model.Tensors;
import org.dvgs.training.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target-loss baseline: the valuation network trained on the target exactly as DVGS trains it (same model and
 * training settings, seed and restarts, through {@link TrainingStep}), and each source row valued by minus its loss
 * under each restart's last snapshot, averaged over restarts: cross-entropy of the given label (classifier),
 * squared error (regressor), mean squared reconstruction error (autoencoder). It asks whether DVGS's gradient
 * similarity finds more than the loss alone does.
 *
 * <p>A snapshot holds the parameters before its step's update, so the last one lacks at least the final update and,
 * with {@code snapshot-every} above 1, up to that many; the step it was taken at is in the details
 * ({@code model_step} of {@code steps}) and a warning is logged when more than the final update is missing.
 *
 * <p>Snapshots are found by the training fingerprint: pointed at the checkpoints of the seed's DVGS run it trains
 * nothing. Losses are computed on the executors with the parameters broadcast; the source is never collected.
 */
final class TargetLossMethod implements ValuationMethod {
  private static final Logger LOG = LoggerFactory.getLogger(TargetLossMethod.class);
  private static final int BATCH = 1024;
  private final DvgsConfig cfg;
  private final String checkpointRoot;

  /**
   * @param cfg the configuration with the seed of this run
   * @param checkpointRoot where the snapshots are looked up (and written when missing), unless
   *     {@code dvgs.training.checkpoint-dir} is set
   */
  TargetLossMethod(DvgsConfig cfg, String checkpointRoot) {
    this.cfg = cfg;
    this.checkpointRoot = checkpointRoot;
  }

  @Override
  public String name() {
    return "target-loss";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    if (ctx.seed() != cfg.seed()) {
      throw new IllegalArgumentException("target-loss was configured for seed " + cfg.seed() + ", not " + ctx.seed());
    }
    TrainingStep.Trained t =
        TrainingStep.train(spark.sparkContext().hadoopConfiguration(), cfg, ctx.inputs().target(), ctx.inputs().numClasses(), checkpointRoot);
    FinalModels finals = finalParameters(t.store(), t.restarts());
    long steps = TrainingStep.stepsPerRestart(cfg.training(), ctx.inputs().target().rows());
    if (steps - finals.step() > 1) {
      // A snapshot holds the parameters before its step's update, so the last one is at best one update short of
      // the trained network; with snapshot-every > 1 it can be many more (the initial network when it exceeds the
      // steps), and the losses are then those of a network trained less than DVGS's training was.
      LOG.warn("target-loss: the last snapshot is after {} of {} optimizer steps per restart "
          + "(dvgs.training.snapshot-every = {}); its losses are those of that less-trained network",
          finals.step(), steps, cfg.training().snapshotEvery());
    }
    Broadcast<List<ParameterSet>> params =
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(finals.parameters());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("fingerprint", t.fingerprint());
    details.put("restarts", t.restarts());
    details.put("restarts_reused", t.reused());
    details.put("train_s", t.seconds());
    details.put("model_step", finals.step());
    details.put("steps", steps);
    return new MethodResult(ctx.inputs().source().mapPartitions(new RowLosses(t.spec(), params)), details);
  }

  /**
   * The last snapshot of every restart.
   *
   * @param parameters each restart's last snapshot's parameters, in restart order
   * @param step the optimizer updates those parameters have had (the smallest over restarts; all restarts train alike)
   */
  record FinalModels(List<ParameterSet> parameters, long step) {}

  /** The last snapshot's parameters of every restart, in restart order, and the step they were taken at. */
  static FinalModels finalParameters(SnapshotStore store, int restarts) {
    List<ParameterSet> out = new ArrayList<>();
    long step = Long.MAX_VALUE;
    for (int r = 0; r < restarts; r++) {
      Snapshot last = null;
      for (Iterator<Snapshot> it = store.read(r); it.hasNext();) {
        last = it.next();
      }
      if (last == null) {
        throw new IllegalStateException("restart " + r + " has no snapshots in " + store.directory());
      }
      out.add(last.parameters());
      step = Math.min(step, last.iteration());
    }
    return new FinalModels(out, step);
  }

  /** Executor: minus the mean loss over restarts of every row of a partition, in batches. */
  static final class RowLosses implements FlatMapFunction<Iterator<CanonicalRow>, SampleValue> {
    private static final long serialVersionUID = 1L;
    private final NetworkSpec spec;
    private final Broadcast<List<ParameterSet>> params;

    RowLosses(NetworkSpec spec, Broadcast<List<ParameterSet>> params) {
      this.spec = spec;
      this.params = params;
    }

    @Override
    public Iterator<SampleValue> call(Iterator<CanonicalRow> rows) {
      List<SampleValue> out = new ArrayList<>();
      List<ParameterSet> ps = params.value();
      // Grad mode is on by default in a new task thread; this is inference only.
      Autograd.gradMode(false);
      try (NDManager root = NDManager.newBaseManager(ai.djl.Device.cpu())) {
        List<Network> nets = new ArrayList<>();
        for (ParameterSet p : ps) {
          nets.add(Network.upload(root, spec, p, false));
        }
        List<CanonicalRow> batch = new ArrayList<>(BATCH);
        while (rows.hasNext()) {
          batch.add(rows.next());
          if (batch.size() == BATCH || !rows.hasNext()) {
            score(root, nets, batch, out);
            batch.clear();
          }
        }
        for (Network n : nets) {
          n.close();
        }
      }
      return out.iterator();
    }

    private void score(NDManager root, List<Network> nets, List<CanonicalRow> batch, List<SampleValue> out) {
      int n = batch.size();
      int w = spec.inputWidth();
      float[] x = new float[n * w];
      float[] y = new float[n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(batch.get(i).features(), 0, x, i * w, w);
        y[i] = Double.isNaN(batch.get(i).label()) ? 0f : (float) batch.get(i).label();
      }
      double[] sum = new double[n];
      try (NDManager scope = root.newSubManager()) {
        NDArray in = Tensors.floats(scope, x, new Shape(n, w));
        NDArray targets = Losses.targets(scope, spec, y, n);
        for (Network net : nets) {
          float[] loss = Losses.perSample(spec, net.forward(in, null, null, null), in, targets).toFloatArray();
          for (int i = 0; i < n; i++) {
            sum[i] += loss[i];
          }
        }
      }
      for (int i = 0; i < n; i++) {
        CanonicalRow r = batch.get(i);
        out.add(new SampleValue(r.id(), -sum[i] / nets.size(), Double.NaN, nets.size(), r.corrupted()));
      }
    }
  }
}
