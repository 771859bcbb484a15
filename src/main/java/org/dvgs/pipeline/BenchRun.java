package org.dvgs.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.dvgs.config.BenchConfig;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.core.Stats;
import org.dvgs.model.Autograd;
import org.dvgs.model.Engines;
import org.dvgs.model.Losses;
import org.dvgs.model.Network;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.model.Tensors;
import org.dvgs.output.BenchManifest;
import org.dvgs.output.Manifest;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.output.TotalTime;
import org.dvgs.output.ValueManifest;
import org.dvgs.output.Versions;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.SnapshotScorer;
import org.dvgs.training.TargetTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code bench} command: in one process, on generated rows, the throughput of ghost scoring, naive per-sample
 * scoring, a plain batched forward+backward training step and a forward pass of the configured model, measured
 * in interleaved rounds (so machine noise hits all alike); the median round of each is reported, with ratios.
 * Scoring is against the first {@code bench.snapshots} snapshots of a short training run, with checkpoint batching
 * resolved as a valuation run resolves it, so its rates are sample-checkpoints per second.
 */
public final class BenchRun {
  private static final Logger LOG = LoggerFactory.getLogger(BenchRun.class);

  private BenchRun() {}

  /** Runs the benchmark with its output directory claimed from start to end, and returns the manifest. */
  public static BenchManifest run(DvgsConfig cfg) {
    cfg.output().requirePath();
    Configuration hadoop = new Configuration();
    try (OutputDirectory.Claim claim = OutputDirectory.prepare(hadoop, cfg.output().path(), "bench",
        cfg.output().overwrite() ? OutputDirectory.Replace.OURS : OutputDirectory.Replace.NONE, "", Outputs.inputs(cfg))) {
      BenchManifest m = measure(cfg);
      Manifest.write(hadoop, cfg.output().path(), m);
      return m;
    }
  }

  private static BenchManifest measure(DvgsConfig cfg) {
    long t0 = System.nanoTime();
    BenchConfig b = cfg.bench();
    int threads = b.threads() > 0 ? b.threads() : Runtime.getRuntime().availableProcessors();
    Engines.threads(threads);
    Device device = Engines.device(cfg.device(), -1);
    int classes = cfg.model().task() == Task.CLASSIFIER ? Math.max(2, cfg.model().numClasses()) : 0;
    NetworkSpec spec = NetworkSpec.of(cfg.model(), b.inputWidth(), classes);
    DenseRows rows = generated(b.rows(), b.inputWidth(), classes, cfg.seed());
    DenseRows naiveRows = generated(b.naiveRows(), b.inputWidth(), classes, cfg.seed() + 1);
    int batch = cfg.scoring().batchSize();
    int trainBatch = Math.min(batch, rows.rows());
    // One snapshot per training step; enough epochs of the generated rows that the first b.snapshots() exist.
    int stepsPerEpoch = (rows.rows() + trainBatch - 1) / trainBatch;
    int epochs = (b.snapshots() + stepsPerEpoch - 1) / stepsPerEpoch;
    TrainingConfig tc = new TrainingConfig(cfg.training().optimizer(), cfg.training().learningRate(), 0, 0, trainBatch, epochs, 1, 1, "", 0);
    List<Snapshot> snaps = new ArrayList<>();
    new TargetTrainer(spec, tc, false, cfg.seed(), device).train(0, rows, s -> {
      if (snaps.size() < b.snapshots()) {
        snaps.add(s);
      }
    }, null);
    int snapshots = snaps.size();
    int checkpointBatch = ScoringOptions.resolveCheckpointBatch(cfg.scoring().checkpointBatch(), spec, batch);
    ScoringOptions ghostOpts = new ScoringOptions(cfg.scoring().similarity(), ScoringMethod.GHOST, null, false, cfg.seed())
        .withCheckpointBatch(checkpointBatch, (long) cfg.scoring().blockMemoryMb() << 20);
    ScoringOptions naiveOpts = ghostOpts.withMethodNaive();
    double ghostVsNaive = 0;
    int perPass;
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (String k : List.of("ghost", "train_step", "forward", "naive")) {
      rates.put(k, new ArrayList<>());
    }
    try (SnapshotScorer ghost = new SnapshotScorer(spec, snaps, ghostOpts, device);
        SnapshotScorer naive = new SnapshotScorer(spec, snaps, naiveOpts, device);
        NDManager root = NDManager.newBaseManager(device);
        Network trainNet = Network.upload(root, spec, snaps.get(0).parameters(), true);
        Network inferNet = Network.upload(root, spec, snaps.get(0).parameters(), false)) {
      perPass = ghost.snapshotsPerPass(batch);
      for (int round = 0; round <= b.rounds(); round++) {
        double g = timeRows((long) rows.rows() * snapshots, () -> scoreAll(ghost, rows, batch));
        double tr = timeRows(rows.rows(), () -> trainSteps(root, trainNet, spec, rows, batch));
        double fw = timeRows(rows.rows(), () -> forwards(root, inferNet, spec, rows, batch));
        double nv = timeRows((long) naiveRows.rows() * snapshots, () -> scoreAll(naive, naiveRows, batch));
        if (round == 0) {
          continue; // warm-up
        }
        rates.get("ghost").add(g);
        rates.get("train_step").add(tr);
        rates.get("forward").add(fw);
        rates.get("naive").add(nv);
        LOG.info("bench round {}: ghost {} rows/s, train step {} rows/s, forward {} rows/s, naive {} rows/s", round,
            String.format("%.0f", g), String.format("%.0f", tr), String.format("%.0f", fw), String.format("%.0f", nv));
      }
      // Ghost and naive scoring compute the same similarities; a throughput means something only if they agree.
      double[] g = scores(ghost, naiveRows, batch);
      double[] nv = scores(naive, naiveRows, batch);
      for (int i = 0; i < g.length; i++) {
        ghostVsNaive = Math.max(ghostVsNaive, Math.abs(g[i] - nv[i]));
      }
    }
    double ghostRate = median(rates.get("ghost"));
    double trainRate = median(rates.get("train_step"));
    double forwardRate = median(rates.get("forward"));
    double naiveRate = median(rates.get("naive"));
    List<Double> perRound = new ArrayList<>();
    for (int i = 0; i < rates.get("ghost").size(); i++) {
      perRound.add(rates.get("ghost").get(i) / rates.get("train_step").get(i));
    }
    return new BenchManifest(
        BenchManifest.COMMAND,
        cfg.seed(),
        new ValueManifest.Model(Arrays.stream(spec.widths()).boxed().toList(), spec.parameterCount(), spec.task().name().toLowerCase(java.util.Locale.ROOT)),
        new BenchManifest.Setup(b.rows(), b.naiveRows(), batch, b.rounds(), threads, device.toString(), snapshots,
            ScoringOptions.checkpointBatchName(cfg.scoring().checkpointBatch()), perPass),
        new BenchManifest.Throughput(ghostRate, trainRate, forwardRate, naiveRate),
        new BenchManifest.Ratios(ghostRate / trainRate, ghostRate / naiveRate, ghostRate / forwardRate, perRound),
        new BenchManifest.Rounds(rates.get("ghost"), rates.get("train_step"), rates.get("forward"), rates.get("naive")),
        new BenchManifest.Agreement(ghostVsNaive, naiveRows.rows()),
        // No Spark session runs here; the versions come from the libraries on the class path, as a run records them.
        new Versions(String.valueOf(BenchRun.class.getPackage().getImplementationVersion()), org.apache.spark.package$.MODULE$.SPARK_VERSION(),
            scala.util.Properties.versionNumberString(), System.getProperty("java.version"), ai.djl.engine.Engine.getDjlVersion(),
            Engines.pytorch().getVersion(), Versions.runningJavaCompilers()),
        new TotalTime((System.nanoTime() - t0) / 1e9),
        Manifest.parse(cfg.toJson()));
  }

