package org.dvgs.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.dvgs.io.InputException;
import org.dvgs.io.Manifest;

/**
 * The {@code report} command: one self-contained HTML page from an {@code evaluate} results folder, with the
 * metrics, value distributions of clean and corrupted rows, ROC and discovery curves, filter-and-retrain curves
 * with error bands, the noise-rate scatter, run times and the run's configuration.
 */
public final class EvaluationReport {
  /** Histogram bins of the value distributions. */
  static final int BINS = 40;
  /** Rows drawn (by a hash of id and seed) for the noise scatter. */
  static final int SCATTER_ROWS = 4000;

  private EvaluationReport() {}

  /** What was written. */
  public record Written(String path, int plots, List<String> absent) {}

  /** Builds the report of {@code resultsDir} and writes it to {@code output}. */
  public static Written write(SparkSession spark, String resultsDir, String output) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, Object> manifest = readManifest(hadoop, resultsDir);
    if (!"evaluate".equals(manifest.get("command"))) {
      throw new InputException(resultsDir + "/manifest.json is not from an evaluate run (command = " + manifest.get("command") + ")");
    }
    Dataset<Row> results = table(spark, resultsDir, "results", List.of("value", "corrupted", "noise_rate", "seed", "sample_id"));
    Dataset<Row> curves = table(spark, resultsDir, "curves", List.of("seed", "curve", "x", "y"));
    List<String> absent = new ArrayList<>();
    HtmlPage page = new HtmlPage("dvgs-spark evaluation: " + resultsDir);

    page.section("Summary");
    Map<?, ?> experiment = map(manifest.get("experiment"));
    page.paragraph("Seeds " + manifest.get("seeds") + "; task " + experiment.get("task") + "; source sample "
        + experiment.get("source_sample_size") + " rows per seed (0 = all); label corruption " + experiment.get("label_flip_fraction")
        + "; feature noise sigma_max " + experiment.get("feature_noise_sigma_max") + " on a fraction " + experiment.get("feature_noise_fraction")
        + " of rows" + (experiment.containsKey("retrain_model")
            ? "; retrained model " + experiment.get("retrain_model") + " scored by test " + experiment.get("retrain_metric") : "") + ".");
    List<List<String>> mt = new ArrayList<>();
    mt.add(List.of("metric", "mean", "std", "per seed"));
    for (Map.Entry<?, ?> e : map(manifest.get("metrics")).entrySet()) {
      Map<?, ?> s = map(e.getValue());
      List<String> per = new ArrayList<>();
      for (Object v : (List<?>) s.get("per_seed")) {
        per.add(num(v));
      }
      mt.add(List.of(String.valueOf(e.getKey()), num(s.get("mean")), num(s.get("std")), String.join(", ", per)));
    }
    page.table(mt);

    page.section("Value distributions");
    distributions(page, results, absent);

    page.section("ROC curve");
    Map<Long, Charts.Series> roc = curvesBySeed(curves, "roc");
    if (roc.isEmpty()) {
      note(page, absent, "ROC curve", "no ROC curve: the experiment did not ask for the discovery metric, or no rows (or every row) were corrupted");
    } else {
      List<Charts.Series> s = new ArrayList<>(roc.values());
      s.add(new Charts.Series("random", new double[] {0, 1}, new double[] {0, 1}));
      page.image(Charts.lines("ROC: corrupted rows vs -value", "false positive rate", "true positive rate", s, true, s.size() - 1),
          "ROC curve of each seed (score = -value; positives = corrupted rows)");
    }

    page.section("Corrupted-sample discovery");
    Map<Long, Charts.Series> disc = curvesBySeed(curves, "discovery");
    if (disc.isEmpty()) {
      note(page, absent, "discovery curve", "no discovery curve: the experiment did not ask for it, or no rows (or every row) were corrupted");
    } else {
      List<Charts.Series> s = new ArrayList<>(disc.values());
      Charts.Series opt = curvesBySeed(curves, "discovery_optimal").values().iterator().next();
      s.add(new Charts.Series("optimal", opt.x(), opt.y()));
      s.add(new Charts.Series("random", new double[] {0, 1}, new double[] {0, 1}));
      page.image(Charts.lines("Discovery: inspecting rows lowest value first", "fraction of rows inspected", "fraction of corrupted rows found",
          s, true, s.size() - 2, s.size() - 1), "Fraction of corrupted rows found against fraction inspected, per seed, with the optimal and random orders");
    }

