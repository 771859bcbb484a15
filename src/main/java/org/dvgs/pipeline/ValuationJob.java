package org.dvgs.pipeline;

import ai.djl.Device;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.aggregation.ValueTable;
import org.dvgs.aggregation.WrittenRows;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.Keys;
import org.dvgs.config.TrainingConfig;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.io.Manifest;
import org.dvgs.io.OutputDirectory;
import org.dvgs.io.StagedOutput;
import org.dvgs.io.DenseRows;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.scoring.FaultInjection;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.ScoringProgress;
import org.dvgs.scoring.ScoringStage;
import org.dvgs.scoring.SourceBatch;
import org.dvgs.training.SnapshotStore;
import org.dvgs.training.TargetTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One valuation run: load and validate inputs, train on the target (or reuse persisted snapshots), score the
 * source on the executors, write the value table, the rejects table and, last, the manifest.
 *
 * <p>Output layout under {@code dvgs.output.path}: {@code values/run_id=<id>/} and {@code rejects/run_id=<id>/}
 * (Parquet, committed together by directory renames from {@code _staging/}), {@code checkpoints/<fingerprint>/}
 * (unless {@code dvgs.training.checkpoint-dir} points elsewhere) and, written last, {@code manifest.json}.
 */
public final class ValuationJob {
  private static final Logger LOG = LoggerFactory.getLogger(ValuationJob.class);

  /**
   * The result of a run.
   *
   * @param runId run id written into the table
   * @param output output directory
   * @param values the value table as written (read back from Parquet)
   * @param manifest the manifest as written
   * @param inputs the prepared inputs (scaled target, and the source as valued, recomputable from its lineage)
   */
  public record Outcome(String runId, String output, Dataset<Row> values, Map<String, Object> manifest, LoadedInputs inputs) {}

  private ValuationJob() {}

  /**
   * Runs a valuation.
   *
   * @param transform change of the valid source before scaling (experiments), or null
   * @param groundTruth add the {@code corrupted} column to the value table
   * @param metrics computes metrics from the written value table for the manifest, or null
   * @param extra additional manifest entries (command, experiment settings)
   */
  public static Outcome run(
      SparkSession spark,
      DvgsConfig cfg,
      InputLoader.SourceTransform transform,
      boolean groundTruth,
      Function<Dataset<Row>, Map<String, Object>> metrics,
      Map<String, Object> extra) {
    return run(spark, cfg, null, transform, groundTruth, metrics, extra, true);
  }

  /**
   * As above, with inputs already read and validated ({@code raw}, shared by several runs; null to read them here),
   * and with {@code prepare = false} when the caller has already claimed the output directory (and may have put
   * inputs there). With {@code prepare}, the run claims it ({@link OutputDirectory}) for as long as it runs.
   */
  public static Outcome run(
      SparkSession spark,
      DvgsConfig cfg,
      InputLoader.RawInputs raw,
      InputLoader.SourceTransform transform,
      boolean groundTruth,
      Function<Dataset<Row>, Map<String, Object>> metrics,
      Map<String, Object> extra,
      boolean prepare) {
    cfg.output().requirePath();
    try (OutputDirectory.Claim claim = prepare ? Outputs.claim(spark, cfg, cfg.output().path(), "value") : null;
        ScoringProgress progress = ScoringProgress.open(spark.sparkContext(), cfg.scoring().progressIntervalS())) {
      return runIn(spark, cfg, raw, transform, groundTruth, metrics, extra, progress);
    }
  }

  private static Outcome runIn(
      SparkSession spark,
      DvgsConfig cfg,
      InputLoader.RawInputs raw,
      InputLoader.SourceTransform transform,
      boolean groundTruth,
      Function<Dataset<Row>, Map<String, Object>> metrics,
      Map<String, Object> extra,
      ScoringProgress progress) {
    long t0 = System.nanoTime();
    String out = cfg.output().path();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<String, Double> timings = new LinkedHashMap<>();
    FaultInjection.propagate(jsc);
    TaskAttempts attempts = new TaskAttempts(jsc.statusTracker());

    jsc.setJobGroup("dvgs-load", "dvgs: reading and validating inputs", false);
    long t = System.nanoTime();
    boolean ownRaw = raw == null;
    InputLoader.RawInputs rawInputs =
        ownRaw ? InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize()) : raw;
    LoadedInputs in = InputLoader.prepare(rawInputs, cfg.input(), transform);
    timings.put("load_s", secs(t));

    NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
    ScoringOptions options =
        new ScoringOptions(
            cfg.scoring().similarity(),
            cfg.scoring().method(),
            ScoringOptions.layerMask(cfg.scoring().layers(), spec.layers()),
            cfg.scoring().trainModeDropout(),
            cfg.seed(),
            cfg.scoring().targetGradient());
    Device device = Engines.device(cfg.device(), -1);
    String runId = cfg.runId().isEmpty() ? "run-" + fingerprintOfConfig(cfg).substring(0, 12) : cfg.runId();

