package org.dvgs.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.dvgs.core.InputException;
import org.dvgs.output.Manifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.UniqueManifest;

/**
 * The report of a {@code unique} run: what was kept, cluster sizes, the 2-D principal-component view of the
 * projected gradients coloured by cluster and by label (kept rows drawn on top), the silhouette of each cluster
 * count tried, run times and the configuration.
 */
public final class UniquenessReport {
  /** Rows drawn (smallest hash of the sample id) for the scatter plots. */
  static final int SCATTER_ROWS = 4000;
  /** Series beyond this many (clusters or labels) are merged into "other" so colours stay distinct. */
  static final int MAX_SERIES = 12;

  /** Twelve distinct colours for clusters and labels (kept rows are black). */
  private static final java.awt.Color[] GROUPS = {
    new java.awt.Color(0x2b6cb0), new java.awt.Color(0xdd6b20), new java.awt.Color(0x38a169), new java.awt.Color(0xc53030),
    new java.awt.Color(0x805ad5), new java.awt.Color(0x8c564b), new java.awt.Color(0xd53f8c), new java.awt.Color(0x718096),
    new java.awt.Color(0x319795), new java.awt.Color(0x808000), new java.awt.Color(0x1a365d), new java.awt.Color(0xd69e2e)};

  private UniquenessReport() {}

