package org.dvgs.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.MetricSummary;

/**
 * The methods of one experiment side by side: how well each method's values find the corrupted rows (the quality
 * metrics, mean ± std over seeds), what each cost (runtime per seed and its ratio to DVGS's) and the discovery
 * curves of all methods in one plot. A folder with a single method gets a one-line note and no plot.
 */
final class MethodComparison implements ReportSection {
  /** Quality metrics shown as columns, in this order, when the manifest has them. */
  private static final List<String> COLUMNS =
      List.of("auroc", "spearman", "kmeans_f1", "retrain_all", "retrain_lowest_q0.2", "retrain_highest_q0.2");
  /** Points of the common grid the seeds' discovery curves are averaged on. */
  static final int GRID = 101;
  private static final Color[] METHOD_COLORS = {
    new Color(0x2b6cb0), new Color(0xdd6b20), new Color(0x38a169), new Color(0x805ad5), new Color(0xd53f8c), new Color(0x718096),
    new Color(0xb7791f)
  };

  @Override
  public void addTo(HtmlPage page, ResultsFolder f) {
    page.section("Methods compared");
    List<String> methods = f.methods();
    Map<String, EvaluateManifest.MethodSummary> summaries = f.methodSummaries();
    if (methods.size() < 2 || summaries.isEmpty()) {
      page.paragraph("One valuation method ran (" + methods.get(0) + "); list several in dvgs.evaluation.methods "
          + "(dvgs, random, loo, tmc-shapley, dvrl, knn-shapley, target-loss, confident-learning) to compare them on the same corrupted data and seeds.");
      return;
    }
    List<String> shown = new ArrayList<>();
    for (String c : COLUMNS) {
      for (EvaluateManifest.MethodSummary m : summaries.values()) {
        if (m.metrics().containsKey(c) && !shown.contains(c)) {
          shown.add(c);
        }
      }
    }
    Double dvgs = runtime(summaries.get("dvgs"));
    List<String> header = new ArrayList<>(List.of("method"));
    for (String c : shown) {
      header.add(label(c));
    }
    header.add("runtime per seed (s)");
    if (dvgs != null) {
      header.add("runtime / DVGS");
    }
    List<List<String>> rows = new ArrayList<>();
    for (String method : methods) {
      EvaluateManifest.MethodSummary m = summaries.get(method);
      Map<String, MetricSummary> metrics = m == null ? Map.of() : m.metrics();
      List<String> row = new ArrayList<>(List.of(method));
      for (String c : shown) {
        MetricSummary s = metrics.get(c);
        row.add(s != null ? meanStd(s.mean(), s.std()) : "");
      }
      MetricSummary rt = m == null ? null : m.runtimeS();
      row.add(rt == null ? "n/a" : meanStd(rt.mean(), rt.std(), "%.1f"));
      if (dvgs != null) {
        Double own = runtime(m);
        row.add(own == null || dvgs <= 0 ? "n/a" : String.format(Locale.ROOT, own / dvgs < 1 ? "%.2f\u00d7" : "%.1f\u00d7", own / dvgs));
      }
      rows.add(row);
    }
    page.table(header, rows);
    page.paragraph("Quality and cost on the same corrupted rows of every seed: mean ± standard deviation over "
        + f.seeds().size() + (f.seeds().size() == 1 ? " seed" : " seeds") + ". Runtime is each method's valuation alone, from "
        + "its prepared (sampled, corrupted, scaled) inputs to its written value table; for DVGS, training, scoring and "
        + "aggregation." + (shown.contains("retrain_all")
            ? " Retrain columns are the test metric after removing nothing, the lowest 20% or the highest 20% by value." : ""));
    detailsTable(page, methods, summaries, f.seeds());
    discoveryPlot(page, f, methods);
  }

  /** Method-specific facts per seed (permutations run, convergence, budgets). */
  private static void detailsTable(HtmlPage page, List<String> methods, Map<String, EvaluateManifest.MethodSummary> summaries,
      List<?> seeds) {
    List<List<String>> rows = new ArrayList<>();
    for (String method : methods) {
      if (summaries.get(method) != null) {
        List<Map<String, Object>> perSeed = summaries.get(method).details();
        for (int i = 0; i < perSeed.size(); i++) {
          if (perSeed.get(i) != null && !perSeed.get(i).isEmpty()) {
            Map<String, Object> d = perSeed.get(i);
            List<String> kv = new ArrayList<>();
            d.forEach((k, v) -> kv.add(k + " = " + (v instanceof Double x ? String.format(Locale.ROOT, "%.4g", x) : String.valueOf(v))));
            rows.add(List.of(method, i < seeds.size() ? String.valueOf(seeds.get(i)) : "", String.join("; ", kv)));
          }
        }
      }
    }
    if (!rows.isEmpty()) {
      page.subheading("How far each method got");
      page.table(List.of("method", "seed", "details"), rows);
    }
  }

