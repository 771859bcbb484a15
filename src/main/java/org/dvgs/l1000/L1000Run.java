package org.dvgs.l1000;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.SplitMode;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.evaluation.Correlations;
import org.dvgs.evaluation.FilterRetrain;
import org.dvgs.evaluation.RetrainModels;
import org.dvgs.io.BalancedSplit;
import org.dvgs.io.ColumnPlan;
import org.dvgs.core.InputException;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.io.TableReader;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.output.Manifest;
import org.dvgs.output.L1000Manifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.output.ValueManifest;
import org.dvgs.pipeline.EvaluateRun;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code l1000} command: values an ingested L1000 table (the output of {@code ingest}, with its {@code apc}
 * column) as the DVGS paper does, and compares the values with APC.
 *
 * <ol>
 *   <li>Valuation with the configured model (the paper: autoencoder 978-256-256-64-256-256-978, MSE) and
 *       {@code split.mode = group-balanced} (held-out test set, target balanced over compounds, source = rest).
 *   <li>{@code values_with_metadata/}: every valued signature with its value and all its metadata, APC included.
 *   <li>Pearson and Spearman correlation of value and APC over the signatures that have an APC.
 *   <li>Filter-and-retrain curves (the paper's Figure 5): remove the lowest or highest fraction q of the source by
 *       value, and separately by APC, retrain a fresh model on the rest and score R^2 on the held-out test set.
 *       Both rankings use the same rows (the source signatures with an APC) and the same test set.
 * </ol>
 */
public final class L1000Run {
  private static final Logger LOG = LoggerFactory.getLogger(L1000Run.class);

  private L1000Run() {}

  /** Runs the comparison in its claimed output directory and returns the manifest. */
  public static L1000Manifest run(SparkSession spark, DvgsConfig cfg) {
    cfg.output().requirePath();
    if (cfg.input().splitMode() != SplitMode.GROUP_BALANCED) {
      throw new org.dvgs.config.ConfigValidationException(
          "the l1000 command needs dvgs.input.split.mode = group-balanced (its held-out test set scores the retrained models)");
    }
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "l1000")) {
      return runIn(spark, cfg);
    }
  }

  private static L1000Manifest runIn(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    Dataset<Row> signatures = TableReader.read(spark, cfg.input().source(), "source");
    if (!List.of(signatures.columns()).contains(Apc.APC)) {
      throw new InputException("source table " + cfg.input().source().path() + " has no '" + Apc.APC + "' column; ingest it with --level4 FILE");
    }
    String id = cfg.input().source().idColumn();
    ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.builder(cfg).command("l1000").claimOutput(false).build());
    String out = cfg.output().path();
    double valuationS = o.manifest().timings().totalS();

    // Values joined with every metadata field (the features stay in the signatures table).
    long t = System.nanoTime();
    Dataset<Row> meta = TableReader.userColumns(signatures).drop(L1000Table.FEATURES);
    if (!id.equals("sample_id")) {
      meta = meta.withColumnRenamed(id, "sample_id");
    }
    Dataset<Row> joined = o.values().join(meta, "sample_id");
    String joinedPath = new Path(out, "values_with_metadata").toString();
    joined.write().mode(SaveMode.Overwrite).parquet(joinedPath);
    Dataset<Row> withMeta = spark.read().parquet(joinedPath);
    Correlations.Pair c = Correlations.of(withMeta, "value", Apc.APC);
    L1000Manifest.Correlation corr = new L1000Manifest.Correlation(c.n(), c.pearson(), c.spearman());
    double joinS = (System.nanoTime() - t) / 1e9;

    // Held-out test rows, drawn exactly as the valuation drew them, on the valuation's scale.
    t = System.nanoTime();
    LoadedInputs in = o.inputs();
    Dataset<Row> split = BalancedSplit.assign(signatures, id, cfg.input().balanced(), cfg.seed(), "source table " + cfg.input().source().path());
    Dataset<Row> testDf = split.filter(split.col(BalancedSplit.COLUMN).equalTo(BalancedSplit.TEST));
    ColumnPlan plan = ColumnPlan.resolve("held-out test rows", testDf.schema(), cfg.input().source(),
        List.of(BalancedSplit.COLUMN, cfg.input().balanced().groupColumn()), false);
    // Invalid held-out rows cannot score a model; they are counted (by reason) rather than dropped unseen.
    JavaRDD<CanonicalRow> checkedTest = TableReader.canonical(testDf, plan).map(new Checked(in.width()));
    InputLoader.RowCounts testCounts = InputLoader.countRows(checkedTest);
    JavaRDD<CanonicalRow> test = checkedTest.filter(CanonicalRow::valid);
    JavaRDD<CanonicalRow> scaledTest = InputLoader.scale(test, in.scaler());

    // Both rankings on the same rows: source signatures that have an APC.
    Dataset<Row> apcRanking = meta.select(meta.col("sample_id"), meta.col(Apc.APC)).filter(meta.col(Apc.APC).isNotNull());
    JavaRDD<CanonicalRow> source = in.source().keyBy(CanonicalRow::id)
        .join(apcRanking.javaRDD().keyBy(L1000Run::firstString))
        .values().map(L1000Run::left);
    NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
    TrainingConfig tc = EvaluateRun.retrainTraining(cfg.training(), cfg.evaluation().retrain());
    FilterRetrain.Model model = RetrainModels.of(
        cfg.evaluation().retrain().model(), spec, tc, cfg.model().classBalanced(), Engines.device(cfg.device(), -1), cfg.evaluation().retrain().maxIter());
    List<Double> grid = cfg.evaluation().retrain().grid();
    List<FilterRetrain.Point> byValue;
    List<FilterRetrain.Point> byApc;
    // Both rankings share the model trained on all of these rows.
    try (FilterRetrain f = FilterRetrain.on(spark, source, scaledTest, model, cfg.seed())) {
      byValue = f.curves(o.values(), "value", grid);
      byApc = f.curves(apcRanking, Apc.APC, grid);
    }
    double retrainS = (System.nanoTime() - t) / 1e9;

    List<Row> rows = new ArrayList<>();
    List<L1000Manifest.CurvePoint> curves = new ArrayList<>();
    for (String ranking : List.of("value", Apc.APC)) {
      for (FilterRetrain.Point p : ranking.equals("value") ? byValue : byApc) {
        String dir = p.direction().name().toLowerCase(java.util.Locale.ROOT);
        rows.add(RowFactory.create(ranking, dir, p.q(), p.metric(), p.trainRows()));
        curves.add(L1000Manifest.CurvePoint.of(ranking, dir, p.q(), model.metric(), p.metric(), p.trainRows()));
      }
    }
    String curvesPath = new Path(out, "retrain_curves").toString();
    spark.createDataFrame(rows, DataTypes.createStructType(List.of(
            DataTypes.createStructField("ranking", DataTypes.StringType, false),
            DataTypes.createStructField("removed", DataTypes.StringType, false),
            DataTypes.createStructField("q", DataTypes.DoubleType, false),
            DataTypes.createStructField(model.metric(), DataTypes.DoubleType, false),
            DataTypes.createStructField("train_rows", DataTypes.LongType, false))))
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(curvesPath);

    L1000Manifest.Metrics metrics = new L1000Manifest.Metrics(corr, model.metric(), testCounts.valid(), testCounts.read(),
        testCounts.valid(), testCounts.rejected(), testCounts.rejectedByReason(), curves);
    ValueManifest v = o.manifest();
    // The valuation's own metrics are replaced by the comparison's, as this manifest has always held them.
    ValueManifest valuation = new ValueManifest(v.runId(), v.seed(), L1000Manifest.COMMAND, v.experiment(), v.demo(), v.scaleRows(), v.versions(),
        v.device(), v.numerics(), v.model(), v.scaling(), v.input(), v.counts(), v.training(), v.scoring(), v.timings(), Map.of(), v.output(),
        v.spark(), v.config());
    L1000Manifest m = new L1000Manifest(valuation, metrics, new L1000Manifest.Output(joinedPath, curvesPath),
        new L1000Manifest.Timings(valuationS, joinS, retrainS, (System.nanoTime() - t0) / 1e9));
    Manifest.write(spark.sparkContext().hadoopConfiguration(), out, m);
    LOG.info("l1000: value vs APC {}; retrain curves in {}", ManifestCodec.toMap(corr), curvesPath);
    return m;
  }

  private static String firstString(Row r) {
    return r.getString(0);
  }

  private static CanonicalRow left(scala.Tuple2<CanonicalRow, Row> p) {
    return p._1();
  }

  /** Checks a held-out row against the valuation's feature width. */
  private static final class Checked implements org.apache.spark.api.java.function.Function<CanonicalRow, CanonicalRow> {
    private static final long serialVersionUID = 1L;
    private final int width;

    Checked(int width) {
      this.width = width;
    }

    @Override
    public CanonicalRow call(CanonicalRow r) {
      return ColumnPlan.check(r, width, -1);
    }
  }
}
