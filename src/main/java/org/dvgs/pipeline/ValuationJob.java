package org.dvgs.pipeline;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.dvgs.core.DenseRows;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.output.CatalogTable;
import org.dvgs.output.Manifest;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.output.RestartSummary;
import org.dvgs.output.StagedOutput;
import org.dvgs.output.ValueManifest;
import org.dvgs.output.Versions;
import org.dvgs.scoring.CheckpointWeights;
import org.dvgs.scoring.FaultInjection;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.ScoringProgress;
import org.dvgs.scoring.ScoringStage;
import org.dvgs.scoring.SourceBatch;
import org.dvgs.spark.JobGroups;
import org.dvgs.training.SnapshotStore;
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
   * @param training what the training step did (fingerprint, snapshot store, restarts)
   * @param valued rows in the written value table
   * @param rejected rows in the written rejects table (0 when rejects are not written)
   * @param rejectedByReason source rows rejected, by reason category
   * @param timings seconds per phase ({@code load_s}, {@code engine_s}, {@code train_s}, {@code pack_s}, {@code score_s},
   *     {@code write_s}, {@code metrics_s}, {@code aggregate_s}, {@code total_s} and, after the manifest,
   *     {@code manifest_s})
   */
  public record Outcome(
      String runId,
      String output,
      Dataset<Row> values,
      ValueManifest manifest,
      LoadedInputs inputs,
      TrainingStep.Trained training,
      long valued,
      long rejected,
      Map<String, Long> rejectedByReason,
      Map<String, Double> timings) {}

  private ValuationJob() {}

  /**
   * Runs a valuation: reads and validates the inputs (unless the request carries them), trains or reuses the
   * snapshots, scores the source on the executors and writes the tables and the manifest. With
   * {@link ValuationRequest#claimOutput()} the run claims the output directory ({@link OutputDirectory}) for as long
   * as it runs. The calling thread's Spark job group is restored when the run ends.
   */
  public static Outcome run(SparkSession spark, ValuationRequest request) {
    DvgsConfig cfg = request.config();
    cfg.output().requirePath();
    JobGroups saved = JobGroups.save(JavaSparkContext.fromSparkContext(spark.sparkContext()));
    try (OutputDirectory.Claim claim = request.claimOutput() ? Outputs.claim(spark, cfg, cfg.output().path(), "value") : null;
        ScoringProgress progress = ScoringProgress.open(spark.sparkContext(), cfg.scoring().progressIntervalS())) {
      return runIn(spark, request, progress);
    } finally {
      saved.restore();
    }
  }

  private static Outcome runIn(SparkSession spark, ValuationRequest request, ScoringProgress progress) {
    DvgsConfig cfg = request.config();
    InputLoader.RawInputs raw = request.raw();
    InputLoader.SourceTransform transform = request.transform();
    boolean groundTruth = request.groundTruth();
    ValuationRequest.TableMetrics metrics = request.metrics();
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

    String runId = cfg.runId().isEmpty() ? "run-" + fingerprintOfConfig(cfg).substring(0, 12) : cfg.runId();

    // The engine may still be loading on its background thread (ProcessClock.preloadEngine): the wait is its own phase.
    timings.put("engine_s", ProcessClock.awaitEngine(cfg.device()));

    // Training (driver), or reuse of persisted snapshots with the same fingerprint: the step DvgsValuation.fit runs.
    jsc.setJobGroup("dvgs-training", "dvgs: training on the target set (driver)", false);
    t = System.nanoTime();
    TrainingStep.Trained trainedStep =
        TrainingStep.train(hadoop, cfg, in.target(), in.numClasses(), new Path(out, "checkpoints").toString());
    NetworkSpec spec = trainedStep.spec();
    ScoringOptions options = trainedStep.options();
    Device device = trainedStep.device();
    String fingerprint = trainedStep.fingerprint();
    SnapshotStore store = trainedStep.store();
    long perRestart = trainedStep.snapshotsPerRestart();
    List<RestartSummary> restarts = trainedStep.restartInfo();
    int reused = trainedStep.reused();
    timings.put("train_s", secs(t));

    // Scoring (executors).
    org.dvgs.scoring.CheckpointWeights.requireSnapshots(cfg.aggregation(), perRestart);
    t = System.nanoTime();
    StorageLevel level = StorageLevel.fromString(cfg.scoring().storageLevel());
    JavaRDD<org.dvgs.core.CanonicalRow> src = in.source();
    if (cfg.scoring().partitions() > 0) {
      // By id, not round-robin: a recomputed partition then holds the same rows, which Pack orders the same way.
      src = SourceBatch.partitionById(src, cfg.scoring().partitions());
    }
    JavaRDD<SourceBatch> batches = src.mapPartitions(new SourceBatch.Pack(cfg.scoring().batchSize(), in.width())).persist(level);
    jsc.setJobGroup("dvgs-scoring", "dvgs: packing and persisting the source", false);
    long rows = SourceBatch.count(batches);
    timings.put("pack_s", secs(t));
    int threads = Sessions.threadsPerTask(jsc.getConf(), cfg.scoring().intraOpThreads());
    long totalSnapshots = perRestart * cfg.training().restarts();
    // Burn-in snapshots are never scored, so they are not in the total (loss-drop zeros lower it as they are found).
    progress.scoring(rows * CheckpointWeights.countedAtMost(cfg.aggregation(), perRestart, cfg.training().restarts()));
    ScoringStage.Result scored =
        ScoringStage.run(
            jsc, batches, rows, spec, options, store.readAll(cfg.training().restarts()), totalSnapshots,
            (long) cfg.scoring().blockMemoryMb() << 20, cfg.device(), threads, level, progress, cfg.aggregation(),
            cfg.training().learningRate());
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
    ValueTable.build(spark, batches, scored.stats(), runId, groundTruth, cfg.aggregation().combine(), rows).drop("run_id")
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
      // No rejected rows: an empty table of the schema, written without computing the source again to find none.
      Dataset<Row> rej = in.counts().sourceRejected() == 0
          ? spark.createDataFrame(List.<Row>of(), ValueTable.rejectsSchema())
          : ValueTable.rejects(spark, in.rejects(), runId);
      rej.drop("run_id").write().mode(SaveMode.Overwrite).parquet(staged.staged("rejects"));
      rejectedWritten = WrittenRows.count(hadoop, staged.staged("rejects"));
      long rejected = in.counts().sourceRejected();
      if (rejectedWritten != rejected) {
        throw new IllegalStateException("the rejects table written under " + staged.staged("rejects") + " holds " + rejectedWritten
            + " rows, but " + rejected + " source rows were rejected");
      }
      tables.add("rejects");
    }
    tables.add("values");
    List<List<String>> committed = staged.commit(tables);
    List<String> valueFiles = committed.get(committed.size() - 1);
    timings.put("write_s", secs(t));
    jsc.setJobGroup("dvgs-aggregation", "dvgs: reading back the value table", false);
    // With its schema given, reading the table back needs no Spark job to infer it from a footer.
    Dataset<Row> values = spark.read().schema(ValueTable.readSchema(groundTruth)).option("basePath", valuesPath).parquet(staged.partition("values"));
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
    long tm = System.nanoTime();
    Map<String, Object> metricValues = metrics == null ? Map.of() : metrics.of(values, valued);
    timings.put("metrics_s", secs(tm));
    timings.put("aggregate_s", secs(t));
    scored.stats().unpersist(false);
    batches.unpersist(false);
    if (ownRaw) {
      rawInputs.release();
    }
    timings.put("total_s", secs(t0));

    ValueManifest.Invocation invocation = request.invocation();
    ValueManifest m = new ValueManifest(
        runId,
        cfg.seed(),
        invocation.command(),
        invocation.experiment(),
        invocation.demo(),
        invocation.scaleRows(),
        versions(spark),
        device.toString(),
        // Under which MKL reproducibility mode the driver (training) and the executors (scoring) computed.
        new ValueManifest.Numerics(
            Engines.mklReproducibilityMode(), Sessions.executorMklMode(jsc.getConf()), org.dvgs.scoring.SnapshotScorer.MIN_BATCH_ROWS),
        new ValueManifest.Model(widths(spec), spec.parameterCount(), Keys.kebab(spec.task())),
        in.scaler().describe(Keys.kebab(cfg.input().scalingFit())),
        new ValueManifest.Input(in.width(), rawInputs.featureNames() == null ? List.of() : rawInputs.featureNames()),
        ValueManifest.Counts.of(in.counts(), valued, in.counts().sourceValid() - rows),
        new ValueManifest.Training(fingerprint, store.directory().toString(), reused, scored.snapshots(), restarts),
        new ValueManifest.Scoring(
            Keys.kebab(cfg.scoring().method()), Keys.kebab(cfg.scoring().similarity()), Keys.kebab(cfg.scoring().targetGradient()),
            Keys.kebab(cfg.scoring().preconditioner()), scored.blocks(), batches.getNumPartitions(), threads, scored.sampleCheckpoints(), scored.throughput()),
        new ValueManifest.Timings(timings.get("load_s"), timings.get("train_s"), timings.get("score_s"), timings.get("aggregate_s"), timings.get("total_s"),
            timings.get("engine_s"), timings.get("pack_s"), scored.blockSeconds(), timings.get("write_s"), timings.get("metrics_s")),
        metricValues,
        new ValueManifest.Output(valuesPath, staged.partition("values"), valueFiles, valued,
            cfg.output().writeRejects() ? staged.partition("rejects") : "", rejectedWritten, table),
        // Executors registered at the end (the driver counts as one in local mode; separate JVMs add to it).
        new ValueManifest.SparkRun(jsc.master(), jsc.defaultParallelism(), spark.sparkContext().statusTracker().getExecutorInfos().length,
            attempts.failedSince()),
        Manifest.parse(cfg.toJson()));
    long tw = System.nanoTime();
    Manifest.write(hadoop, out, m);
    // Written after its manifest: the seed timings of evaluate carry it.
    timings.put("manifest_s", secs(tw));
    LOG.info("run {}: {} rows valued, {} rejected, {} sample-checkpoints in {} s -> {}", runId, valued, rejectedWritten, scored.sampleCheckpoints(), String.format("%.1f", timings.get("total_s")), out);
    Map<String, Long> byReason = in.counts().rejectedByReason();
    return new Outcome(runId, out, values, m, in, trainedStep, valued, rejectedWritten,
        byReason == null ? Map.of() : Map.copyOf(byReason), Map.copyOf(timings));
  }

  /** How many snapshots one restart writes: one every {@code snapshot-every} iterations, rounded up. */
  public static long snapshotsPerRestart(TrainingConfig tc, long iterationsPerEpoch) {
    return TrainingStep.snapshotsPerRestart(tc, iterationsPerEpoch);
  }

  private static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Identifies snapshots (see {@link TrainingStep#fingerprint}). */
  public static String trainingFingerprint(DvgsConfig cfg, NetworkSpec spec, DenseRows target) {
    return TrainingStep.fingerprint(cfg, spec, target);
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

  /** The versions of dvgs-spark, Spark, Scala, Java, DJL and PyTorch, for a manifest. */
  public static Versions versions(SparkSession spark) {
    return new Versions(
        String.valueOf(ValuationJob.class.getPackage().getImplementationVersion()),
        spark.version(),
        scala.util.Properties.versionNumberString(),
        System.getProperty("java.version"),
        ai.djl.engine.Engine.getDjlVersion(),
        Engines.pytorch().getVersion(),
        Versions.runningJavaCompilers());
  }

  private static List<Integer> widths(NetworkSpec spec) {
    return java.util.Arrays.stream(spec.widths()).boxed().toList();
  }
}