  /** Whether {@code dir} holds a finished {@code unique} output (its manifest says so). */
  public static boolean isUniqueOutput(SparkSession spark, String dir) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    try {
      Path p = new Path(dir, "manifest.json");
      return p.getFileSystem(hadoop).exists(p) && UniqueManifest.COMMAND.equals(Manifest.read(hadoop, dir).get("command"));
    } catch (java.io.IOException | RuntimeException e) {
      return false; // not readable as a unique output: the evaluate report names the problem
    }
  }

  /** Builds the report of the unique output {@code dir} into {@code output} (see {@link EvaluationReport#checkTarget}). */
  public static EvaluationReport.Written write(SparkSession spark, String dir, String output) {
    return write(spark, dir, output, false);
  }

  /** As above; {@code overwrite} lets it replace a file that is not a dvgs report. */
  public static EvaluationReport.Written write(SparkSession spark, String dir, String output, boolean overwrite) {
    EvaluationReport.checkTarget(spark, dir, output, overwrite);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    UniqueManifest manifest = Manifest.read(hadoop, dir, UniqueManifest.class);
    Charts.requireFonts();
    String path = new Path(dir, "unique").toString();
    Dataset<Row> table;
    try {
      table = spark.read().parquet(path);
    } catch (Exception e) {
      throw new InputException("cannot read " + path + " (Parquet) from the unique output: " + e.getMessage());
    }
    for (String c : List.of("sample_id", "label", "kept", "cluster", "pc1", "pc2")) {
      if (!List.of(table.columns()).contains(c)) {
        throw new InputException(path + " has no column '" + c + "' (columns: " + List.of(table.columns()) + ")");
      }
    }
    HtmlPage page = new HtmlPage("DVGS data uniqueness report", "Output folder: " + dir);
    UniqueManifest.Counts counts = manifest.counts();
    UniqueManifest.Projection proj = manifest.projection();
    UniqueManifest.Selection sel = manifest.selection();
    UniqueManifest.Clustering clustering = manifest.clustering();
    UniqueManifest.Summary summary = manifest.summary();
    UniqueManifest.Model model = manifest.model();

    page.section("Uniqueness");
    page.paragraph("A sampled row is kept as unique when the cosine similarity of its projected loss gradient to every row kept "
        + "before it is below the threshold; the others point to their most similar kept row.");
    List<List<String>> st = new ArrayList<>();
    st.add(List.of("rows sampled", str(counts.sampled())));
    st.add(List.of("rows kept (unique)", str(counts.kept())));
    st.add(List.of("rows with a zero gradient (left out)", str(counts.zeroGradient())));
    st.add(List.of("similarity threshold", str(sel.threshold())));
    st.add(List.of("projected dimension k", str(proj.k()) + " (Johnson-Lindenstrauss bound " + str(proj.jlBound())
        + " for eps " + str(proj.eps()) + ")"));
    st.add(List.of("gradient entries projected", str(proj.gradientDimension()) + " (linear layers " + proj.layers() + ")"));
    st.add(List.of("model", str(model.task()) + " " + model.widths() + ", " + str(model.source()) + ", snapshot "
        + str(model.snapshotIndex()) + " of restart " + str(model.restart())));
    st.add(List.of("selection rounds", str(sel.rounds()) + " (pool per round " + sel.poolPerRound() + ")"));
    if (summary.labelsPresent() != null) {
      st.add(List.of("classes with a kept row", str(summary.labelsWithKeptRows()) + " of " + str(summary.labelsPresent())));
    }
    st.add(List.of("k-means clusters", str(clustering.clusters()) + (clustering.chosenBy() != null
        ? " (" + clustering.chosenBy() + ", silhouette " + num(clustering.silhouette()) + ")" : "")));
    if (summary.adjustedRandClustersVsLabels() != null) {
      st.add(List.of("adjusted Rand index, clusters vs labels", num(summary.adjustedRandClustersVsLabels())));
    }
    page.table(List.of("quantity", "value"), st);

    page.section("Cluster sizes");
    Map<String, UniqueManifest.Cell> clusters = summary.clusters();
    if (clusters.isEmpty()) {
      page.absent("cluster sizes", "No clusters: clustering was off (dvgs.unique.clusters.enabled = false) or there were too few rows.");
    } else {
      long total = 0;
      for (UniqueManifest.Cell v : clusters.values()) {
        total += v.rows();
      }
      Map<Integer, String> topLabels = topLabels(table);
      List<List<String>> ct = new ArrayList<>();
      for (Map.Entry<?, ?> e : new TreeMap<>(asIntKeys(clusters)).entrySet()) {
        UniqueManifest.Cell c = (UniqueManifest.Cell) e.getValue();
        long rows = c.rows();
        ct.add(List.of(String.valueOf(e.getKey()), String.valueOf(rows), String.format(Locale.ROOT, "%.1f%%", 100.0 * rows / total),
            str(c.kept()), topLabels.getOrDefault((Integer) e.getKey(), "")));
      }
      page.table(List.of("cluster", "rows", "share", "kept", "most common labels"), ct);
      Map<String, Double> sil = clustering.silhouetteByCount() == null ? Map.of() : clustering.silhouetteByCount();
      if (sil.size() > 1) {
        double[] x = new double[sil.size()];
        double[] y = new double[sil.size()];
        int i = 0;
        for (Map.Entry<?, ?> e : new TreeMap<>(asIntKeys(sil)).entrySet()) {
          x[i] = (Integer) e.getKey();
          y[i++] = ((Number) e.getValue()).doubleValue();
        }
        page.image(Charts.lines("Silhouette by cluster count", "clusters", "silhouette",
            List.of(new Charts.Series("silhouette", x, y, Charts.seedColor(0))), false),
            "Silhouette of k-means on the unit projected gradients for each cluster count tried; the best was chosen");
      }
    }

    page.section("Projected gradients in 2-D");
    Dataset<Row> pts = table.filter(functions.col("pc1").isNotNull())
        .withColumn("h", functions.xxhash64(functions.col("sample_id")))
        .orderBy("h").limit(SCATTER_ROWS).select("pc1", "pc2", "cluster", "label", "kept");
    List<Row> rows = pts.collectAsList();
    if (rows.isEmpty()) {
      page.absent("2-D view", "No 2-D view: no row has a non-zero projected gradient.");
    } else {
      String shown = rows.size() < SCATTER_ROWS ? "all " + rows.size() + " rows" : rows.size() + " rows drawn by a hash of the sample id";
      if (rows.get(0).isNullAt(2)) {
        page.absent("2-D view by cluster", "No view by cluster: clustering was off.");
      } else {
        page.image(Charts.scatterHighlightLast("Projected gradients by k-means cluster", "principal component 1", "principal component 2",
            groups(rows, 2, "cluster ")), "First two principal components of the unit projected gradients, coloured by cluster; "
            + "kept (unique) rows are the black dots (" + shown + ")");
      }
      if (rows.get(0).isNullAt(3)) {
        page.absent("2-D view by label", "No view by label: the task has no labels.");
      } else {
        page.image(Charts.scatterHighlightLast("Projected gradients by label", "principal component 1", "principal component 2",
            groups(rows, 3, "label ")), "The same view coloured by the row's label; kept rows in black (" + shown + ")");
      }
    }

    page.section("Run times");
    List<List<String>> rt = new ArrayList<>();
    for (Map.Entry<?, ?> e : ManifestCodec.toMap(manifest.timings()).entrySet()) {
      rt.add(List.of(String.valueOf(e.getKey()).replace("_s", ""), String.format(Locale.ROOT, "%.2f", ((Number) e.getValue()).doubleValue())));
    }
    page.table(List.of("stage", "seconds"), rt);
    page.paragraph("Versions: " + ManifestCodec.toMap(manifest.versions()) + ".");
    for (String w : manifest.warnings()) {
      page.note(String.valueOf(w));
    }

    page.section("Configuration");
    Object config = manifest.config();
    page.details("Resolved configuration (dvgs.*)", config instanceof Map<?, ?> c ? Manifest.toJson(cast((Map<?, ?>) org.dvgs.output.Secrets.redact(c))) : "(none recorded)");

    EvaluationReport.writeFile(spark, dir, output, overwrite, page.render());
    return new EvaluationReport.Written(output, page.images(), page.absentPlots());
  }

  /** Scatter series per value of column {@code col} (the largest groups first, the rest as "other"), kept rows last. */
  private static List<Charts.Series> groups(List<Row> rows, int col, String prefix) {
    Map<String, List<double[]>> by = new LinkedHashMap<>();
    Map<String, Integer> sizes = new TreeMap<>();
    for (Row r : rows) {
      String key = key(r, col);
      sizes.merge(key, 1, Integer::sum);
    }
    List<String> order = new ArrayList<>(sizes.keySet());
    order.sort((a, b) -> sizes.get(b) - sizes.get(a) != 0 ? sizes.get(b) - sizes.get(a) : a.compareTo(b));
    List<String> named = order.subList(0, Math.min(order.size(), MAX_SERIES - 1 + (order.size() <= MAX_SERIES ? 1 : 0)));
    List<String> sorted = new ArrayList<>(named);
    sorted.sort(UniquenessReport::numericFirst);
    for (String k : sorted) {
      by.put(prefix + k, new ArrayList<>());
    }
    List<double[]> kept = new ArrayList<>();
    for (Row r : rows) {
      String k = key(r, col);
      double[] p = {r.getDouble(0), r.getDouble(1)};
      by.computeIfAbsent(named.contains(k) ? prefix + k : "other", x -> new ArrayList<>()).add(p);
      if (r.getBoolean(4)) {
        kept.add(p);
      }
    }
    by.put("kept (unique)", kept);
    List<Charts.Series> out = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, List<double[]>> e : by.entrySet()) {
      double[] x = new double[e.getValue().size()];
      double[] y = new double[x.length];
      for (int j = 0; j < x.length; j++) {
        x[j] = e.getValue().get(j)[0];
        y[j] = e.getValue().get(j)[1];
      }
      boolean last = i == by.size() - 1;
      out.add(new Charts.Series(e.getKey(), x, y, last ? java.awt.Color.BLACK : GROUPS[i % GROUPS.length]));
      i++;
    }
    return out;
  }

  private static String key(Row r, int col) {
    Object v = r.get(col);
    if (v instanceof Double d && d == Math.rint(d)) {
      return String.valueOf(d.longValue());
    }
    return String.valueOf(v);
  }

  private static int numericFirst(String a, String b) {
    try {
      return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }

  /** The three most common labels of each cluster, with their shares. */
  private static Map<Integer, String> topLabels(Dataset<Row> table) {
    Map<Integer, List<String>> out = new TreeMap<>();
    Map<Integer, Long> totals = new TreeMap<>();
    List<Row> rows = table.filter(functions.col("cluster").isNotNull().and(functions.col("label").isNotNull()))
        .groupBy("cluster", "label").count().orderBy(functions.col("cluster"), functions.col("count").desc(), functions.col("label"))
        .collectAsList();
    for (Row r : rows) {
      totals.merge(r.getInt(0), r.getLong(2), Long::sum);
    }
    for (Row r : rows) {
      List<String> l = out.computeIfAbsent(r.getInt(0), x -> new ArrayList<>());
      if (l.size() < 3) {
        double label = r.getDouble(1);
        l.add((label == Math.rint(label) ? String.valueOf((long) label) : String.valueOf(label))
            + String.format(Locale.ROOT, " (%.0f%%)", 100.0 * r.getLong(2) / totals.get(r.getInt(0))));
      }
    }
    Map<Integer, String> joined = new TreeMap<>();
    out.forEach((k, v) -> joined.put(k, String.join(", ", v)));
    return joined;
  }

  private static Map<Integer, Object> asIntKeys(Map<?, ?> m) {
    Map<Integer, Object> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(Integer.parseInt(String.valueOf(k)), v));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static String str(Object v) {
    return v == null ? "n/a" : String.valueOf(v);
  }

  private static String num(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : str(v);
  }
}
