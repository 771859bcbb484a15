package org.dvgs.pipeline;

import ai.djl.Device;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.Keys;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.output.Manifest;
import org.dvgs.output.RestartSummary;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.training.SnapshotStore;
import org.dvgs.training.TargetTrainer;
import org.dvgs.training.TrainingStage;

/**
 * The driver-side training step shared by the {@code value} command and {@link org.dvgs.ml.DvgsValuation#fit}: the
 * network and scoring options for a prepared target, the training fingerprint, and training of every restart the
 * snapshot store does not already hold (a later run with the same fingerprint reuses them).
 */
public final class TrainingStep {
  private TrainingStep() {}

  /**
   * One restart as training left it.
   *
   * @param restart restart index
   * @param reused whether its snapshots were taken from the store instead of trained
   * @param snapshots snapshots the restart has
   * @param iterations optimizer steps (0 when reused)
   * @param firstLoss target loss at the first step (NaN when reused)
   * @param lastLoss target loss at the last step (NaN when reused)
   * @param seconds training wall time (0 when reused)
   */
  public record Restart(int restart, boolean reused, long snapshots, long iterations, double firstLoss, double lastLoss, double seconds) {}

  /**
   * What the training step produced.
   *
   * @param spec the network
   * @param options the scoring options under the configuration
   * @param device where training ran (and scoring runs on the driver's choice of device kind)
   * @param fingerprint the training fingerprint: same network, settings, seed and target give the same one
   * @param store the snapshot store holding every restart
   * @param snapshotsPerRestart snapshots each restart emits
   * @param restarts restarts trained or reused
   * @param restartInfo per restart, the entries the manifest lists under {@code training.restarts}
   * @param reused restarts taken from the store
   * @param seconds wall time of the step
   */
  public record Trained(
      NetworkSpec spec,
      ScoringOptions options,
      Device device,
      String fingerprint,
      SnapshotStore store,
      long snapshotsPerRestart,
      int restarts,
      List<RestartSummary> restartInfo,
      int reused,
      double seconds) {

    /** Snapshots of all restarts. */
    public long totalSnapshots() {
      return snapshotsPerRestart * restarts;
    }

    /** Streams every snapshot in scoring order (restart, then iteration), verifying each file as it goes. */
    public Iterator<Snapshot> snapshots() {
      return store.readAll(restarts);
    }

    /** The restarts as the summary lists them (losses NaN and counts 0 for a reused restart). */
    public List<Restart> restartSummaries() {
      List<Restart> out = new ArrayList<>();
      for (RestartSummary r : restartInfo) {
        out.add(new Restart(
            r.restart(), r.reused(), r.snapshots(), r.iterations() == null ? 0 : r.iterations(),
            r.firstLoss() == null ? Double.NaN : r.firstLoss(), r.lastLoss() == null ? Double.NaN : r.lastLoss(),
            r.seconds() == null ? 0 : r.seconds()));
      }
      return out;
    }
  }

  /**
   * Trains (or reuses) the snapshots of a prepared target.
   *
   * @param target the scaled target rows
   * @param numClasses classes (classifier), else 0
   * @param checkpointRoot where snapshots are kept when {@code dvgs.training.checkpoint-dir} is empty
   */
  public static Trained train(Configuration hadoop, DvgsConfig cfg, DenseRows target, int numClasses, String checkpointRoot) {
    long t = System.nanoTime();
    NetworkSpec spec = NetworkSpec.of(cfg.model(), target.width(), numClasses);
    ScoringOptions options = scoringOptions(cfg, spec);
    Device device = Engines.device(cfg.device(), -1);
    String fingerprint = fingerprint(cfg, spec, target);
    String root = cfg.training().checkpointDir().isEmpty() ? checkpointRoot : cfg.training().checkpointDir();
    int classGradients = options.withinClass() ? spec.numClasses() : 0;
    TargetTrainer trainer =
        new TargetTrainer(spec, cfg.training(), cfg.model().classBalanced(), cfg.seed(), device, classGradients > 0, options.preconditioned());
    long perRestart = snapshotsPerRestart(cfg.training(), trainer.iterationsPerEpoch(target.rows()));
    SnapshotStore store = new SnapshotStore(hadoop, root, fingerprint, spec, classGradients, options.preconditioned(), perRestart);
    TrainingStage.Result trained =
        TrainingStage.run(trainer, store, target, cfg.training().restarts(), cfg.training().epochs(), cfg.training().logEvery());
    store.describe(Manifest.toJson(fingerprintDescription(cfg, spec, target)));
    return new Trained(spec, options, device, fingerprint, store, perRestart, cfg.training().restarts(), trained.restarts(),
        trained.reused(), (System.nanoTime() - t) / 1e9);
  }

