package org.dvgs.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.Auroc;
import org.dvgs.evaluation.LabelCorruption;
import org.dvgs.io.InputLoader;
import org.dvgs.io.Manifest;

/**
 * The {@code evaluate} command: for every seed, sample and corrupt the source, value it, and score
 * AUROC(corrupted, -value); all seeds in one Spark session. Writes {@code seed-<s>/} runs, {@code results/} (every
 * row of every seed with its ground truth), {@code metrics/} (Parquet and CSV) and {@code manifest.json}.
 */
public final class EvaluateRun {
  private EvaluateRun() {}

  public static Map<String, Object> run(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    cfg.output().requirePath();
    String out = cfg.output().path();
    ValuationJob.prepareOutput(spark.sparkContext().hadoopConfiguration(), out, cfg.output().overwrite());
    List<Double> aurocs = new ArrayList<>();
    List<Map<String, Object>> runs = new ArrayList<>();
    Dataset<Row> results = null;
    // Inputs are read and validated once; each seed samples and corrupts its own copy of the valid rows.
    InputLoader.RawInputs raw = InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize());
    for (long seed : cfg.evaluation().seeds()) {
      String dir = new Path(out, "seed-" + seed).toString();
      Map<String, Object> set = new LinkedHashMap<>();
      set.put("seed", seed);
      set.put("output.path", dir);
      set.put("output.overwrite", true);
      DvgsConfig run = cfg.with(set);
      LabelCorruption corruption = new LabelCorruption(seed, cfg.evaluation().sourceSampleSize(), cfg.evaluation().labelFlipFraction());
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("command", "evaluate");
      ValuationJob.Outcome o = ValuationJob.run(spark, run, raw, corruption, true, values -> Map.of("auroc", Auroc.ofTable(values)), extra, true);
      double auroc = (double) ((Map<?, ?>) o.manifest().get("metrics")).get("auroc");
      aurocs.add(auroc);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("seed", seed);
      r.put("run_id", o.runId());
      r.put("auroc", auroc);
      r.put("source_rows", corruption.sampled());
      r.put("flipped", corruption.flipped());
      r.put("timings", o.manifest().get("timings"));
      runs.add(r);
      Dataset<Row> v = o.values().withColumn("seed", functions.lit(seed));
      results = results == null ? v : results.unionByName(v);
    }
    raw.release();
    results.write().mode(SaveMode.Overwrite).parquet(new Path(out, "results").toString());
    StructType ms = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("metric", DataTypes.StringType, false),
        DataTypes.createStructField("value", DataTypes.DoubleType, false)));
    List<Row> metricRows = new ArrayList<>();
    for (int i = 0; i < aurocs.size(); i++) {
      metricRows.add(RowFactory.create(cfg.evaluation().seeds().get(i), "auroc", aurocs.get(i)));
    }
    Dataset<Row> metrics = spark.createDataFrame(metricRows, ms).coalesce(1);
    metrics.write().mode(SaveMode.Overwrite).parquet(new Path(out, "metrics").toString());
    metrics.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "metrics_csv").toString());

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "evaluate");
    m.put("seeds", cfg.evaluation().seeds());
    m.put("versions", ValuationJob.versions(spark));
    m.put("metrics", Map.of("auroc", summary(aurocs)));
    m.put("runs", runs);
    m.put("timings", Map.of("total_s", (System.nanoTime() - t0) / 1e9));
    m.put("config", Manifest.parse(cfg.toJson()));
    Manifest.write(spark.sparkContext().hadoopConfiguration(), out, m);
    return m;
  }

  /** Mean, sample standard deviation and per-seed values. */
  public static Map<String, Object> summary(List<Double> v) {
    double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    double std = v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0.0;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", mean);
    m.put("std", std);
    m.put("per_seed", v);
    return m;
  }
}
