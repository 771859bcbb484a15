package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL files of notebooks/value-tables.ipynb, run as the notebook runs them (same views, same parameters)
 * against value tables the job wrote, and checked against the same numbers computed here from the rows.
 */
class NotebookQueriesTest {
  static final Path SQL = Path.of("notebooks", "sql");
  static final Path NOTEBOOK = Path.of("notebooks", "value-tables.ipynb");
  static SparkSession spark;
  static Map<String, double[]> a;
  static Map<String, double[]> b;

  @BeforeAll
  static void runs() {
    spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("notebook");
    String outA = dir.resolve("a").toString();
    String outB = dir.resolve("b").toString();
    ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(SmallValuation.overrides(spark, 600, outA, "run-id=dvgs_a").toArray(new String[0]))));
    ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(SmallValuation.overrides(spark, 600, outB, "run-id=dvgs_b", "seed=7").toArray(new String[0]))));
    // The notebook's views: every output's values/ read on its own (each is a table root) and unioned, the source
    // with its id as sample_id.
    Dataset<Row> values = spark.read().parquet(Path.of(outA, "values").toString())
        .unionByName(spark.read().parquet(Path.of(outB, "values").toString()));
    values.createOrReplaceTempView("dvgs_values");
    spark.read().parquet(SmallValuation.source(spark, 600)).withColumn("sample_id", functions.col("id").cast("string"))
        .createOrReplaceTempView("dvgs_source");
    a = SmallValuation.table(values.where("run_id = 'dvgs_a'"));
    b = SmallValuation.table(values.where("run_id = 'dvgs_b'"));
  }

  static List<Row> query(String name, Map<String, Object> params) throws IOException {
    return spark.sql(Files.readString(SQL.resolve(name + ".sql")), params).collectAsList();
  }

  static double[] sorted(Map<String, double[]> t) {
    return t.values().stream().mapToDouble(v -> v[0]).sorted().toArray();
  }

  @Test
  void valueDistribution() throws IOException {
    double[] v = sorted(a);
    Row s = query("value_summary", Map.of("run_id", "dvgs_a")).get(0);
    assertEquals(600L, s.getLong(s.fieldIndex("n")));
    assertEquals(Arrays.stream(v).average().orElseThrow(), s.getDouble(s.fieldIndex("mean")), 1e-12);
    assertEquals(v[0], s.getDouble(s.fieldIndex("min")), 0.0);
    assertEquals(v[v.length - 1], s.getDouble(s.fieldIndex("max")), 0.0);
    assertEquals((v[299] + v[300]) / 2, s.getDouble(s.fieldIndex("median")), 1e-12);

    List<Row> h = query("value_histogram", Map.of("run_id", "dvgs_a", "bins", 20));
    long total = 0;
    for (Row r : h) {
      long bucket = r.getLong(r.fieldIndex("bucket"));
      double lo = r.getDouble(r.fieldIndex("bucket_start"));
      double hi = r.getDouble(r.fieldIndex("bucket_end"));
      long inBucket = Arrays.stream(v).filter(x -> x >= lo - 1e-12 && (x < hi - 1e-12 || (bucket == 20 && x <= hi + 1e-12))).count();
      assertEquals(inBucket, r.getLong(r.fieldIndex("n")), "bucket " + bucket);
      total += r.getLong(r.fieldIndex("n"));
    }
    assertEquals(600, total);
  }

  @Test
  void lowestValuesWithMetadata() throws IOException {
    List<Row> rows = query("lowest_values", Map.of("run_id", "dvgs_a", "n", 25));
    assertEquals(25, rows.size());
    double[] v = sorted(a);
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(v[i], r.getDouble(r.fieldIndex("value")), 0.0);
      String id = r.getString(r.fieldIndex("sample_id"));
      assertEquals(a.get(id)[0], r.getDouble(r.fieldIndex("value")), 0.0);
      assertEquals(id, r.getString(r.fieldIndex("id")), "source metadata joined");
      r.getBoolean(r.fieldIndex("corrupted"));
    }
    // The values find the flipped labels: most of the 25 lowest rows are corrupted (20% of all rows are).
    long corrupted = rows.stream().filter(r -> r.getBoolean(r.fieldIndex("corrupted"))).count();
    assertTrue(corrupted >= 15, corrupted + " of the 25 lowest rows are corrupted");
  }

  @Test
  void twoRunsCompared() throws IOException {
    Row s = query("compare_runs", Map.of("run_a", "dvgs_a", "run_b", "dvgs_b", "fraction", 0.2)).get(0);
    assertEquals(600L, s.getLong(s.fieldIndex("n_common")));
    List<String> ids = new ArrayList<>(a.keySet());
    double[] x = ids.stream().mapToDouble(id -> a.get(id)[0]).toArray();
    double[] y = ids.stream().mapToDouble(id -> b.get(id)[0]).toArray();
    assertEquals(pearson(x, y), s.getDouble(s.fieldIndex("pearson")), 1e-9);
    assertEquals(pearson(ranks(x), ranks(y)), s.getDouble(s.fieldIndex("spearman")), 1e-9);
    assertTrue(s.getDouble(s.fieldIndex("pearson")) > 0.5, "two seeds agree on the same data");
    double overlap = s.getDouble(s.fieldIndex("lowest_overlap"));
    assertTrue(overlap > 0.2 && overlap <= 1.0, "overlap " + overlap);

    List<Row> pairs = query("compare_runs_pairs", Map.of("run_a", "dvgs_a", "run_b", "dvgs_b"));
    assertEquals(600, pairs.size());
    for (Row r : pairs) {
      String id = r.getString(r.fieldIndex("sample_id"));
      assertEquals(a.get(id)[0], r.getDouble(r.fieldIndex("value_a")), 0.0);
      assertEquals(b.get(id)[0], r.getDouble(r.fieldIndex("value_b")), 0.0);
    }
  }

  @Test
  void thresholdsAndTheCleanedExport() throws IOException {
    double[] v = sorted(a);
    List<Row> t = query("threshold_candidates", Map.of("run_id", "dvgs_a"));
    assertEquals(8, t.size());
    double chosen = Double.NaN;
    for (Row r : t) {
      double fraction = r.getDecimal(r.fieldIndex("fraction")).doubleValue();
      double threshold = r.getDouble(r.fieldIndex("threshold"));
      assertEquals(v[(int) Math.floor(fraction * 600)], threshold, 0.0, "threshold for " + fraction);
      long below = Arrays.stream(v).filter(x -> x < threshold).count();
      assertEquals(below, r.getLong(r.fieldIndex("removed")));
      assertEquals(600L, r.getLong(r.fieldIndex("total")));
      if (fraction == 0.2) {
        chosen = threshold;
      }
    }
    Dataset<Row> clean = spark.sql(Files.readString(SQL.resolve("export_clean.sql")), Map.of("run_id", "dvgs_a", "threshold", chosen));
    double th = chosen;
    assertEquals(Arrays.stream(v).filter(x -> x >= th).count(), clean.count());
    assertEquals(Arrays.asList(spark.table("dvgs_source").columns()), Arrays.asList(clean.columns()), "the source's own columns");
    long corruptedKept = clean.where("corrupted").count();
    long corruptedAll = spark.table("dvgs_source").where("corrupted").count();
    assertTrue(corruptedKept < 0.6 * corruptedAll, "filtering removes most flipped rows: " + corruptedKept + " of " + corruptedAll + " kept");
  }

  @Test
  void theNotebookRunsExactlyTheseFiles() throws IOException {
    JsonNode nb = new ObjectMapper().readTree(NOTEBOOK.toFile());
    assertEquals(4, nb.get("nbformat").asInt());
    StringBuilder code = new StringBuilder();
    for (JsonNode cell : nb.get("cells")) {
      if (cell.get("cell_type").asText().equals("code")) {
        for (JsonNode line : cell.get("source")) {
          code.append(line.asText());
        }
        code.append('\n');
      }
    }
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("query\\(\\s*\"([a-z_]+)\"").matcher(code);
    while (m.find()) {
      used.add(m.group(1));
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(SQL)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).forEach(n -> files.add(n.replace(".sql", "")));
    }
    assertEquals(files, used, "every SQL file is used by the notebook and every query it names exists");
    assertTrue(code.toString().contains("createOrReplaceTempView(\"dvgs_values\")"));
    assertTrue(code.toString().contains("createOrReplaceTempView(\"dvgs_source\")"));
  }

  static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElseThrow();
    double my = Arrays.stream(y).average().orElseThrow();
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  /** Percent ranks as SQL's percent_rank: (rank - 1) / (n - 1), ties at their lowest rank. */
  static double[] ranks(double[] x) {
    Integer[] idx = new Integer[x.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (p, q) -> Double.compare(x[p], x[q]));
    double[] r = new double[x.length];
    for (int k = 0; k < idx.length; k++) {
      int lowest = k;
      while (lowest > 0 && x[idx[lowest - 1]] == x[idx[k]]) {
        lowest--;
      }
      r[idx[k]] = (double) lowest / (x.length - 1);
    }
    return r;
  }
}