  /** One discovery curve per method, averaged over seeds on a common grid, with the random order for reference. */
  private static void discoveryPlot(HtmlPage page, ResultsFolder f, List<String> methods) {
    if (!List.of(f.allCurves().columns()).contains("method")) {
      return;
    }
    List<Row> rows = f.allCurves().filter(functions.col("curve").equalTo("discovery"))
        .select("method", "seed", "x", "y").orderBy("method", "seed", "x", "y").collectAsList();
    // method -> seed -> points
    Map<String, Map<Long, List<double[]>>> byMethod = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.isNullAt(3)) {
        continue;
      }
      byMethod.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).computeIfAbsent(r.getLong(1), k -> new ArrayList<>())
          .add(new double[] {r.getDouble(2), r.getDouble(3)});
    }
    if (byMethod.isEmpty()) {
      page.absent("discovery curves of all methods", "No plot: the results have no discovery curves (add discovery to dvgs.evaluation.metrics).");
      return;
    }
    double[] grid = new double[GRID];
    for (int i = 0; i < GRID; i++) {
      grid[i] = i / (double) (GRID - 1);
    }
    List<Charts.Series> series = new ArrayList<>();
    int i = 0;
    for (String method : methods) {
      Map<Long, List<double[]>> seeds = byMethod.get(method);
      if (seeds != null) {
        series.add(new Charts.Series(method, grid, meanOnGrid(seeds.values(), grid), METHOD_COLORS[i % METHOD_COLORS.length]));
      }
      i++;
    }
    series.add(new Charts.Series("random order", new double[] {0, 1}, new double[] {0, 1}, new Color(0xa0aec0), true));
    page.image(Charts.lines("Discovery by method (mean over seeds)", "fraction of rows inspected", "fraction of corrupted rows found",
            series, true),
        "Fraction of the corrupted rows found against the fraction of rows inspected, lowest values first: each method's "
            + "curve is the mean over seeds of its per-seed curves, read at 101 evenly spaced fractions.");
  }

  /** Mean over curves of each curve's value at every grid point (linear between its points, flat outside them). */
  static double[] meanOnGrid(Iterable<List<double[]>> curves, double[] grid) {
    double[] sum = new double[grid.length];
    int n = 0;
    for (List<double[]> c : curves) {
      for (int g = 0; g < grid.length; g++) {
        sum[g] += interpolate(c, grid[g]);
      }
      n++;
    }
    for (int g = 0; g < grid.length; g++) {
      sum[g] /= n;
    }
    return sum;
  }

  /** The curve's value at {@code x}; points sorted by x (at a vertical step, the value where the curve first reaches x). */
  static double interpolate(List<double[]> pts, double x) {
    if (x <= pts.get(0)[0]) {
      return pts.get(0)[1];
    }
    for (int k = 1; k < pts.size(); k++) {
      double[] a = pts.get(k - 1);
      double[] b = pts.get(k);
      if (x <= b[0]) {
        if (b[0] == a[0]) {
          return b[1];
        }
        return a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]);
      }
    }
    return pts.get(pts.size() - 1)[1];
  }

  private static Double runtime(EvaluateManifest.MethodSummary summary) {
    return summary == null ? null : summary.runtimeS().mean();
  }

  private static String label(String metric) {
    return switch (metric) {
      case "auroc" -> "AUROC";
      case "spearman" -> "Spearman";
      case "kmeans_f1" -> "2-means F1";
      case "retrain_all" -> "retrain, all rows";
      case "retrain_lowest_q0.2" -> "retrain, lowest 20% removed";
      case "retrain_highest_q0.2" -> "retrain, highest 20% removed";
      default -> metric;
    };
  }

  private static String meanStd(Object mean, Object std) {
    return meanStd(mean, std, "%.3f");
  }

  private static String meanStd(Object mean, Object std, String fmt) {
    if (!(mean instanceof Number m)) {
      return "n/a";
    }
    String s = String.format(Locale.ROOT, fmt, m.doubleValue());
    return std instanceof Number d ? s + " ± " + String.format(Locale.ROOT, fmt, d.doubleValue()) : s;
  }
}