    // Training (driver), or reuse of persisted snapshots with the same fingerprint.
    jsc.setJobGroup("dvgs-training", "dvgs: training on the target set (driver)", false);
    t = System.nanoTime();
    String fingerprint = trainingFingerprint(cfg, spec, in.target());
    String ckptRoot = cfg.training().checkpointDir().isEmpty() ? new Path(out, "checkpoints").toString() : cfg.training().checkpointDir();
    int classGradients = options.withinClass() ? spec.numClasses() : 0;
    TargetTrainer trainer =
        new TargetTrainer(spec, cfg.training(), cfg.model().classBalanced(), cfg.seed(), device, classGradients > 0);
    long perRestart = snapshotsPerRestart(cfg.training(), trainer.iterationsPerEpoch(in.target().rows()));
    SnapshotStore store = new SnapshotStore(hadoop, ckptRoot, fingerprint, spec, classGradients, perRestart);
    TrainingStage.Result trained =
        TrainingStage.run(trainer, store, in.target(), cfg.training().restarts(), cfg.training().epochs(), cfg.training().logEvery());
    List<Map<String, Object>> restarts = trained.restarts();
    int reused = trained.reused();
    store.describe(Manifest.toJson(fingerprintDescription(cfg, spec, in.target())));
    timings.put("train_s", secs(t));

    // Scoring (executors).
    t = System.nanoTime();
    StorageLevel level = StorageLevel.fromString(cfg.scoring().storageLevel());
    JavaRDD<org.dvgs.io.CanonicalRow> src = in.source();
    if (cfg.scoring().partitions() > 0) {
      // By id, not round-robin: a recomputed partition then holds the same rows, which Pack orders the same way.
      src = SourceBatch.partitionById(src, cfg.scoring().partitions());
    }
    JavaRDD<SourceBatch> batches = src.mapPartitions(new SourceBatch.Pack(cfg.scoring().batchSize(), in.width())).persist(level);
    jsc.setJobGroup("dvgs-scoring", "dvgs: packing and persisting the source", false);
    long rows = SourceBatch.count(batches);
    int threads = Sessions.threadsPerTask(jsc.getConf(), cfg.scoring().intraOpThreads());
    long totalSnapshots = perRestart * cfg.training().restarts();
    progress.scoring(rows * totalSnapshots);
    ScoringStage.Result scored =
        ScoringStage.run(
            jsc, batches, rows, spec, options, store.readAll(cfg.training().restarts()), totalSnapshots,
            (long) cfg.scoring().blockMemoryMb() << 20, cfg.device(), threads, level, progress.counter());
    timings.put("score_s", secs(t));
    progress.aggregation();

    // Aggregation and output.
    t = System.nanoTime();
    jsc.setJobGroup("dvgs-aggregation", "dvgs: writing the value table", false);
    // Both tables are written in full under _staging/ and then moved into place, rejects first, so that a failed
    // run never leaves a values partition behind (see StagedOutput).
    StagedOutput staged = new StagedOutput(hadoop, out, runId);
    String valuesPath = staged.root("values");
    FaultInjection.maybeEvict(jsc, batches, level);
    // run_id lives in the partition directory name only (as Hive and Spark partitioned tables keep it).
    ValueTable.build(spark, batches, scored.stats(), runId, groundTruth).drop("run_id")
        .write().mode(SaveMode.Overwrite).parquet(staged.staged("values"));
    // The manifest reports what the files hold (their footers), and a table that does not hold every row it should
    // fails the run before anything is committed.
    long valuesWritten = WrittenRows.count(hadoop, staged.staged("values"));
    if (valuesWritten != rows) {
      throw new IllegalStateException(
          "the value table written under " + staged.staged("values") + " holds " + valuesWritten + " rows, but " + rows + " rows were valued");
    }
    long rejectedWritten = 0;
    List<String> tables = new ArrayList<>();
    if (cfg.output().writeRejects()) {
      jsc.setJobGroup("dvgs-aggregation", "dvgs: writing the rejects table", false);
      Dataset<Row> rej = ValueTable.rejects(spark, in.rejects(), runId);
      rej.drop("run_id").write().mode(SaveMode.Overwrite).parquet(staged.staged("rejects"));
      rejectedWritten = WrittenRows.count(hadoop, staged.staged("rejects"));
      long rejected = ((Number) in.counts().get("source_rejected")).longValue();
      if (rejectedWritten != rejected) {
        throw new IllegalStateException("the rejects table written under " + staged.staged("rejects") + " holds " + rejectedWritten
            + " rows, but " + rejected + " source rows were rejected");
      }
      tables.add("rejects");
    }
    tables.add("values");
    List<List<String>> committed = staged.commit(tables);
    List<String> valueFiles = committed.get(committed.size() - 1);
    jsc.setJobGroup("dvgs-aggregation", "dvgs: reading back the value table", false);
    Dataset<Row> values = spark.read().option("basePath", valuesPath).parquet(staged.partition("values"));
    String table = "";
    if (!cfg.output().table().isEmpty()) {
      if (groundTruth) {
        LOG.warn("dvgs.output.table is ignored for experiment runs (their value tables carry ground truth)");
      } else {
        CatalogTable.register(spark, cfg.output().table(), valuesPath, staged.partition("values"), runId);
        table = cfg.output().table();
      }
    }
    long valued = valuesWritten;
    Map<String, Object> metricValues = metrics == null ? Map.of() : metrics.apply(values);
    timings.put("aggregate_s", secs(t));
    scored.stats().unpersist(false);
    batches.unpersist(false);
    if (ownRaw) {
      rawInputs.release();
    }
    timings.put("total_s", secs(t0));
    jsc.clearJobGroup();

