package org.dvgs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.cli.Main;
import org.dvgs.output.Manifest;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/**
 * Reports read their manifests through the records: manifests written by earlier versions (the fixtures) render,
 * and a missing or malformed field is one line naming the file and the field, exit status 2.
 */
class ManifestReadingTest {
  static String fixture(String name) {
    try (InputStream in = ManifestReadingTest.class.getResourceAsStream("/manifests/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A results folder of generated rows for seeds 1 and 2 (those of the evaluate fixture) with {@code manifest} as its manifest. */
  static Path evaluateFolder(String name, String manifest) throws IOException {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir(name);
    ResultsFixture f = new ResultsFixture();
    f.seeds = List.of(1L, 2L);
    f.rows = 300;
    f.write(spark, dir);
    Files.writeString(dir.resolve("manifest.json"), manifest, StandardCharsets.UTF_8);
    // The checksum the fixture's own manifest was written with no longer matches.
    Files.deleteIfExists(dir.resolve(".manifest.json.crc"));
    return dir;
  }

  /** Exit status and error output of {@code dvgs report}. */
  static Object[] report(Path in, Path html) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(new String[] {"report", "--input", in.toString(), "--output", html.toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Object[] {status, err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void anEvaluateManifestOfAnEarlierVersionRenders() throws Exception {
    Path dir = evaluateFolder("old-evaluate", fixture("evaluate-0.json"));
    Path html = dir.resolveSibling(dir.getFileName() + ".html");
    EvaluationReport.Written w = EvaluationReport.write(SharedSpark.get(), dir.toString(), html.toString());
    String page = Files.readString(html, StandardCharsets.UTF_8);
    for (String s : List.of("Summary", "Methods compared", "Run times", "Configuration", "knn-shapley", "logistic-regression",
        "2 seeds [1, 2]", "The whole experiment took 43.1 s")) {
      assertTrue(page.contains(s), "report lacks " + s);
    }
    assertTrue(w.plots() > 0);
  }

  @Test
  void aMissingFieldOfAnEvaluateManifestIsAnInputErrorNamingFileAndField() throws Exception {
    Map<String, Object> m = Manifest.read(new org.apache.hadoop.conf.Configuration(), evaluateFolder("probe", fixture("evaluate-0.json")).toString());
    @SuppressWarnings("unchecked")
    Map<String, Object> run = (Map<String, Object>) ((List<?>) m.get("runs")).get(1);
    run.remove("timings");
    Path dir = evaluateFolder("missing-field", Manifest.toJson(m));
    Object[] r = report(dir, dir.resolveSibling("missing.html"));
    assertEquals(2, r[0], (String) r[1]);
    assertEquals("dvgs: " + dir.resolve("manifest.json") + ": runs[1].timings is missing", ((String) r[1]).strip());
    assertFalse(Files.exists(dir.resolveSibling("missing.html")));
  }

  @Test
  void aMalformedFieldOfAnEvaluateManifestIsAnInputError() throws Exception {
    String broken = fixture("evaluate-0.json").replaceFirst("\"source_sample_size\" : 300", "\"source_sample_size\" : \"three hundred\"");
    Path dir = evaluateFolder("malformed-field", broken);
    Object[] r = report(dir, dir.resolveSibling("malformed.html"));
    assertEquals(2, r[0], (String) r[1]);
    String err = ((String) r[1]).strip();
    assertTrue(err.startsWith("dvgs: ") && err.contains("manifest.json: experiment.source_sample_size is malformed: "), err);
    assertEquals(1, err.lines().count(), err);
  }

  /** A unique output: a small {@code unique/} table and {@code manifest} as its manifest. */
  static Path uniqueFolder(String name, String manifest) throws IOException {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir(name);
    StructType schema = new StructType().add("sample_id", DataTypes.StringType).add("label", DataTypes.DoubleType)
        .add("kept", DataTypes.BooleanType).add("cluster", DataTypes.IntegerType).add("pc1", DataTypes.DoubleType)
        .add("pc2", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      int c = i < 415 ? 0 : 1;
      rows.add(RowFactory.create("id-" + i, (double) (1 - c), i % 300 == 0, c, c + 0.01 * (i % 17), 0.02 * (i % 11)));
    }
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.resolve("unique").toString());
    Files.writeString(dir.resolve("manifest.json"), manifest, StandardCharsets.UTF_8);
    return dir;
  }

  @Test
  void aUniqueManifestOfAnEarlierVersionRenders() throws Exception {
    Path dir = uniqueFolder("old-unique", fixture("unique-0.json"));
    Path html = dir.resolveSibling("old-unique.html");
    Object[] r = report(dir, html);
    assertEquals(0, r[0], (String) r[1]);
    String page = Files.readString(html, StandardCharsets.UTF_8);
    for (String s : List.of("Uniqueness", "Cluster sizes", "Run times", "rows sampled", "605 (Johnson-Lindenstrauss bound 605",
        "2 (silhouette, silhouette 0.8622)")) {
      assertTrue(page.contains(s), "report lacks " + s);
    }
  }

  @Test
  void aMissingFieldOfAUniqueManifestIsAnInputError() throws Exception {
    String broken = fixture("unique-0.json").replaceFirst("\"jl_bound\" : 605,", "");
    Path dir = uniqueFolder("broken-unique", broken);
    Object[] r = report(dir, dir.resolveSibling("broken-unique.html"));
    assertEquals(2, r[0], (String) r[1]);
    String err = ((String) r[1]).strip();
    assertTrue(err.startsWith("dvgs: ") && err.endsWith("manifest.json: projection.jl_bound is missing"), err);
  }
}
