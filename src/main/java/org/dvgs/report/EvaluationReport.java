package org.dvgs.report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.dvgs.core.Stats;
import org.dvgs.core.InputException;
import org.dvgs.output.Manifest;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.MetricSummary;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code report} command: one self-contained HTML page from an {@code evaluate} results folder. Its standard
 * sections, in order: summary and metrics (mean, std and per seed), value distributions of clean and corrupted
 * rows, ROC curves, the corrupted-sample discovery curve with the optimal and random orders, filter-and-retrain
 * curves with a band of one standard deviation over seeds, noise rate against value, run times, and the
 * configuration. A plot whose data the experiment did not produce is replaced by a note saying why.
 *
 * <p>Everything is aggregated with Spark where it scales with the rows (histogram bins, the scatter's sample);
 * only curves (at most a few hundred points each) and a bounded sample reach the driver.
 */
public final class EvaluationReport {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationReport.class);
  /** Histogram bins of the value distributions. */
  static final int BINS = 40;
  /** Rows drawn for the noise scatter: the ones with the smallest hash of (sample id, seed), so always the same. */
  static final int SCATTER_ROWS = 4000;

  private EvaluationReport() {}

  /**
   * What was written.
   *
   * @param path the HTML file
   * @param plots embedded plots
   * @param absent plots left out, each replaced by a note
   */
  public record Written(String path, int plots, List<String> absent) {}

  /** The built-in sections, in page order. */
  public static List<ReportSection> standardSections() {
    return List.of(EvaluationReport::summary, new MethodComparison(), EvaluationReport::valueDistributions, EvaluationReport::roc,
        EvaluationReport::discovery, EvaluationReport::filterAndRetrain, EvaluationReport::noiseScatter,
        EvaluationReport::runTimes, EvaluationReport::configuration);
  }

  /** Writes the standard report of {@code resultsDir} to {@code output}, which must not be a file dvgs did not write. */
  public static Written write(SparkSession spark, String resultsDir, String output) {
    return write(spark, resultsDir, output, false);
  }

  /**
   * Writes the standard report of {@code resultsDir} to {@code output}; {@code overwrite} lets it replace a file that
   * is not a dvgs report (see {@link #checkTarget}).
   */
  public static Written write(SparkSession spark, String resultsDir, String output, boolean overwrite) {
    return write(spark, resultsDir, output, standardSections(), overwrite);
  }

  /** Writes a report of {@code resultsDir} with the given sections to {@code output}, replacing only a dvgs report. */
  public static Written write(SparkSession spark, String resultsDir, String output, List<ReportSection> sections) {
    return write(spark, resultsDir, output, sections, false);
  }

  /**
   * Writes a report of {@code resultsDir} with the given sections to {@code output} (local path or Hadoop URI).
   *
   * @throws InputException when the results folder is missing or malformed, or {@code output} may not be written
   *     ({@link #checkTarget})
   */
  public static Written write(SparkSession spark, String resultsDir, String output, List<ReportSection> sections, boolean overwrite) {
    checkTarget(spark, resultsDir, output, overwrite);
    if (UniquenessReport.isUniqueOutput(spark, resultsDir)) {
      return UniquenessReport.write(spark, resultsDir, output, overwrite);
    }
    ResultsFolder folder = ResultsFolder.open(spark, resultsDir);
    Charts.requireFonts();
    HtmlPage page = new HtmlPage("DVGS evaluation report", "Results folder: " + resultsDir);
    for (ReportSection s : sections) {
      s.addTo(page, folder);
    }
    writeFile(spark, resultsDir, output, overwrite, page.render());
    LOG.info("report {}: {} plots, absent {}", output, page.images(), page.absentPlots());
    return new Written(output, page.images(), page.absentPlots());
  }

  // ---- sections -------------------------------------------------------------------------------------------

  /** What was run and every metric: mean, std and per-seed values. */
  static void summary(HtmlPage page, ResultsFolder f) {
    page.section("Summary");
    EvaluateManifest.Experiment e = f.experiment();
    StringBuilder s = new StringBuilder();
    s.append(f.seeds().size()).append(f.seeds().size() == 1 ? " seed " : " seeds ").append(f.seeds())
        .append("; task ").append(e.task()).append("; source sample ")
        .append(e.sourceSampleSize() == 0 ? "all rows" : e.sourceSampleSize() + " rows").append(" per seed");
    s.append("; label corruption ").append(percent(e.labelFlipFraction())).append(" of rows");
    if (e.featureNoiseSigmaMax() != 0) {
      s.append("; feature noise with rate ~ U(0, ").append(e.featureNoiseSigmaMax()).append(") on ")
          .append(percent(e.featureNoiseFraction())).append(" of rows");
    } else {
      s.append("; no feature noise");
    }
    if (e.retrainModel() != null && !"none".equals(e.retrainModel())) {
      s.append("; filter and retrain with ").append(e.retrainModel()).append(", scored by test ").append(metricLabel(e.retrainMetric()));
    }
    List<String> methods = f.methods();
    if (methods.size() > 1) {
      s.append("; methods compared: ").append(String.join(", ", methods)).append(". The metrics table and the plots after the comparison show ")
          .append(methods.get(0)).append(", the first method listed");
    }
    page.paragraph(s.append('.').toString());

    page.subheading(methods.size() > 1 ? "Metrics of " + methods.get(0) : "Metrics");
    String retrainMetric = metricLabel(e.retrainMetric());
    List<String> header = new ArrayList<>(List.of("metric", "what it measures", "mean ± std"));
    for (Object seed : f.seeds()) {
      header.add("seed\u00a0" + seed);
    }
    List<List<String>> rows = new ArrayList<>();
    for (Map.Entry<String, MetricSummary> m : f.metrics().entrySet()) {
      MetricSummary v = m.getValue();
      String name = m.getKey();
      List<String> row = new ArrayList<>(List.of(name, describe(name, retrainMetric), num(v.mean()) + " ± " + num(v.std())));
      for (Object x : v.perSeed()) {
        row.add(num(x));
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      page.note("The manifest records no metrics.");
    } else {
      page.table(header, rows);
    }
  }

  /** Overlaid histograms of the values of clean and corrupted rows, all seeds together. */
  static void valueDistributions(HtmlPage page, ResultsFolder f) {
    page.section("Value distributions");
    ResultsFolder.RowStats stats = f.rowStats();
    if (stats.finiteValues() == 0) {
      page.absent("value distributions", "No plot: the results table has no rows with a finite value.");
      return;
    }
    Dataset<Row> values = f.results().filter(finite("value"));
    double lo = stats.minValue();
    double hi = stats.maxValue();
    double width = hi > lo ? (hi - lo) / BINS : 1;
    Column bin = functions.least(functions.floor(functions.col("value").minus(lo).divide(width)), functions.lit(BINS - 1));
    double[][] hist = new double[2][BINS];
    double[] totals = new double[2];
    for (Row r : values.groupBy(functions.col("corrupted"), bin.as("bin")).count().collectAsList()) {
      int g = !r.isNullAt(0) && r.getBoolean(0) ? 1 : 0;
      hist[g][(int) r.getLong(1)] += r.getLong(2);
      totals[g] += r.getLong(2);
    }
    String[] names = {"clean", "corrupted"};
    java.awt.Color[] colors = {Charts.CLEAN, Charts.CORRUPTED};
    List<Charts.Series> groups = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      if (totals[g] == 0) {
        continue;
      }
      double[] x = new double[BINS];
      double[] y = new double[BINS];
      for (int b = 0; b < BINS; b++) {
        x[b] = lo + (b + 0.5) * width;
        y[b] = hist[g][b] / totals[g];
      }
      groups.add(new Charts.Series(String.format(Locale.ROOT, "%s (%,d rows)", names[g], (long) totals[g]), x, y, colors[g]));
    }
    page.image(Charts.histogram("Values of clean and corrupted rows", "value", "fraction of the group's rows", groups, width),
        "Distribution of the values of clean and corrupted rows, all seeds together, each group scaled to sum to 1. "
            + "Corrupted rows should sit to the left (low values).");
    if (totals[0] == 0 || totals[1] == 0) {
      page.note("Every row is " + (totals[0] == 0 ? "corrupted" : "clean") + ", so there is only one distribution to show.");
    }
  }

  /** ROC curve of each seed, score = -value, with the chance diagonal. */
  static void roc(HtmlPage page, ResultsFolder f) {
    page.section("ROC curve");
    Map<Long, double[][]> curves = curvesBySeed(f, "roc");
    if (curves.isEmpty()) {
      page.absent("ROC curve", "No plot: the results have no ROC curve. " + whyNoCurves(f));
      return;
    }
    List<Charts.Series> s = perSeed(f, curves, "auroc", "AUROC");
    s.add(new Charts.Series("chance", new double[] {0, 1}, new double[] {0, 1}, Charts.REFERENCE, true));
    page.image(Charts.lines("ROC: finding corrupted rows by low value", "false positive rate", "true positive rate", s, true),
        "ROC curve of each seed: corrupted rows are the positives, -value the score. The dashed diagonal is chance.");
  }

  /** Discovery curve of each seed with the optimal and random orders. */
  static void discovery(HtmlPage page, ResultsFolder f) {
    page.section("Corrupted-sample discovery");
    Map<Long, double[][]> curves = curvesBySeed(f, "discovery");
    if (curves.isEmpty()) {
      page.absent("discovery curve", "No plot: the results have no discovery curve. " + whyNoCurves(f));
      return;
    }
    List<Charts.Series> s = perSeed(f, curves, null, null);
    Map<Long, double[][]> optimal = curvesBySeed(f, "discovery_optimal");
    if (!optimal.isEmpty()) {
      Map.Entry<Long, double[][]> o = optimal.entrySet().iterator().next();
      String name = optimal.size() > 1 ? "optimal (seed " + o.getKey() + ")" : "optimal";
      s.add(new Charts.Series(name, o.getValue()[0], o.getValue()[1], Charts.REFERENCE, true));
    }
    Map<Long, double[][]> random = curvesBySeed(f, "discovery_random");
    double[][] r = random.isEmpty() ? new double[][] {{0, 1}, {0, 1}} : random.values().iterator().next();
    s.add(new Charts.Series("random order", r[0], r[1], new java.awt.Color(0xa0aec0), true));
    page.image(Charts.lines("Discovery: inspecting rows lowest value first", "fraction of rows inspected",
            "fraction of corrupted rows found", s, true),
        "Fraction of the corrupted rows found against the fraction of rows inspected, lowest values first, for each seed; "
            + "dashed: the best possible order (every inspected row corrupted until all are found) and a random order.");
  }

  /** Test metric after removing the lowest or highest q by value: mean over seeds with a band of one std. */
  static void filterAndRetrain(HtmlPage page, ResultsFolder f) {
    page.section("Filter and retrain");
    Charts.Band low = band(f, "retrain_lowest", "lowest values removed", Charts.CLEAN);
    Charts.Band high = band(f, "retrain_highest", "highest values removed", Charts.CORRUPTED);
    if (low == null && high == null) {
      page.absent("filter-and-retrain curves", "No plot: the results have no filter-and-retrain curves "
          + "(evaluation.metrics without retrain, or evaluation.retrain.model = none).");
      return;
    }
    List<Charts.Band> bands = new ArrayList<>();
    if (low != null) {
      bands.add(low);
    }
    if (high != null) {
      bands.add(high);
    }
    EvaluateManifest.Experiment e = f.experiment();
    String metric = metricLabel(e.retrainMetric());
    String model = e.retrainModel() == null ? "" : " (" + e.retrainModel() + ")";
    int seeds = f.seeds().size();
    page.image(Charts.bands("Filter and retrain" + model, "fraction q of the source removed", "test " + metric, bands),
        "Test " + metric + " of a fresh model trained after removing the lowest or the highest fraction q of the source "
            + "by value; q = 0 is the model trained on everything. Lines: mean over " + seeds + (seeds == 1 ? " seed" : " seeds")
            + "; shaded: plus or minus one standard deviation. Removing low values should help, removing high values hurt.");
  }

  /** Value against each row's feature-noise rate, on a deterministic sample of rows. */
  static void noiseScatter(HtmlPage page, ResultsFolder f) {
    page.section("Noise rate and value");
    if (f.rowStats().noisyRows() == 0) {
      page.absent("noise scatter", "No plot: no row has feature noise (noise_rate is 0 everywhere; "
          + "evaluation.feature-noise.sigma-max = 0), so there is no noise rate to compare values with.");
      return;
    }
    long total = f.rowStats().finiteValues();
    List<Row> rows = f.results().filter(finite("value"))
        .withColumn("_k", functions.xxhash64(functions.col("sample_id"), functions.col("seed")))
        .orderBy(functions.col("_k"), functions.col("sample_id"), functions.col("seed"))
        .limit(SCATTER_ROWS).select("noise_rate", "value", "corrupted").collectAsList();
    List<double[]> withNoise = new ArrayList<>();
    List<double[]> clean = new ArrayList<>();
    List<double[]> labelOnly = new ArrayList<>();
    for (Row r : rows) {
      double rate = r.isNullAt(0) ? 0 : r.getDouble(0);
      double[] p = {rate, r.getDouble(1)};
      if (rate > 0) {
        withNoise.add(p);
      } else if (!r.isNullAt(2) && r.getBoolean(2)) {
        labelOnly.add(p);
      } else {
        clean.add(p);
      }
    }
    List<Charts.Series> s = new ArrayList<>();
    addIfAny(s, "no noise, clean", clean, Charts.CLEAN);
    addIfAny(s, "feature noise", withNoise, Charts.CORRUPTED);
    addIfAny(s, "no noise, label corrupted", labelOnly, Charts.CORRUPTED_OTHER);
    MetricSummary sp = f.metrics().get("spearman");
    String rho = sp != null ? " Spearman(noise rate, -value) = " + num(sp.mean()) + " ± " + num(sp.std())
        + " over seeds (all rows)." : "";
    String drawn = rows.size() < total
        ? String.format(Locale.ROOT, "%,d of %,d rows (all seeds), drawn by a hash of sample id and seed", rows.size(), total)
        : String.format(Locale.ROOT, "all %,d rows (all seeds)", total);
    page.image(Charts.scatter("Noise rate against value", "noise rate sigma_i", "value", s),
        "Each row's value against its feature-noise rate: " + drawn + ". Noisier rows should have lower values." + rho);
  }

  /** Per-seed stage timings from the manifest. */
  static void runTimes(HtmlPage page, ResultsFolder f) {
    page.section("Run times");
    List<String> keys = List.of("load_s", "train_s", "score_s", "aggregate_s", "total_s", "metrics_s", "retrain_s");
    List<String> header = List.of("seed", "source rows", "label corrupted", "feature noise", "load (s)", "train (s)", "score (s)",
        "aggregate (s)", "valuation total (s)", "metrics (s)", "retrain (s)");
    List<List<String>> rows = new ArrayList<>();
    for (EvaluateManifest.SeedRun run : f.runs()) {
      Map<String, Double> t = run.timings();
      List<String> row = new ArrayList<>(List.of(str(run.seed()), str(run.sourceRows()), str(run.flipped()), str(run.noisy())));
      for (String k : keys) {
        row.add(t.get(k) != null ? String.format(Locale.ROOT, "%.1f", t.get(k)) : "");
      }
      rows.add(row);
    }
    page.table(header, rows);
    double total = f.manifest().timings().totalS();
    page.paragraph("Valuation total covers load, train, score and aggregate of one seed; metrics and retrain come after it. "
        + String.format(Locale.ROOT, "The whole experiment took %.1f s of wall time in one Spark session.", total));
  }

  /** Versions, the experiment and the resolved configuration. */
  static void configuration(HtmlPage page, ResultsFolder f) {
    page.section("Configuration");
    Map<String, Object> v = ManifestCodec.toMap(f.manifest().versions());
    if (!v.isEmpty()) {
      List<List<String>> rows = new ArrayList<>();
      for (Map.Entry<?, ?> e : v.entrySet()) {
        if (e.getValue() != null && !"null".equals(String.valueOf(e.getValue()))) {
          rows.add(List.of(String.valueOf(e.getKey()), String.valueOf(e.getValue())));
        }
      }
      page.table(List.of("component", "version"), rows);
    }
    page.details("Experiment (manifest \"experiment\")", Manifest.toJson(f.experiment()));
    Object config = f.manifest().config();
    // Redacted again: manifests of earlier versions carry their secrets.
    page.details("Resolved configuration (dvgs.*)",
        config instanceof Map<?, ?> ? json((Map<?, ?>) Secrets.redact(config)) : "(not recorded in the manifest)");
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  /** One series per seed in the manifest's seed order, coloured by seed position, labelled with a metric. */
  private static List<Charts.Series> perSeed(ResultsFolder f, Map<Long, double[][]> curves, String metric, String label) {
    List<Long> seeds = new ArrayList<>();
    seeds.addAll(f.seeds());
    List<?> perSeed = metric != null && f.metrics().get(metric) != null ? f.metrics().get(metric).perSeed() : List.of();
    List<Charts.Series> out = new ArrayList<>();
    for (Map.Entry<Long, double[][]> e : curves.entrySet()) {
      int i = seeds.indexOf(e.getKey());
      String name = "seed " + e.getKey();
      if (i >= 0 && i < perSeed.size() && perSeed.get(i) instanceof Number n) {
        name += String.format(Locale.ROOT, " (%s %.3f)", label, n.doubleValue());
      }
      out.add(new Charts.Series(name, e.getValue()[0], e.getValue()[1], Charts.seedColor(i >= 0 ? i : out.size())));
    }
    return out;
  }

  /** Points of one curve per seed ({@code [x[], y[]]}), sorted by x then y, seeds ascending; null y dropped. */
  static Map<Long, double[][]> curvesBySeed(ResultsFolder f, String name) {
    Map<Long, List<double[]>> pts = new TreeMap<>();
    for (Row r : f.curveRows()) {
      if (name.equals(r.getString(1)) && !r.isNullAt(0) && !r.isNullAt(2) && !r.isNullAt(3)) {
        pts.computeIfAbsent(r.getLong(0), k -> new ArrayList<>()).add(new double[] {r.getDouble(2), r.getDouble(3)});
      }
    }
    Map<Long, double[][]> out = new LinkedHashMap<>();
    for (Map.Entry<Long, List<double[]>> e : pts.entrySet()) {
      List<double[]> p = e.getValue();
      p.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
      double[][] xy = new double[2][p.size()];
      for (int i = 0; i < p.size(); i++) {
        xy[0][i] = p.get(i)[0];
        xy[1][i] = p.get(i)[1];
      }
      out.put(e.getKey(), xy);
    }
    return out;
  }

  /** Mean and sample standard deviation over seeds at each x; null when the curve is absent. */
  static Charts.Band band(ResultsFolder f, String name, String label, java.awt.Color color) {
    Map<Double, List<Double>> byX = new TreeMap<>();
    for (Row r : f.curveRows()) {
      if (name.equals(r.getString(1)) && !r.isNullAt(2) && !r.isNullAt(3) && Double.isFinite(r.getDouble(3))) {
        byX.computeIfAbsent(r.getDouble(2), k -> new ArrayList<>()).add(r.getDouble(3));
      }
    }
    if (byX.isEmpty()) {
      return null;
    }
    double[] x = new double[byX.size()];
    double[] mean = new double[x.length];
    double[] std = new double[x.length];
    int i = 0;
    for (Map.Entry<Double, List<Double>> e : byX.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
      x[i] = e.getKey();
      mean[i] = Stats.mean(v);
      std[i] = v.length > 1 ? Stats.sampleStd(v) : 0;
      i++;
    }
    return new Charts.Band(label, x, mean, std, color);
  }

  /**
   * Refuses a report target that would replace or damage what dvgs did not write as a report:
   *
   * <ul>
   *   <li>a path inside the results folder (or inside any other dvgs output) under a name dvgs writes there (its
   *       manifest, marker, tables), whatever {@code overwrite} says: the report would break the results;
   *   <li>an existing file inside such an output that is not a dvgs report, whatever {@code overwrite} says;
   *   <li>any other existing file that is not a dvgs report, unless {@code overwrite};
   *   <li>a folder.
   * </ul>
   *
   * A dvgs report (its page carries {@link HtmlPage#GENERATOR}) is replaced.
   */
  static void checkTarget(SparkSession spark, String resultsDir, String output, boolean overwrite) {
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path target = new Path(output);
    try {
      FileSystem fs = raw(target.getFileSystem(hadoop));
      Path q = fs.makeQualified(target);
      Path results = fs.makeQualified(new Path(resultsDir));
      Path root = within(q, results) ? results : OutputDirectory.enclosingOutput(hadoop, output).orElse(null);
      if (root != null && !q.equals(root)) {
        Path first = q;
        while (first.getParent() != null && !first.getParent().equals(root)) {
          first = first.getParent();
        }
        if (OutputDirectory.isOwnName(first.getName())) {
          throw new InputException("--output " + output + " is part of the dvgs output " + root + " (" + first.getName()
              + " is what dvgs writes there); the report is not written over it: choose a file outside " + root
              + " or a new name at its top level");
        }
      }
      if (!fs.exists(q)) {
        return;
      }
      if (fs.getFileStatus(q).isDirectory()) {
        throw new InputException("--output " + output + " is a folder; give the path of the HTML file to write");
      }
      if (isReport(fs, q)) {
        return;
      }
      if (root != null) {
        throw new InputException("--output " + output + " is a file in the dvgs output " + root + " that is not a dvgs report; "
            + "it is not replaced, even with --overwrite: choose another --output");
      }
      if (!overwrite) {
        throw new InputException("--output " + output + " exists and is not a report dvgs wrote; choose another --output, "
            + "or pass --overwrite to replace it");
      }
    } catch (IOException e) {
      throw new InputException("cannot check the report path " + output + ": " + e.getMessage(), e);
    }
  }

  /** True when the file is a page this report wrote (the generator tag; or the page layout of earlier versions). */
  static boolean isReport(FileSystem fs, Path file) throws IOException {
    byte[] head;
    try (java.io.InputStream in = fs.open(file)) {
      head = in.readNBytes(256 << 10);
    }
    String h = new String(head, java.nio.charset.StandardCharsets.UTF_8);
    return h.contains(HtmlPage.GENERATOR)
        || (h.startsWith("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">") && h.contains("<title>DVGS ")
            && h.contains("<body data-plots-expected=\""));
  }

  private static boolean within(Path inner, Path outer) {
    for (Path p = inner; p != null; p = p.getParent()) {
      if (p.equals(outer)) {
        return true;
      }
    }
    return false;
  }

  private static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  /**
   * Writes the page through a temporary file and a rename, without Hadoop's {@code .crc} side file locally, after
   * {@link #checkTarget}.
   */
  static void writeFile(SparkSession spark, String resultsDir, String output, boolean overwrite, byte[] html) {
    checkTarget(spark, resultsDir, output, overwrite);
    Path target = new Path(output);
    Path tmp = new Path(target.getParent() == null ? new Path(".") : target.getParent(),
        "." + target.getName() + "." + java.util.UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = raw(target.getFileSystem(spark.sparkContext().hadoopConfiguration()));
      try (OutputStream os = fs.create(tmp, false)) {
        os.write(html);
      }
      try {
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
          throw new IOException("rename " + tmp + " -> " + target + " failed");
        }
      } finally {
        fs.delete(tmp, false);
      }
    } catch (IOException e) {
      throw new InputException("cannot write the report to " + output + ": " + e.getMessage(), e);
    }
  }

  /** Why ROC and discovery curves are missing, from the rows themselves where they tell. */
  private static String whyNoCurves(ResultsFolder f) {
    ResultsFolder.RowStats s = f.rowStats();
    if (s.rows() > 0 && s.corruptedRows() == s.rows()) {
      return "Every row is corrupted, so there are no clean rows for low values to be told apart from.";
    }
    if (s.corruptedRows() == 0) {
      return "No row is corrupted, so there is nothing for low values to find.";
    }
    return "The experiment did not ask for them (discovery is not in evaluation.metrics).";
  }

  private static Column finite(String column) {
    return functions.col(column).isNotNull().and(functions.not(functions.isnan(functions.col(column))));
  }

  private static void addIfAny(List<Charts.Series> s, String name, List<double[]> pts, java.awt.Color color) {
    if (pts.isEmpty()) {
      return;
    }
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
    }
    s.add(new Charts.Series(String.format(Locale.ROOT, "%s (%,d)", name, x.length), x, y, color));
  }

  static String describe(String metric, String retrainMetric) {
    if (metric.startsWith("retrain_lowest_q")) {
      return "test " + retrainMetric + ", lowest " + percent(metric.substring("retrain_lowest_q".length())) + " removed";
    }
    if (metric.startsWith("retrain_highest_q")) {
      return "test " + retrainMetric + ", highest " + percent(metric.substring("retrain_highest_q".length())) + " removed";
    }
    return switch (metric) {
      case "auroc" -> "AUROC(corrupted, -value); 0.5 = chance";
      case "spearman" -> "Spearman(noise rate, -value)";
      case "kmeans_f1" -> "F1, lower 2-means cluster = corrupted";
      case "retrain_all" -> "test " + retrainMetric + ", trained on the whole source";
      default -> "";
    };
  }

  private static String json(Map<?, ?> m) {
    @SuppressWarnings("unchecked")
    Map<String, Object> typed = (Map<String, Object>) m;
    return Manifest.toJson(typed);
  }

  /** The retrain metric as readers know it: AUROC, R^2. */
  private static String metricLabel(Object m) {
    if (m == null) {
      return "metric";
    }
    return switch (String.valueOf(m)) {
      case "auroc" -> "AUROC";
      case "r2" -> "R^2";
      default -> String.valueOf(m);
    };
  }

  private static String percent(Object o) {
    try {
      double d = o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
      return new java.math.BigDecimal(d * 100).setScale(2, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString() + "%";
    } catch (NumberFormatException e) {
      return String.valueOf(o);
    }
  }

  private static String str(Object o) {
    return o == null ? "" : String.valueOf(o);
  }

  private static String num(Object v) {
    return v instanceof Number n && Double.isFinite(n.doubleValue()) ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "n/a";
  }
}