  private static DenseRows generated(int n, int d, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * d];
    float[] y = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      y[i] = classes > 0 ? r.nextInt(classes) : (float) r.nextGaussian();
    }
    return new DenseRows(x, y, n, d);
  }

  private static double timeRows(long rows, Runnable r) {
    long t = System.nanoTime();
    r.run();
    return rows / ((System.nanoTime() - t) / 1e9);
  }

  private static void scoreAll(SnapshotScorer s, DenseRows rows, int batch) {
    int d = rows.width();
    for (int start = 0; start < rows.rows(); start += batch) {
      int n = Math.min(batch, rows.rows() - start);
      float[] x = Arrays.copyOfRange(rows.features(), start * d, (start + n) * d);
      float[] y = Arrays.copyOfRange(rows.labels(), start, start + n);
      s.score(x, y, new long[n], n);
    }
  }

  /** Every similarity of every row (snapshot-major), in batches of {@code batch}. */
  private static double[] scores(SnapshotScorer s, DenseRows rows, int batch) {
    int d = rows.width();
    List<double[][]> parts = new ArrayList<>();
    int snapshots = 0;
    for (int start = 0; start < rows.rows(); start += batch) {
      int n = Math.min(batch, rows.rows() - start);
      double[][] part = s.score(Arrays.copyOfRange(rows.features(), start * d, (start + n) * d), Arrays.copyOfRange(rows.labels(), start, start + n),
          new long[n], n);
      parts.add(part);
      snapshots = part.length;
    }
    double[] out = new double[snapshots * rows.rows()];
    int at = 0;
    for (double[][] part : parts) {
      for (int k = 0; k < snapshots; k++) {
        System.arraycopy(part[k], 0, out, k * rows.rows() + at, part[k].length);
      }
      at += part[0].length;
    }
    return out;
  }

  /** A plain training step's engine work: forward, mean loss, backward into the parameters, gradients cleared. */
  private static void trainSteps(NDManager root, Network net, NetworkSpec spec, DenseRows rows, int batch) {
    int d = rows.width();
    for (int start = 0; start < rows.rows(); start += batch) {
      int n = Math.min(batch, rows.rows() - start);
      try (NDManager m = root.newSubManager()) {
        NDArray x = Tensors.floats(m, Arrays.copyOfRange(rows.features(), start * d, (start + n) * d), new Shape(n, d));
        NDArray t = Losses.targets(m, spec, Arrays.copyOfRange(rows.labels(), start, start + n), n);
        Autograd.gradMode(true);
        try {
          Autograd.backward(Losses.perSample(spec, net.forward(x, null, null, null), x, t).mean());
        } finally {
          Autograd.gradMode(false);
        }
        net.zeroGradients();
      }
    }
  }

  private static void forwards(NDManager root, Network net, NetworkSpec spec, DenseRows rows, int batch) {
    int d = rows.width();
    for (int start = 0; start < rows.rows(); start += batch) {
      int n = Math.min(batch, rows.rows() - start);
      try (NDManager m = root.newSubManager()) {
        NDArray x = Tensors.floats(m, Arrays.copyOfRange(rows.features(), start * d, (start + n) * d), new Shape(n, d));
        net.forward(x, null, null, null).toFloatArray();
      }
    }
  }

  private static double median(List<Double> v) {
    return Stats.median(v.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
