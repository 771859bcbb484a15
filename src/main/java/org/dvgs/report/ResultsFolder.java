package org.dvgs.report;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dvgs.core.InputException;
import org.dvgs.output.Manifest;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.ManifestFormatException;
import org.dvgs.output.MetricSummary;

/**
 * An {@code evaluate} results folder opened for reporting: its manifest and its {@code results/} and
 * {@code curves/} Parquet tables, checked on opening so that a report section can rely on their shape.
 *
 * <p>Everything a section needs is checked here, with an {@link InputException} naming the folder, file, field or
 * column when it is missing or of the wrong kind: the manifest is read as an {@link EvaluateManifest} (which names
 * a missing or malformed field by its path, {@code runs[1].timings is missing}) and must be from {@code evaluate};
 * the tables must have the columns of the results-folder layout with their types.
 */
public final class ResultsFolder {
  /** Columns of {@code results/} a report reads, with their types. */
  static final StructType RESULTS_COLUMNS = new StructType()
      .add("sample_id", DataTypes.StringType).add("value", DataTypes.DoubleType).add("corrupted", DataTypes.BooleanType)
      .add("noise_rate", DataTypes.DoubleType).add("seed", DataTypes.LongType);
  /** Columns of {@code curves/} with their types. */
  static final StructType CURVES_COLUMNS = new StructType()
      .add("seed", DataTypes.LongType).add("curve", DataTypes.StringType).add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);

  private final String dir;
  private final EvaluateManifest manifest;
  private final Dataset<Row> results;
  private final Dataset<Row> curves;
  private final Dataset<Row> allResults;
  private final Dataset<Row> allCurves;
  private RowStats rowStats;
  private List<Row> curveRows;

  /**
   * Counts and value range of {@code results/}, from one pass over the table.
   *
   * @param rows all rows, every seed
   * @param finiteValues rows whose value is neither null nor NaN
   * @param minValue smallest finite value (NaN when there is none)
   * @param maxValue largest finite value (NaN when there is none)
   * @param noisyRows rows with {@code noise_rate > 0}
   * @param corruptedRows rows with {@code corrupted = true}
   */
  public record RowStats(long rows, long finiteValues, double minValue, double maxValue, long noisyRows, long corruptedRows) {}

  private ResultsFolder(String dir, EvaluateManifest manifest, Dataset<Row> results, Dataset<Row> curves) {
    this.dir = dir;
    this.manifest = manifest;
    this.allResults = results;
    this.allCurves = curves;
    // Sections that show one method's rows and curves show the primary method's.
    String primary = methods().get(0);
    this.results = primaryOnly(results, primary);
    this.curves = primaryOnly(curves, primary);
  }

  /**
   * Opens and checks a results folder.
   *
   * @param spark session used to read the Parquet tables (lazily: nothing is scanned here but the schemas)
   * @param dir local path or Hadoop URI of the folder {@code evaluate} wrote
   * @throws InputException when the folder, its manifest or a table is missing or malformed
   */
  public static ResultsFolder open(SparkSession spark, String dir) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    EvaluateManifest manifest = readManifest(hadoop, dir);
    Dataset<Row> results = table(spark, dir, "results", RESULTS_COLUMNS);
    Dataset<Row> curves = table(spark, dir, "curves", CURVES_COLUMNS);
    return new ResultsFolder(dir, manifest, results, curves);
  }

  /**
   * The methods the experiment compared, primary first ({@code experiment.methods}; folders from before methods
   * could be compared hold DVGS only).
   */
  public List<String> methods() {
    return manifest.methodNames();
  }

  /** The manifest's {@code methods}: method to its metrics, runtime and details; empty for older folders. */
  public Map<String, EvaluateManifest.MethodSummary> methodSummaries() {
    return manifest.methods() == null ? Map.of() : manifest.methods();
  }

  /** {@code results/} of every method (with a {@code method} column when the folder has one). */
  public Dataset<Row> allResults() {
    return allResults;
  }

  /** {@code curves/} of every method (with a {@code method} column when the folder has one). */
  public Dataset<Row> allCurves() {
    return allCurves;
  }

  /** Rows of {@code table} that belong to the primary method (all rows when it has no {@code method} column). */
  private static Dataset<Row> primaryOnly(Dataset<Row> table, String primary) {
    return List.of(table.columns()).contains("method") ? table.filter(functions.col("method").equalTo(primary)) : table;
  }

  /** The folder as given. */
  public String dir() {
    return dir;
  }

  /** The whole manifest. */
  public EvaluateManifest manifest() {
    return manifest;
  }

  /** The manifest's {@code experiment}. */
  public EvaluateManifest.Experiment experiment() {
    return manifest.experiment();
  }

  /** The manifest's {@code metrics}: name to {@code {mean, std, per_seed}}, in the manifest's order. */
  public Map<String, MetricSummary> metrics() {
    return manifest.metrics();
  }

  /** The manifest's {@code runs}, one per seed. */
  public List<EvaluateManifest.SeedRun> runs() {
    return manifest.runs();
  }

  /** The manifest's {@code seeds}. */
  public List<Long> seeds() {
    return manifest.seeds();
  }

  /** {@code results/} of the primary method: one row per valued source row per seed, with its ground truth. */
  public Dataset<Row> results() {
    return results;
  }

  /** {@code curves/} of the primary method: {@code seed, curve, x, y}. */
  public Dataset<Row> curves() {
    return curves;
  }

  /** {@link RowStats} of {@code results/}, computed on first use with one Spark job. */
  public synchronized RowStats rowStats() {
    if (rowStats == null) {
      Column finite = functions.col("value").isNotNull().and(functions.not(functions.isnan(functions.col("value"))));
      Row r = results.agg(functions.count(functions.lit(1)),
          functions.count(functions.when(finite, 1)),
          functions.min(functions.when(finite, functions.col("value"))),
          functions.max(functions.when(finite, functions.col("value"))),
          functions.count(functions.when(functions.col("noise_rate").gt(0), 1)),
          functions.count(functions.when(functions.col("corrupted"), 1))).first();
      rowStats = new RowStats(r.getLong(0), r.getLong(1), r.isNullAt(2) ? Double.NaN : r.getDouble(2),
          r.isNullAt(3) ? Double.NaN : r.getDouble(3), r.getLong(4), r.getLong(5));
    }
    return rowStats;
  }

  /**
   * Every row of {@code curves/} ({@code seed, curve, x, y}), collected once: {@code evaluate} keeps at most a few
   * hundred points per curve and seed.
   */
  public synchronized List<Row> curveRows() {
    if (curveRows == null) {
      curveRows = curves.select("seed", "curve", "x", "y").collectAsList();
    }
    return curveRows;
  }

  private static EvaluateManifest readManifest(Configuration hadoop, String dir) {
    Path folder;
    try {
      folder = new Path(dir);
    } catch (IllegalArgumentException e) {
      throw new InputException("results folder " + dir + " is not a valid path or URI: " + rootMessage(e), e);
    }
    Path p = new Path(folder, "manifest.json");
    try {
      FileSystem fs = folder.getFileSystem(hadoop);
      if (!fs.exists(folder)) {
        throw new InputException("results folder " + dir + " does not exist");
      }
      if (!fs.getFileStatus(folder).isDirectory()) {
        throw new InputException("results folder " + dir + " is a file, not a folder written by evaluate");
      }
      if (!fs.exists(p)) {
        throw new InputException(p + " is missing: " + dir + " is not a finished evaluate results folder");
      }
    } catch (IOException e) {
      throw new InputException("cannot read the results folder " + dir + ": " + e.getMessage(), e);
    }
    // The command first, so that another command's manifest is named as such rather than by a field it lacks.
    Manifest.Header header;
    try {
      header = Manifest.read(hadoop, dir, Manifest.Header.class);
    } catch (InputException e) {
      if (e.getCause() instanceof ManifestFormatException f && f.field().isEmpty()) {
        throw new InputException(p + " is not a JSON object (" + f.getMessage() + ")", e);
      }
      throw e;
    }
    if (!EvaluateManifest.COMMAND.equals(header.command())) {
      throw new InputException(p + " is not from an evaluate run (\"command\": " + header.command() + ")");
    }
    // The record checks every field it holds: a missing or malformed one is named by its path in the file.
    return Manifest.read(hadoop, dir, EvaluateManifest.class);
  }

  private static Dataset<Row> table(SparkSession spark, String dir, String name, StructType columns) {
    Path p = new Path(dir, name);
    String path = p.toString();
    try {
      // Checked here so a missing table is one clear line, not Spark's logged stack trace.
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new InputException("cannot read the " + name + " table " + path + " (Parquet): it does not exist");
      }
    } catch (IOException e) {
      throw new InputException("cannot read the " + name + " table " + path + ": " + e.getMessage(), e);
    }
    Dataset<Row> t;
    try {
      t = spark.read().parquet(path);
    } catch (Exception e) {
      // Spark's AnalysisException (no such path, not Parquet) is checked but thrown undeclared, hence Exception.
      throw new InputException("cannot read the " + name + " table " + path + " (Parquet): " + rootMessage(e), e);
    }
    for (StructField c : columns.fields()) {
      StructField f = null;
      for (StructField x : t.schema().fields()) {
        if (x.name().equals(c.name())) {
          f = x;
        }
      }
      if (f == null) {
        throw new InputException(path + " has no column '" + c.name() + "' (columns: " + List.of(t.columns()) + ")");
      }
      if (!f.dataType().equals(c.dataType())) {
        throw new InputException(path + ": column '" + c.name() + "' is " + f.dataType().simpleString() + ", expected "
            + c.dataType().simpleString());
      }
    }
    return t;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }
}
