package org.dvgs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.dvgs.cli.Main;
import org.dvgs.output.Manifest;
import org.dvgs.output.Secrets;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code report --output FILE} replaces only a report dvgs wrote (or, with {@code --overwrite}, a file outside any
 * results folder), never a file of a results folder, and never shows a secret of the resolved configuration.
 */
class ReportTargetTest {
  static SparkSession spark;
  static Path dir;
  static Path results;

  record Result(int status, String out, String err) {}

  @BeforeAll
  static void fixture() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("report-target");
    results = new ResultsFixture().write(spark, dir.resolve("results"));
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theResultsFolderIsNeverWrittenOver() throws IOException {
    Path manifest = results.resolve("manifest.json");
    byte[] before = Files.readAllBytes(manifest);
    FileTime mtime = Files.getLastModifiedTime(manifest);
    for (boolean overwrite : new boolean[] {false, true}) {
      Result r = overwrite
          ? run("report", "--input", results.toString(), "--output", manifest.toString(), "--overwrite")
          : run("report", "--input", results.toString(), "--output", manifest.toString());
      assertEquals(2, r.status(), r.err());
      assertTrue(r.err().contains(manifest.toString()) && r.err().contains("manifest.json is what dvgs writes there"), r.err());
      assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(manifest));
      assertEquals(mtime, Files.getLastModifiedTime(manifest));
    }
    // Nor into one of its tables, where Spark would read the page as a data file.
    Result inTable = run("report", "--input", results.toString(), "--output", results.resolve("results/page.html").toString(), "--overwrite");
    assertEquals(2, inTable.status(), inTable.err());
    assertFalse(Files.exists(results.resolve("results/page.html")));

    // The folder still reports, and a new page at its top level is fine.
    Result ok = run("report", "--input", results.toString(), "--output", results.resolve("report.html").toString());
    assertEquals(0, ok.status(), ok.err());
  }

  @Test
  void anUnrelatedPageIsReplacedOnlyWithOverwrite() throws IOException {
    Path notes = dir.resolve("notes.html");
    String mine = "<!DOCTYPE html>\n<html><head><title>My notes</title></head><body>lab notes</body></html>\n";
    Files.writeString(notes, mine);
    Result r = run("report", "--input", results.toString(), "--output", notes.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains(notes.toString()) && r.err().contains("--overwrite"), r.err());
    assertEquals(mine, Files.readString(notes));

    Result replaced = run("report", "--input", results.toString(), "--output", notes.toString(), "--overwrite");
    assertEquals(0, replaced.status(), replaced.err());
    assertTrue(Files.readString(notes).contains(HtmlPage.GENERATOR));

    // A report dvgs wrote is replaced without the flag, also one of an earlier version (no generator tag).
    Result again = run("report", "--input", results.toString(), "--output", notes.toString());
    assertEquals(0, again.status(), again.err());
    Files.writeString(notes, Files.readString(notes).replace(HtmlPage.GENERATOR + "\n", ""));
    Result older = run("report", "--input", results.toString(), "--output", notes.toString());
    assertEquals(0, older.status(), older.err());
    assertTrue(Files.readString(notes).contains(HtmlPage.GENERATOR));
  }

  @Test
  @SuppressWarnings("unchecked")
  void secretsOfAnEarlierManifestAreNotShown() throws IOException {
    Path copy = dir.resolve("with-secret");
    Path folder = new ResultsFixture().write(spark, copy);
    // A manifest of an earlier version, written before redaction.
    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), folder.toString());
    Map<String, Object> config = (Map<String, Object>) m.get("config");
    Map<String, Object> sparkConf = new LinkedHashMap<>((Map<String, Object>) config.get("spark"));
    sparkConf.put("conf", Map.of("spark.hadoop.fs.s3a.secret.key", "SECRET-s3a-42", "spark.sql.shuffle.partitions", "4"));
    config.put("spark", sparkConf);
    Files.writeString(folder.resolve("manifest.json"), Manifest.toJson(m));
    Files.deleteIfExists(folder.resolve(".manifest.json.crc"));
    assertTrue(Files.readString(folder.resolve("manifest.json")).contains("SECRET-s3a-42"));

    Path html = dir.resolve("secret.html");
    Result r = run("report", "--input", folder.toString(), "--output", html.toString());
    assertEquals(0, r.status(), r.err());
    String page = Files.readString(html);
    assertFalse(page.contains("SECRET-s3a-42"), "the report shows a secret");
    assertTrue(page.contains(HtmlPage.escape(Secrets.REDACTED)) && page.contains("spark.sql.shuffle.partitions"), "config still shown");
  }

  @Test
  void aFolderIsNotAReportPath() {
    Result r = run("report", "--input", results.toString(), "--output", dir.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("is a folder"), r.err());
    assertTrue(List.of(dir.toFile().list()).contains("results"));
  }
}
