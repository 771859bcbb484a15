package org.dvgs.uniqueness;

import ai.djl.Device;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.Keys;
import org.dvgs.config.Task;
import org.dvgs.config.UniqueConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Mix;
import org.dvgs.io.HashSelection;
import org.dvgs.core.InputException;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.output.Manifest;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.output.UniqueManifest;
import org.dvgs.pipeline.Sessions;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.spark.JobGroups;
import org.dvgs.training.SnapshotStore;
import org.dvgs.training.TargetTrainer;
import org.dvgs.training.TrainingStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code unique} command (data uniqueness via gradient similarity): take a trained model (a snapshot of an
 * earlier run, or trained here on the target), sample source rows, project each row's loss gradient over the last
 * layers to {@code k} dimensions ({@link KroneckerProjection}, from the ghost pass), keep the rows whose cosine
 * similarity to every kept row is below the threshold ({@link UniqueSelection}), cluster the projections with
 * k-means and write the table {@code unique/}, the 2-D principal-component view and the manifest.
 *
 * <p>Output table {@code unique/}: {@code sample_id string, label double (null without labels), kept boolean,
 * nearest_kept_id string, nearest_kept_similarity double, cluster int (null when clustering is off or the gradient
 * is zero), pc1 double, pc2 double, gradient_norm double, [projection array<float>], run_id string}. For a kept row
 * the nearest kept row is the most similar <em>other</em> kept row.
 */
public final class UniqueJob {
  private static final Logger LOG = LoggerFactory.getLogger(UniqueJob.class);
  private static final long SAMPLE_STREAM = 0x756e697173616dL;

  /**
   * The result of a run.
   *
   * @param table the output table as written (read back)
   * @param manifest the manifest as written
   */
  public record Outcome(Dataset<Row> table, UniqueManifest manifest) {}

  private static List<Long> longs(List<? extends Number> v) {
    return v.stream().map(Number::longValue).toList();
  }

  private UniqueJob() {}

