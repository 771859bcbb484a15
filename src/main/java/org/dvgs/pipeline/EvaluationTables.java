package org.dvgs.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.EvaluationConfig.Method;
import org.dvgs.config.Keys;
import org.dvgs.evaluation.ValueMetrics;
import org.dvgs.spark.SideBySide;

/**
 * What {@code evaluate} measured, collected over every seed and method, and the tables it writes from it:
 * {@code results/} (every valued row with its ground truth), {@code metrics/} and {@code metrics_csv/}
 * ({@code seed, metric, value, method}), {@code curves/} and {@code curves_csv/} ({@code seed, curve, x, y, method}).
 * It also keeps the method comparison the manifest summarises: each method's metric values, runtimes and details,
 * seed by seed, in the order of {@code dvgs.evaluation.methods}.
 */
final class EvaluationTables {
  // method name -> metric name -> per-seed values; method name -> per-seed runtimes; method name -> per-seed details
  private final Map<String, Map<String, List<Double>>> metricSeries = new LinkedHashMap<>();
  private final Map<String, List<Double>> runtimes = new LinkedHashMap<>();
  private final Map<String, List<Object>> details = new LinkedHashMap<>();
  private final List<Row> metricRows = new ArrayList<>();
  private final List<Row> curveRows = new ArrayList<>();
  private Dataset<Row> results;
  // Each method's values with ground truth, persisted for its metrics and kept until results/ is written.
  private final List<Dataset<Row>> measured = new ArrayList<>();

  EvaluationTables(List<Method> methods) {
    this(methods, List.of());
  }

  /** Tables of {@code methods} and then of the DVGS {@code variants} (named {@code dvgs:<variant>}). */
  EvaluationTables(List<Method> methods, List<String> variants) {
    List<String> names = new ArrayList<>();
    methods.forEach(m -> names.add(Keys.kebab(m)));
    variants.forEach(v -> names.add(org.dvgs.config.DvgsVariants.PREFIX + v));
    for (String n : names) {
      metricSeries.put(n, new LinkedHashMap<>());
      runtimes.put(n, new ArrayList<>());
      details.put(n, new ArrayList<>());
    }
  }

  /** One method's run in one seed: its runtime and details ({@code {}} when it has none). */
  void run(String method, double runtime, Object methodDetails) {
    runtimes.get(method).add(runtime);
    details.get(method).add(methodDetails);
  }

  /** A metric's value (NaN where it is undefined: written as null). */
  void metric(String method, long seed, String name, double v) {
    metricSeries.get(method).computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    metricRows.add(RowFactory.create(seed, name, Double.isFinite(v) ? v : null, method));
  }

  /** A curve's points; nothing for a curve that was not computed (null). */
  void curve(String method, long seed, String name, ValueMetrics.Curve c) {
    if (c == null) {
      return;
    }
    for (int i = 0; i < c.size(); i++) {
      curveRows.add(RowFactory.create(seed, name, c.x()[i], Double.isFinite(c.y()[i]) ? c.y()[i] : null, method));
    }
  }

  /** A method's values with their ground truth (persisted), for {@code results/}; unpersisted once it is written. */
  void results(Dataset<Row> withTruth) {
    results = results == null ? withTruth : results.unionByName(withTruth);
    measured.add(withTruth);
  }

  /** method name -> metric name -> per-seed values, in the order they were measured. */
  Map<String, Map<String, List<Double>>> metricSeries() {
    return metricSeries;
  }

  /** method name -> per-seed runtimes (seconds). */
  Map<String, List<Double>> runtimes() {
    return runtimes;
  }

  /** method name -> per-seed details. */
  Map<String, List<Object>> details() {
    return details;
  }

  /**
   * Writes {@code results/}, {@code metrics/}, {@code metrics_csv/}, {@code curves/} and {@code curves_csv/} under
   * {@code out}. The five tables are independent small jobs, latency more than work, so they run side by side; the
   * first failure is thrown once all have ended.
   */
  void write(SparkSession spark, String out) {
    StructType ms = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("metric", DataTypes.StringType, false),
        DataTypes.createStructField("value", DataTypes.DoubleType, true),
        DataTypes.createStructField("method", DataTypes.StringType, false)));
    Dataset<Row> metrics = spark.createDataFrame(metricRows, ms).coalesce(1);
    StructType cs = DataTypes.createStructType(List.of(
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("curve", DataTypes.StringType, false),
        DataTypes.createStructField("x", DataTypes.DoubleType, false),
        DataTypes.createStructField("y", DataTypes.DoubleType, true),
        DataTypes.createStructField("method", DataTypes.StringType, false)));
    Dataset<Row> curves = spark.createDataFrame(curveRows, cs).coalesce(1);
    List<Callable<Void>> writes = List.of(
        () -> { results.write().mode(SaveMode.Overwrite).parquet(new Path(out, "results").toString()); return null; },
        () -> { metrics.write().mode(SaveMode.Overwrite).parquet(new Path(out, "metrics").toString()); return null; },
        () -> { metrics.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "metrics_csv").toString()); return null; },
        () -> { curves.write().mode(SaveMode.Overwrite).parquet(new Path(out, "curves").toString()); return null; },
        () -> { curves.write().mode(SaveMode.Overwrite).option("header", "true").csv(new Path(out, "curves_csv").toString()); return null; });
    // The threads inherit the caller's Spark job group.
    SideBySide.run(writes, writes.size(), "experiment-tables");
    for (Dataset<Row> t : measured) {
      t.unpersist(false);
    }
  }
}
