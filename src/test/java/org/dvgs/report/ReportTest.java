package org.dvgs.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.cli.Main;
import org.dvgs.output.Manifest;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code report} command on results folders written with real Spark and Parquet in the layout {@code evaluate}
 * writes: every section and plot present, plots decodable PNGs of the chart size, absent data replaced by a note,
 * and bad folders refused with status 2 naming the path.
 */
class ReportTest {
  private static final Pattern PNG = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
  private static SparkSession spark;
  private static Path full;

  record Result(int status, String out, String err) {}

  @BeforeAll
  static void fixture() {
    spark = SharedSpark.get();
    ResultsFixture f = new ResultsFixture();
    // More rows than the scatter draws, so its deterministic sample is exercised.
    f.rows = 2500;
    full = f.write(spark, SharedSpark.tempDir("report-full"));
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every embedded PNG, decoded. */
  static List<BufferedImage> images(String html) {
    List<BufferedImage> out = new ArrayList<>();
    Matcher m = PNG.matcher(html);
    while (m.find()) {
      try {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
        assertNotNull(img, "an embedded image is not a decodable PNG");
        out.add(img);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  @Test
  void fullReportHasEverySectionAndPlot() throws IOException {
    Path html = SharedSpark.tempDir("report-out").resolve("sub/report.html");
    Result r = run("report", "--input", full.toString(), "--output", html.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("(5 plots)"), r.out());
    String page = read(html);

    for (String id : List.of("summary", "value-distributions", "roc-curve", "corrupted-sample-discovery", "filter-and-retrain",
        "noise-rate-and-value", "run-times", "configuration")) {
      assertTrue(page.contains("<h2 id=\"" + id + "\">"), "section " + id);
    }
    // Sections in the documented order.
    assertTrue(page.indexOf("id=\"summary\"") < page.indexOf("id=\"value-distributions\"")
        && page.indexOf("id=\"filter-and-retrain\"") < page.indexOf("id=\"noise-rate-and-value\"")
        && page.indexOf("id=\"run-times\"") < page.indexOf("id=\"configuration\""));

    List<BufferedImage> images = images(page);
    assertEquals(5, images.size());
    for (BufferedImage img : images) {
      assertEquals(Charts.WIDTH, img.getWidth());
      assertEquals(Charts.HEIGHT, img.getHeight());
      assertTrue(distinctColours(img) > 20, "a chart with almost no drawing");
    }
    assertTrue(page.contains("data-plots-expected=\"5\""));
    assertFalse(page.contains("data-absent="), "no plot should be absent");

    // Self-contained: no reference to anything outside the file.
    Matcher ext = Pattern.compile("(?i)(src|href)\\s*=\\s*\"(?!data:|#)").matcher(page);
    assertFalse(ext.find(), () -> "external reference: " + page.substring(ext.start(), Math.min(page.length(), ext.start() + 80)));
    assertFalse(page.contains("<link") || page.contains("url(") || page.contains("@import"));
    // The browser check's script.
    assertTrue(page.contains("data-plots-rendered") && page.contains("naturalWidth > 0"));

    // Metrics: mean ± std and each seed, as in the manifest.
    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), full.toString());
    Map<?, ?> auroc = (Map<?, ?>) ((Map<?, ?>) m.get("metrics")).get("auroc");
    assertTrue(page.contains(f4(auroc.get("mean")) + " ± " + f4(auroc.get("std"))), "auroc mean ± std");
    for (Object v : (List<?>) auroc.get("per_seed")) {
      assertTrue(page.contains(">" + f4(v) + "<"), "auroc per seed " + v);
    }
    assertTrue(page.contains("retrain_highest_q0.2") && page.contains("highest 20% removed"));
    // Run times: every stage of every seed.
    for (long seed : List.of(0L, 1L)) {
      for (String k : List.of("load_s", "train_s", "score_s", "aggregate_s", "total_s", "metrics_s", "retrain_s")) {
        assertTrue(page.contains(String.format(Locale.ROOT, ">%.1f<", ResultsFixture.timing(k, seed))), k + " of seed " + seed);
      }
    }
    // The scatter drew a fixed-size sample of the 5,000 rows.
    assertTrue(page.contains("4,000 of 5,000 rows"), "scatter sample caption");
    // Configuration, pretty-printed, in a <details>.
    assertTrue(page.contains("<details><summary>Resolved configuration (dvgs.*)</summary><pre>{"));
    assertTrue(page.contains("&quot;restarts&quot; : "), "pretty JSON of the config");
    // Written without Hadoop's checksum side file.
    try (Stream<Path> files = Files.list(html.getParent())) {
      assertEquals(List.of("report.html"), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void sameFolderGivesTheSameFile() throws IOException {
    Path dir = SharedSpark.tempDir("report-det");
    EvaluationReport.write(spark, full.toString(), dir.resolve("a.html").toString());
    EvaluationReport.write(spark, full.toString(), dir.resolve("b.html").toString());
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.html")), Files.readAllBytes(dir.resolve("b.html")));
  }

  @Test
  void absentDataGivesANoteInsteadOfAPlot() {
    ResultsFixture f = new ResultsFixture();
    f.sigmaMax = 0;
    f.retrain = false;
    Path folder = f.write(spark, SharedSpark.tempDir("report-nonoise"));
    Path html = folder.resolve("report.html");
    EvaluationReport.Written w = EvaluationReport.write(spark, folder.toString(), html.toString());
    String page = read(html);
    assertEquals(3, w.plots());
    assertEquals(3, images(page).size());
    assertEquals(List.of("filter-and-retrain curves", "noise scatter"), w.absent());
    assertTrue(page.contains("data-absent=\"noise scatter\""));
    assertTrue(page.contains("no row has feature noise"));
    assertTrue(page.contains("data-absent=\"filter-and-retrain curves\""));
    assertFalse(page.contains("value against its feature-noise rate"));
    assertTrue(page.contains("data-plots-expected=\"3\""));
    // The section headings stay, so a reader sees what was left out.
    assertTrue(page.contains("<h2 id=\"noise-rate-and-value\">") && page.contains("<h2 id=\"filter-and-retrain\">"));

    // Feature noise on every row and no label flips (the paper's noise protocol): no clean rows, so no curves.
    ResultsFixture g = new ResultsFixture();
    g.flipFraction = 0;
    g.noiseFraction = 1.0;
    g.curves = false;
    g.retrain = false;
    g.seeds = List.of(7L);
    Path allNoisy = g.write(spark, SharedSpark.tempDir("report-allnoisy"));
    EvaluationReport.Written w2 = EvaluationReport.write(spark, allNoisy.toString(), allNoisy.resolve("r.html").toString());
    assertEquals(List.of("ROC curve", "discovery curve", "filter-and-retrain curves"), w2.absent());
    assertEquals(2, w2.plots());
    String page2 = read(allNoisy.resolve("r.html"));
    assertEquals(2, images(page2).size());
    assertTrue(page2.contains("Every row is corrupted, so there are no clean rows"), "why the ROC curve is absent");
    assertTrue(page2.contains("value against its feature-noise rate"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void badInputsExitTwoNamingThePath() throws IOException {
    Path base = SharedSpark.tempDir("report-bad");
    Path out = base.resolve("out.html");

    Result noInput = run("report", "--output", out.toString());
    assertEquals(2, noInput.status());
    assertTrue(noInput.err().contains("--input RESULTS_DIR"), noInput.err());

    Path missing = base.resolve("no-such-folder");
    expectBad(missing, out, missing + " does not exist");

    Path empty = Files.createDirectories(base.resolve("empty"));
    expectBad(empty, out, empty.resolve("manifest.json") + " is missing");

    Path notJson = copy(base, "not-json");
    writeManifest(notJson, "{\"command\": \"evaluate\", ");
    expectBad(notJson, out, notJson.resolve("manifest.json") + " is not a JSON object");

    Path wrongCommand = copy(base, "wrong-command");
    editManifest(wrongCommand, m -> m.put("command", "value"));
    expectBad(wrongCommand, out, "is not from an evaluate run");

    Path noRuns = copy(base, "no-runs");
    editManifest(noRuns, m -> m.remove("runs"));
    expectBad(noRuns, out, noRuns.resolve("manifest.json") + ": runs is missing");

    Path badMetric = copy(base, "bad-metric");
    editManifest(badMetric, m -> ((Map<String, Object>) m.get("metrics")).put("auroc", 0.9));
    expectBad(badMetric, out, "manifest.json: metrics.auroc must be a JSON object (found number)");

    Path noResults = copy(base, "no-results");
    deleteTree(noResults.resolve("results"));
    expectBad(noResults, out, "cannot read the results table " + noResults.resolve("results"));

    Path noY = copy(base, "curves-no-y");
    deleteTree(noY.resolve("curves"));
    StructType xOnly = new StructType().add("seed", DataTypes.LongType).add("curve", DataTypes.StringType).add("x", DataTypes.DoubleType);
    spark.createDataFrame(List.of(RowFactory.create(0L, "roc", 0.0)), xOnly).write().mode(SaveMode.Overwrite)
        .parquet(noY.resolve("curves").toString());
    expectBad(noY, out, noY.resolve("curves") + " has no column 'y'");

    Path stringValue = copy(base, "string-value");
    deleteTree(stringValue.resolve("results"));
    spark.read().parquet(full.resolve("results").toString()).withColumn("value", org.apache.spark.sql.functions.col("value").cast("string"))
        .write().mode(SaveMode.Overwrite).parquet(stringValue.resolve("results").toString());
    expectBad(stringValue, out, stringValue.resolve("results") + ": column 'value' is string, expected double");

    Path dirOutput = Files.createDirectories(base.resolve("a-folder"));
    Result d = run("report", "--input", full.toString(), "--output", dirOutput.toString());
    assertEquals(2, d.status(), d.err());
    assertTrue(d.err().contains(dirOutput + " is a folder"), d.err());
    assertFalse(Files.exists(out), "no report is written from a bad folder");
  }

  private static void expectBad(Path input, Path out, String message) {
    Result r = run("report", "--input", input.toString(), "--output", out.toString());
    assertEquals(2, r.status(), () -> "status for " + input + ": " + r.err());
    assertTrue(r.err().contains(message), () -> "expected '" + message + "' in: " + r.err());
  }

  private interface ManifestEdit {
    void apply(Map<String, Object> m);
  }

  private static void editManifest(Path dir, ManifestEdit edit) throws IOException {
    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), dir.toString());
    edit.apply(m);
    writeManifest(dir, Manifest.toJson(m));
  }

  /** Replaces manifest.json by hand, with Hadoop's checksum file gone so the text itself is what is read. */
  private static void writeManifest(Path dir, String text) throws IOException {
    Files.deleteIfExists(dir.resolve(".manifest.json.crc"));
    Files.writeString(dir.resolve("manifest.json"), text);
  }

  /** A copy of the full fixture, to break one thing in. */
  private static Path copy(Path base, String name) throws IOException {
    Path target = base.resolve(name);
    try (Stream<Path> files = Files.walk(full)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path t = target.resolve(full.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> files = Files.walk(p)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private static String f4(Object v) {
    return String.format(Locale.ROOT, "%.4f", ((Number) v).doubleValue());
  }

  private static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