  public static Outcome run(SparkSession spark, DvgsConfig cfg) {
    cfg.output().requirePath();
    // The caller's job group is back when the run returns or fails.
    JobGroups saved = JobGroups.save(spark.sparkContext());
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "unique")) {
      return runIn(spark, cfg);
    } finally {
      saved.restore();
    }
  }

  private static Outcome runIn(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    UniqueConfig u = cfg.unique();
    String out = cfg.output().path();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<String, Double> timings = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();

    jsc.setJobGroup("dvgs-load", "dvgs unique: reading and validating inputs", false);
    long t = System.nanoTime();
    InputLoader.RawInputs raw = InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize());
    LoadedInputs in = InputLoader.prepare(raw, cfg.input(), null);
    timings.put("load_s", secs(t));
    NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
    if (u.lastLayers() > spec.layers()) {
      throw new org.dvgs.config.ConfigValidationException(
          "dvgs.unique.last-layers = " + u.lastLayers() + " but the network " + spec + " has " + spec.layers() + " linear layers");
    }
    Device device = Engines.device(cfg.device(), -1);

    jsc.setJobGroup("dvgs-training", "dvgs unique: the model", false);
    t = System.nanoTime();
    Chosen chosenModel = model(cfg, spec, in, hadoop, out, device);
    Snapshot snapshot = chosenModel.snapshot();
    timings.put("model_s", secs(t));

    // Sample after scaling, so rows are scaled exactly as the model's training saw them.
    t = System.nanoTime();
    StorageLevel level = StorageLevel.fromString(cfg.scoring().storageLevel());
    JavaRDD<CanonicalRow> rows = sample(in.source(), u.sampleSize(), cfg.seed());
    if (u.partitions() > 0) {
      // By id and sorted, not round-robin: a recomputed partition holds the same rows in the same order, so the
      // projections, the per-partition candidates and the selection are the same after a lost executor.
      rows = org.dvgs.scoring.SourceBatch.partitionAndSortById(rows, u.partitions());
    }
    long n = rows.count();
    if (n == 0) {
      throw new InputException("source table " + cfg.input().source().path() + " has no valid rows to evaluate");
    }
    int k = u.dimension(n);
    String warn = u.dimensionWarning(n);
    if (warn != null) {
      LOG.warn(warn);
      warnings.add(warn);
    }
    KroneckerProjection projection = new KroneckerProjection(cfg.seed(), spec, u.lastLayers(), k);
    int threads = Sessions.threadsPerTask(jsc.getConf(), cfg.scoring().intraOpThreads());
    Broadcast<ParameterSet> params = jsc.broadcast(snapshot.parameters());
    jsc.setJobGroup("dvgs-unique", "dvgs unique: projecting " + n + " gradients to " + k + " dimensions", false);
    JavaRDD<ProjectedRow> projected =
        rows.mapPartitions(new ProjectRows(spec, params, projection, u.batchSize(), cfg.seed(), cfg.device(), threads, spec.task() != Task.AUTOENCODER))
            .persist(level);
    long projectedRows = projected.count();
    timings.put("project_s", secs(t));
    JavaRDD<ProjectedRow> nonZero = projected.filter(UniqueJob::nonZero).persist(level);
    long zero = projectedRows - nonZero.count();

    t = System.nanoTime();
    UniqueSelection.Result sel = UniqueSelection.run(jsc, nonZero, k, u.threshold(), level);
    timings.put("select_s", secs(t));

    t = System.nanoTime();
    Dataset<Row> assigned = assignments(spark, sel.assignments(), projected, nonZero);
    Clustered clusteredRows = cluster(assigned, u, cfg.seed());
    Dataset<Row> clustered = clusteredRows.table();
    timings.put("cluster_s", secs(t));

    t = System.nanoTime();
    String runId = cfg.runId().isEmpty() ? "unique-" + Long.toHexString(Mix.hash(cfg.toJson())) : cfg.runId();
    Dataset<Row> table = clustered.withColumn("run_id", functions.lit(runId));
    List<String> columns = new ArrayList<>(List.of("sample_id", "label", "kept", "nearest_kept_id", "nearest_kept_similarity",
        "cluster", "pc1", "pc2", "gradient_norm"));
    if (u.writeProjection()) {
      columns.add("projection");
    }
    columns.add("run_id");
    String tablePath = new Path(out, "unique").toString();
    table.select(columns.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
        .write().mode(SaveMode.Overwrite).parquet(tablePath);
    if (cfg.output().writeRejects()) {
      org.dvgs.aggregation.ValueTable.rejects(spark, in.rejects(), runId).write().mode(SaveMode.Overwrite).parquet(new Path(out, "rejects").toString());
    }
    Dataset<Row> written = spark.read().parquet(tablePath);
    UniqueManifest.Summary summary = summary(written, spec.task() == Task.CLASSIFIER);
    timings.put("write_s", secs(t));
    projected.unpersist(false);
    nonZero.unpersist(false);
    sel.assignments().unpersist(false);
    params.unpersist(false);
    raw.release();
    timings.put("total_s", secs(t0));

    List<Integer> layers = new ArrayList<>();
    for (int l = 0; l < spec.layers(); l++) {
      if (projection.includes(l)) {
        layers.add(l);
      }
    }
    UniqueManifest m = new UniqueManifest(
        UniqueManifest.COMMAND,
        runId,
        cfg.seed(),
        ValuationJob.versions(spark),
        device.toString(),
        chosenModel.manifest(),
        UniqueManifest.Counts.of(in.counts(), n, zero, sel.kept().size()),
        new UniqueManifest.Projection(k, u.k(), u.eps(), UniqueConfig.jlDimension(n, u.eps()), layers, projection.gradientDimension(),
            "kronecker-factored rademacher rows (u_j kron v_j), seeded"),
        new UniqueManifest.Selection(u.threshold(), sel.pools().size(), longs(sel.pools()), longs(sel.candidates()), longs(sel.added()),
            rows.getNumPartitions()),
        clusteredRows.manifest(),
        summary,
        new UniqueManifest.PerRow(1e6 * timings.get("project_s") / n, 1e6 * timings.get("select_s") / n),
        warnings,
        new UniqueManifest.Timings(timings.get("load_s"), timings.get("model_s"), timings.get("project_s"), timings.get("select_s"),
            timings.get("cluster_s"), timings.get("write_s"), timings.get("total_s")),
        new UniqueManifest.Output(tablePath, projectedRows),
        Manifest.parse(cfg.toJson()));
    Manifest.write(hadoop, out, m);
    LOG.info("unique {}: {} rows, {} kept, k = {}, {} clusters, {} s -> {}", runId, n, sel.kept().size(), k,
        clusteredRows.manifest().clusters(), String.format("%.1f", timings.get("total_s")), out);
    return new Outcome(written, m);
  }

  private static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static boolean nonZero(ProjectedRow r) {
    return r.norm() > 0;
  }

  /**
   * The snapshot the gradients are taken at, and how the manifest describes it.
   *
   * @param snapshot the snapshot
   * @param manifest where it came from
   */
  record Chosen(Snapshot snapshot, UniqueManifest.Model manifest) {}

  /**
   * The clustered rows, and how the manifest describes the clustering.
   *
   * @param table the rows with {@code cluster}, {@code pc1}, {@code pc2}
   * @param manifest the principal components' explained variance and the k-means clustering
   */
  record Clustered(Dataset<Row> table, UniqueManifest.Clustering manifest) {}

  /** The model: a snapshot of an earlier run, or the latest snapshot of training on the target here. */
  static Chosen model(DvgsConfig cfg, NetworkSpec spec, LoadedInputs in, Configuration hadoop, String out, Device device) {
    UniqueConfig u = cfg.unique();
    SnapshotStore store;
    String source;
    String fingerprint = null;
    boolean preconditioned = cfg.scoring().preconditioner() == org.dvgs.config.Preconditioner.ADAM;
    if (!u.snapshotDir().isEmpty()) {
      Path dir = new Path(u.snapshotDir());
      String parent = dir.getParent() == null ? "." : dir.getParent().toString();
      // Snapshots written by value/evaluate with the same configuration carry Adam's preconditioner exactly when its
      // scoring.preconditioner resolves to adam; a file of the other kind is refused naming that key.
      store = new SnapshotStore(hadoop, parent, dir.getName(), spec, 0, preconditioned, -1);
      SnapshotStore.Check check;
      try {
        check = store.check(u.restart());
      } catch (UncheckedIOException e) {
        throw new InputException("dvgs.unique.snapshot-dir: " + e.getMessage());
      }
      if (check.state() == SnapshotStore.State.MISSING) {
        throw new InputException("dvgs.unique.snapshot-dir = " + u.snapshotDir() + " holds no "
            + String.format("restart-%05d.snap", u.restart()) + " (dvgs.unique.restart = " + u.restart() + ")");
      }
      if (!check.good()) {
        // Another run's snapshots, given as input: reported, not moved.
        throw new InputException("dvgs.unique.snapshot-dir: restart " + u.restart() + " cannot be used: " + check.problem());
      }
      source = "snapshot-dir";
    } else {
      fingerprint = ValuationJob.trainingFingerprint(cfg, spec, in.target());
      String root = cfg.training().checkpointDir().isEmpty() ? new Path(out, "checkpoints").toString() : cfg.training().checkpointDir();
      // Trained and stored as a valuation run of this configuration does (its fingerprint says whether the snapshots
      // carry Adam's preconditioner), so that either can reuse the other's files.
      TargetTrainer trainer = new TargetTrainer(spec, cfg.training(), cfg.model().classBalanced(), cfg.seed(), device, false, preconditioned);
      long perRestart = ValuationJob.snapshotsPerRestart(cfg.training(), trainer.iterationsPerEpoch(in.target().rows()));
      store = new SnapshotStore(hadoop, root, fingerprint, spec, 0, preconditioned, perRestart);
      TrainingStage.Result trained = TrainingStage.run(trainer, store, in.target(), u.restart() + 1, cfg.training().epochs(), cfg.training().logEvery());
      source = trained.reused() == u.restart() + 1 ? "reused-snapshots" : "trained";
    }
    Snapshot chosen = null;
    int index = -1;
    try {
      Iterator<Snapshot> it = store.read(u.restart());
      while (it.hasNext()) {
        Snapshot s = it.next();
        index++;
        chosen = s;
        if (index == u.checkpoint()) {
          break;
        }
      }
    } catch (UncheckedIOException e) {
      throw new InputException("dvgs.unique.snapshot-dir: " + e.getMessage());
    }
    if (chosen == null || (u.checkpoint() >= 0 && index != u.checkpoint())) {
      throw new InputException("dvgs.unique.checkpoint = " + u.checkpoint() + " but " + store.directory() + " holds "
          + (index + 1) + " snapshots for restart " + u.restart());
    }
    List<Integer> widths = java.util.Arrays.stream(spec.widths()).boxed().toList();
    return new Chosen(chosen, new UniqueManifest.Model(source, fingerprint, store.directory().toString(), chosen.restart(), index,
        chosen.iteration(), chosen.targetLoss(), widths, spec.parameterCount(), Keys.kebab(spec.task())));
  }

  /** {@code size} rows with the smallest seeded hash of their id (all rows when {@code size} is 0). */
  static JavaRDD<CanonicalRow> sample(JavaRDD<CanonicalRow> valid, int size, long seed) {
    if (size <= 0) {
      return valid;
    }
    long stream = Mix.mix(seed, SAMPLE_STREAM);
    List<Long> smallest = HashSelection.smallestKeys(valid, stream, size);
    if (smallest.size() < size) {
      LOG.info("dvgs.unique.sample-size = {} but the source has {} valid rows: using all", size, smallest.size());
      return valid;
    }
    return HashSelection.filter(valid, stream, smallest.get(smallest.size() - 1), true);
  }

  static final StructType ASSIGNED = DataTypes.createStructType(List.of(
      DataTypes.createStructField("sample_id", DataTypes.StringType, false),
      DataTypes.createStructField("label", DataTypes.DoubleType, true),
      DataTypes.createStructField("kept", DataTypes.BooleanType, false),
      DataTypes.createStructField("nearest_kept_id", DataTypes.StringType, true),
      DataTypes.createStructField("nearest_kept_similarity", DataTypes.DoubleType, true),
      DataTypes.createStructField("gradient_norm", DataTypes.DoubleType, false),
      DataTypes.createStructField("unit", new VectorUDT(), true),
      DataTypes.createStructField("projection", DataTypes.createArrayType(DataTypes.FloatType, false), false)));

  /** Every projected row with its outcome; zero-gradient rows are neither kept nor near anything. */
  private static Dataset<Row> assignments(SparkSession spark, JavaRDD<UniqueSelection.Assignment> a, JavaRDD<ProjectedRow> all,
      JavaRDD<ProjectedRow> nonZero) {
    JavaRDD<Row> selected = a.map(UniqueJob::assignedRow);
    JavaRDD<Row> zero = all.filter(UniqueJob::isZero).map(UniqueJob::zeroRow);
    return spark.createDataFrame(selected.union(zero), ASSIGNED);
  }

  private static boolean isZero(ProjectedRow r) {
    return !(r.norm() > 0);
  }

  private static Row assignedRow(UniqueSelection.Assignment s) {
    ProjectedRow r = s.row();
    return RowFactory.create(r.id(), Double.isNaN(r.label()) ? null : r.label(), s.kept(), s.nearestId(),
        Double.isNaN(s.nearestSimilarity()) ? null : s.nearestSimilarity(), (double) r.norm(), unitVector(r), boxed(r.projection()));
  }

  private static Row zeroRow(ProjectedRow r) {
    return RowFactory.create(r.id(), Double.isNaN(r.label()) ? null : r.label(), false, null, null, (double) r.norm(), null,
        boxed(r.projection()));
  }

  private static Vector unitVector(ProjectedRow r) {
    double[] d = new double[r.unit().length];
    for (int j = 0; j < d.length; j++) {
      d[j] = r.unit()[j];
    }
    return Vectors.dense(d);
  }

  private static Float[] boxed(float[] f) {
    Float[] b = new Float[f.length];
    for (int i = 0; i < f.length; i++) {
      b[i] = f[i];
    }
    return b;
  }

  /**
   * k-means on the unit projected gradients (Euclidean distance on unit vectors orders pairs as cosine similarity
   * does), with the count given or chosen by the best silhouette; and the first two principal components for a 2-D
   * view. Adds {@code cluster}, {@code pc1}, {@code pc2}.
   */
  static Clustered cluster(Dataset<Row> assigned, UniqueConfig u, long seed) {
    List<Double> explained = null;
    Dataset<Row> withUnit = assigned.filter(functions.col("unit").isNotNull()).cache();
    long n = withUnit.count();
    Dataset<Row> result;
    if (n >= 3) {
      PCAModel pca = new PCA().setInputCol("unit").setOutputCol("pcs").setK(Math.min(2, ((Vector) withUnit.first().getAs("unit")).size())).fit(withUnit);
      explained = java.util.Arrays.stream(pca.explainedVariance().toArray()).boxed().toList();
      result = pca.transform(withUnit)
          .withColumn("pcs_arr", org.apache.spark.ml.functions.vector_to_array(functions.col("pcs"), "float64"))
          .withColumn("pc1", functions.col("pcs_arr").getItem(0))
          .withColumn("pc2", functions.when(functions.size(functions.col("pcs_arr")).gt(1), functions.col("pcs_arr").getItem(1)).otherwise(0.0))
          .drop("pcs", "pcs_arr");
    } else {
      result = withUnit.withColumn("pc1", functions.lit(0.0)).withColumn("pc2", functions.lit(0.0));
    }
    UniqueManifest.Clustering info;
    if (u.clustersEnabled() && n >= 3) {
      ClusteringEvaluator evaluator = new ClusteringEvaluator().setFeaturesCol("unit").setPredictionCol("cluster");
      Map<Integer, Double> silhouettes = new TreeMap<>();
      KMeansModel best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      List<Integer> counts = new ArrayList<>();
      if (u.clusters() > 0) {
        counts.add((int) Math.min(u.clusters(), n));
      } else {
        for (int c = u.clustersMin(); c <= Math.min(u.clustersMax(), n - 1); c++) {
          counts.add(c);
        }
      }
      for (int c : counts) {
        KMeansModel model = new KMeans().setK(c).setSeed(seed).setMaxIter(u.clustersMaxIter()).setFeaturesCol("unit")
            .setPredictionCol("cluster").fit(withUnit);
        double s = evaluator.evaluate(model.transform(withUnit));
        silhouettes.put(c, s);
        LOG.info("k-means with {} clusters: silhouette {}", c, String.format("%.4f", s));
        if (s > bestScore) {
          bestScore = s;
          best = model;
        }
      }
      Map<String, Double> byCount = new LinkedHashMap<>();
      silhouettes.forEach((c, s) -> byCount.put(String.valueOf(c), s));
      info = new UniqueManifest.Clustering(explained, best.getK(), u.clusters() > 0 ? "config" : "silhouette", bestScore, byCount);
      result = best.transform(result);
    } else {
      info = new UniqueManifest.Clustering(explained, 0, null, null, null);
      result = result.withColumn("cluster", functions.lit(null).cast(DataTypes.IntegerType));
    }
    Dataset<Row> zero = assigned.filter(functions.col("unit").isNull())
        .withColumn("pc1", functions.lit(null).cast(DataTypes.DoubleType))
        .withColumn("pc2", functions.lit(null).cast(DataTypes.DoubleType))
        .withColumn("cluster", functions.lit(null).cast(DataTypes.IntegerType));
    return new Clustered(result.unionByName(zero), info);
  }

  /** Kept rows per label and per cluster, cluster sizes, and class coverage (classifier). */
  static UniqueManifest.Summary summary(Dataset<Row> table, boolean classes) {
    Map<String, UniqueManifest.Cell> clusters = new TreeMap<>();
    for (Row r : table.filter(functions.col("cluster").isNotNull()).groupBy("cluster")
        .agg(functions.count("*").as("rows"), functions.sum(functions.col("kept").cast("int")).as("kept")).collectAsList()) {
      clusters.put(String.valueOf(r.getInt(0)), new UniqueManifest.Cell(r.getLong(1), r.getLong(2)));
    }
    long withKept = clusters.values().stream().filter(v -> v.kept() > 0).count();
    if (!classes) {
      return new UniqueManifest.Summary(clusters, withKept, null, null, null, null);
    }
    Map<String, UniqueManifest.Cell> labels = new TreeMap<>();
    long covered = 0;
    for (Row r : table.groupBy("label")
        .agg(functions.count("*").as("rows"), functions.sum(functions.col("kept").cast("int")).as("kept")).collectAsList()) {
      long kept = r.getLong(2);
      labels.put(String.valueOf((int) r.getDouble(0)), new UniqueManifest.Cell(r.getLong(1), kept));
      covered += kept > 0 ? 1 : 0;
    }
    Map<Long, Long> cells = new java.util.HashMap<>();
    for (Row r : table.filter(functions.col("cluster").isNotNull()).groupBy("label", "cluster").count().collectAsList()) {
      cells.put(((long) (int) r.getDouble(0) << 32) ^ (r.getInt(1) & 0xffffffffL), r.getLong(2));
    }
    Double ari = cells.isEmpty() ? null : org.dvgs.evaluation.AdjustedRand.ofContingency(cells);
    return new UniqueManifest.Summary(clusters, withKept, labels, ari, labels.size(), covered);
  }

}