    page.section("Filter and retrain");
    Charts.Band low = band(curves, "retrain_lowest", "lowest values removed");
    Charts.Band high = band(curves, "retrain_highest", "highest values removed");
    if (low == null || high == null) {
      note(page, absent, "filter-and-retrain curves", "no filter-and-retrain curves: the experiment did not ask for the retrain metric");
    } else {
      String metric = String.valueOf(experiment.get("retrain_metric"));
      page.image(Charts.bands("Filter and retrain (" + experiment.get("retrain_model") + ")", "fraction q of the source removed",
          "test " + metric, List.of(low, high)), "Test " + metric + " of a fresh model trained without the lowest or highest q by value; mean over seeds with a band of one standard deviation (q = 0: trained on everything)");
    }

    page.section("Noise rate and value");
    noise(page, results, manifest, absent);

    page.section("Run times");
    List<List<String>> rt = new ArrayList<>();
    List<String> keys = List.of("load_s", "train_s", "score_s", "aggregate_s", "metrics_s", "retrain_s", "total_s");
    List<String> head = new ArrayList<>(List.of("seed", "rows", "corrupted label", "noisy"));
    keys.forEach(k -> head.add(k.replace("_s", " (s)")));
    rt.add(head);
    for (Object o : (List<?>) manifest.get("runs")) {
      Map<?, ?> run = map(o);
      Map<?, ?> t = map(run.get("timings"));
      List<String> row = new ArrayList<>(List.of(String.valueOf(run.get("seed")), String.valueOf(run.get("source_rows")),
          String.valueOf(run.get("flipped")), String.valueOf(run.get("noisy"))));
      for (String k : keys) {
        row.add(t.containsKey(k) ? String.format(Locale.ROOT, "%.1f", ((Number) t.get(k)).doubleValue()) : "");
      }
      rt.add(row);
    }
    page.table(rt);
    Map<?, ?> total = map(manifest.get("timings"));
    page.paragraph(String.format(Locale.ROOT, "Whole experiment: %.1f s wall time (one Spark session). Versions: %s.",
        ((Number) total.get("total_s")).doubleValue(), manifest.get("versions")));