    Map<String, Object> counts = new LinkedHashMap<>(in.counts());
    counts.put("source_valued", valued);
    counts.put("source_excluded_by_experiment", (long) counts.get("source_valid") - rows);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", runId);
    m.put("seed", cfg.seed());
    if (extra != null) {
      m.putAll(extra);
    }
    m.put("versions", versions(spark));
    m.put("device", device.toString());
    // Under which MKL reproducibility mode the driver (training) and the executors (scoring) computed.
    m.put("numerics", Map.of(
        "mkl_cbwr_driver", Engines.mklReproducibilityMode(),
        "mkl_cbwr_executors", Sessions.executorMklMode(jsc.getConf()),
        "min_batch_rows", org.dvgs.scoring.SnapshotScorer.MIN_BATCH_ROWS));
    m.put("model", Map.of("widths", spec.widths(), "parameters", spec.parameterCount(), "task", Keys.kebab(spec.task())));
    Map<String, Object> scaling = new LinkedHashMap<>(in.scaler().describe());
    scaling.put("fit_on", Keys.kebab(cfg.input().scalingFit()));
    m.put("scaling", scaling);
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("feature_width", in.width());
    input.put("feature_columns", rawInputs.featureNames() == null ? List.of() : rawInputs.featureNames());
    m.put("input", input);
    m.put("counts", counts);
    m.put("training", Map.of(
        "fingerprint", fingerprint,
        "checkpoint_dir", store.directory().toString(),
        "restarts_reused", reused,
        "snapshots", scored.snapshots(),
        "restarts", restarts));
    m.put("scoring", Map.of(
        "method", Keys.kebab(cfg.scoring().method()),
        "similarity", Keys.kebab(cfg.scoring().similarity()),
        "target_gradient", Keys.kebab(cfg.scoring().targetGradient()),
        "blocks", scored.blocks(),
        "partitions", batches.getNumPartitions(),
        "intra_op_threads_per_task", threads,
        "sample_checkpoints", scored.sampleCheckpoints(),
        "sample_checkpoints_per_s", scored.throughput()));
    m.put("timings", timings);
    m.put("metrics", metricValues);
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("values", valuesPath);
    output.put("values_partition", staged.partition("values"));
    output.put("values_files", valueFiles);
    output.put("values_rows", valued);
    output.put("rejects_partition", cfg.output().writeRejects() ? staged.partition("rejects") : "");
    output.put("rejects_rows", rejectedWritten);
    output.put("table", table);
    m.put("output", output);
    Map<String, Object> sparkRun = new LinkedHashMap<>();
    sparkRun.put("master", jsc.master());
    sparkRun.put("default_parallelism", jsc.defaultParallelism());
    // Executors registered at the end (the driver counts as one in local mode; separate JVMs add to it).
    sparkRun.put("executors", spark.sparkContext().statusTracker().getExecutorInfos().length);
    sparkRun.put("failed_task_attempts", attempts.failedSince());
    m.put("spark", sparkRun);
    m.put("config", Manifest.parse(cfg.toJson()));
    Manifest.write(hadoop, out, m);
    LOG.info("run {}: {} rows valued, {} rejected, {} sample-checkpoints in {} s -> {}", runId, valued, rejectedWritten, scored.sampleCheckpoints(), String.format("%.1f", timings.get("total_s")), out);
    return new Outcome(runId, out, values, m, in);
  }

  static long snapshotsPerRestart(TrainingConfig tc, long iterationsPerEpoch) {
    long iterations = iterationsPerEpoch * tc.epochs();
    return (iterations + tc.snapshotEvery() - 1) / tc.snapshotEvery();
  }

  private static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Identifies snapshots: same network, training settings, seed and target data give the same fingerprint. */
  static String trainingFingerprint(DvgsConfig cfg, NetworkSpec spec, DenseRows target) {
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
    return d;
  }

  private static String fingerprintOfConfig(DvgsConfig cfg) {
    // The output location and overwrite flag do not change the values, so they do not change the run id.
    DvgsConfig c = cfg.with(Map.of("output.path", "", "output.overwrite", false));
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(c.toJson().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> versions(SparkSession spark) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("dvgs_spark", String.valueOf(ValuationJob.class.getPackage().getImplementationVersion()));
    v.put("spark", spark.version());
    v.put("scala", scala.util.Properties.versionNumberString());
    v.put("java", System.getProperty("java.version"));
    v.put("djl", ai.djl.engine.Engine.getDjlVersion());
    v.put("pytorch", Engines.pytorch().getVersion());
    return v;
  }
}