  /** The scoring options of a configuration for a network (a layer list that does not fit it is a config error). */
  public static ScoringOptions scoringOptions(DvgsConfig cfg, NetworkSpec spec) {
    return new ScoringOptions(
        cfg.scoring().similarity(),
        cfg.scoring().method(),
        ScoringOptions.layerMask(cfg.scoring().layers(), spec.layers()),
        cfg.scoring().trainModeDropout(),
        cfg.seed(),
        cfg.scoring().targetGradient(),
        cfg.scoring().preconditioner(),
        ScoringOptions.resolveCheckpointBatch(cfg.scoring().checkpointBatch(), spec, cfg.scoring().batchSize()),
        (long) cfg.scoring().blockMemoryMb() << 20);
  }

  /** Optimizer steps one restart takes over {@code targetRows} rows: batches per epoch times epochs. */
  public static long stepsPerRestart(TrainingConfig tc, int targetRows) {
    return TargetTrainer.iterationsPerEpoch(tc, targetRows) * tc.epochs();
  }

  /** Snapshots one restart emits: one every {@code snapshot-every} iterations, rounded up. */
  public static long snapshotsPerRestart(TrainingConfig tc, long iterationsPerEpoch) {
    long iterations = iterationsPerEpoch * tc.epochs();
    return (iterations + tc.snapshotEvery() - 1) / tc.snapshotEvery();
  }

  /** Identifies snapshots: same network, training settings, seed and target data give the same fingerprint. */
  public static String fingerprint(DvgsConfig cfg, NetworkSpec spec, DenseRows target) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(Manifest.toJson(fingerprintDescription(cfg, spec, target)).getBytes(StandardCharsets.UTF_8));
      ByteBuffer buf = ByteBuffer.allocate(4 * (target.features().length + target.labels().length)).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(target.features()).put(target.labels());
      md.update(buf.array());
      return HexFormat.of().formatHex(md.digest()).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> fingerprintDescription(DvgsConfig cfg, NetworkSpec spec, DenseRows target) {
    TrainingConfig tc = cfg.training();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("network", spec.toString());
    d.put("optimizer", Keys.kebab(tc.optimizer()));
    d.put("learning_rate", tc.learningRate());
    d.put("momentum", tc.momentum());
    d.put("weight_decay", tc.weightDecay());
    d.put("batch_size", tc.batchSize());
    d.put("epochs", tc.epochs());
    d.put("snapshot_every", tc.snapshotEvery());
    d.put("class_balanced", cfg.model().classBalanced());
    d.put("seed", cfg.seed());
    d.put("target_rows", target.rows());
    d.put("target_width", target.width());
    if (cfg.scoring().targetGradient() != org.dvgs.config.TargetGradient.BATCH) {
      // Snapshots with per-class gradients are a different file format; the key is added only then, so that the
      // fingerprints (and reusable checkpoints) of batch-gradient runs stay what they were.
      d.put("target_gradient", Keys.kebab(cfg.scoring().targetGradient()));
    }
    if (cfg.scoring().preconditioner() != org.dvgs.config.Preconditioner.NONE) {
      // Snapshots that also store Adam's preconditioner have their own directory, so an earlier run's snapshots
      // without it are never picked up; without the option the key is absent and fingerprints stay what they were.
      d.put("preconditioner", Keys.kebab(cfg.scoring().preconditioner()));
    }
    return d;
  }
}