    page.section("Configuration");
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) manifest.get("config");
    page.details("Resolved configuration (dvgs.*)", config == null ? "(none recorded)" : Manifest.toJson(config));

    Path out = new Path(output);
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      try (OutputStream os = fs.create(out, true)) {
        os.write(page.render());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report " + output + ": " + e.getMessage(), e);
    }
    return new Written(output, page.images(), absent);
  }

  private static void distributions(HtmlPage page, Dataset<Row> results, List<String> absent) {
    Row mm = results.agg(functions.min("value"), functions.max("value")).first();
    if (mm.isNullAt(0)) {
      note(page, absent, "value distributions", "the results table is empty");
      return;
    }
    double lo = mm.getDouble(0);
    double hi = mm.getDouble(1);
    double width = hi > lo ? (hi - lo) / BINS : 1;
    Dataset<Row> binned = results.withColumn("bin", functions.least(functions.floor(functions.col("value").minus(lo).divide(width)), functions.lit(BINS - 1)));
    List<Row> counts = binned.groupBy("corrupted", "bin").count().collectAsList();
    double[][] hist = new double[2][BINS];
    double[] totals = new double[2];
    for (Row r : counts) {
      int g = r.getBoolean(0) ? 1 : 0;
      hist[g][(int) r.getLong(1)] += r.getLong(2);
      totals[g] += r.getLong(2);
    }
    List<Charts.Series> groups = new ArrayList<>();
    String[] names = {"clean", "corrupted"};
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
      groups.add(new Charts.Series(names[g] + " (" + (long) totals[g] + " rows)", x, y));
    }
    page.image(Charts.histogram("Values of clean and corrupted rows (all seeds)", "value", groups, width),
        "Distribution of values, each group normalised to sum to 1; corrupted rows should sit low");
    if (totals[0] == 0 || totals[1] == 0) {
      page.note("Only " + (totals[0] == 0 ? "corrupted" : "clean") + " rows: the experiment has no " + (totals[0] == 0 ? "clean" : "corrupted") + " rows to compare with.");
    }
  }

  private static void noise(HtmlPage page, Dataset<Row> results, Map<String, Object> manifest, List<String> absent) {
    long noisy = results.filter(functions.col("noise_rate").gt(0)).count();
    if (noisy == 0) {
      note(page, absent, "noise scatter", "no feature noise in this experiment (evaluation.feature-noise.sigma-max = 0), so there is no noise rate to compare with");
      return;
    }
    List<Row> rows = results
        .withColumn("k", functions.xxhash64(functions.col("sample_id"), functions.col("seed")))
        .orderBy("k").limit(SCATTER_ROWS).select("noise_rate", "value", "corrupted", "seed").collectAsList();
    List<double[]> clean = new ArrayList<>();
    List<double[]> flipped = new ArrayList<>();
    for (Row r : rows) {
      boolean labelAlsoBad = r.getBoolean(2) && r.getDouble(0) == 0;
      (labelAlsoBad ? flipped : clean).add(new double[] {r.getDouble(0), r.getDouble(1)});
    }
    List<Charts.Series> s = new ArrayList<>();
    s.add(series("rows (noise rate, value)", clean));
    if (!flipped.isEmpty()) {
      s.add(series("label corrupted, no noise", flipped));
    }
    Object sp = map(manifest.get("metrics")).get("spearman");
    String rho = sp == null ? "" : " Spearman(noise rate, -value) = " + num(map(sp).get("mean")) + " (mean over seeds).";
    page.image(Charts.scatter("Noise rate against value", "noise rate sigma_i", "value", s),
        "Value against the row's feature-noise rate (" + rows.size() + " rows drawn from all seeds)." + rho);
  }

  private static Charts.Series series(String name, List<double[]> pts) {
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
    }
    return new Charts.Series(name, x, y);
  }

  private static Map<Long, Charts.Series> curvesBySeed(Dataset<Row> curves, String name) {
    Map<Long, List<double[]>> pts = new TreeMap<>();
    for (Row r : curves.filter(functions.col("curve").equalTo(name)).select("seed", "x", "y").collectAsList()) {
      if (!r.isNullAt(2)) {
        pts.computeIfAbsent(r.getLong(0), k -> new ArrayList<>()).add(new double[] {r.getDouble(1), r.getDouble(2)});
      }
    }
    Map<Long, Charts.Series> out = new LinkedHashMap<>();
    for (Map.Entry<Long, List<double[]>> e : pts.entrySet()) {
      List<double[]> p = e.getValue();
      p.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
      out.put(e.getKey(), series("seed " + e.getKey(), p));
    }
    return out;
  }

  /** Mean and standard deviation over seeds at each x. */
  static Charts.Band band(Dataset<Row> curves, String name, String label) {
    Map<Double, List<Double>> byX = new TreeMap<>();
    for (Row r : curves.filter(functions.col("curve").equalTo(name)).select("x", "y").collectAsList()) {
      if (!r.isNullAt(1)) {
        byX.computeIfAbsent(r.getDouble(0), k -> new ArrayList<>()).add(r.getDouble(1));
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
      List<Double> v = e.getValue();
      double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double ss = 0;
      for (double d : v) {
        ss += (d - m) * (d - m);
      }
      x[i] = e.getKey();
      mean[i] = m;
      std[i] = v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0;
      i++;
    }
    return new Charts.Band(label, x, mean, std);
  }

  private static void note(HtmlPage page, List<String> absent, String what, String why) {
    absent.add(what);
    page.note(why);
  }

  private static Map<String, Object> readManifest(Configuration hadoop, String dir) {
    Path p = new Path(dir, "manifest.json");
    try {
      if (!p.getFileSystem(hadoop).exists(new Path(dir))) {
        throw new InputException("results folder " + dir + " does not exist");
      }
      if (!p.getFileSystem(hadoop).exists(p)) {
        throw new InputException(p + " is missing: " + dir + " is not a finished evaluate results folder");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return Manifest.read(hadoop, dir);
    } catch (UncheckedIOException e) {
      throw new InputException(p + " is not valid JSON: " + e.getMessage());
    }
  }

  private static Dataset<Row> table(SparkSession spark, String dir, String name, List<String> columns) {
    String path = new Path(dir, name).toString();
    Dataset<Row> t;
    try {
      t = spark.read().parquet(path);
    } catch (Exception e) {
      // Spark's AnalysisException (missing path, not Parquet) is a checked exception thrown without declaration.
      throw new InputException("cannot read " + path + " (Parquet) from the results folder: " + e.getMessage());
    }
    for (String c : columns) {
      if (!List.of(t.columns()).contains(c)) {
        throw new InputException(path + " has no column '" + c + "' (columns: " + List.of(t.columns()) + ")");
      }
    }
    return t;
  }

  private static Map<?, ?> map(Object o) {
    return o instanceof Map<?, ?> m ? m : Map.of();
  }

  private static String num(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : v == null ? "n/a" : String.valueOf(v);
  }
}
