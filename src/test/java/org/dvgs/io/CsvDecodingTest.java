package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.InputChecks;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cells of a CSV table reach the canonical rows as written, whichever way the reader decodes them: a header of
 * strings is decoded from Spark's own rows and converted without going through the table, a header whose types the
 * user's options infer goes through Spark's decoder, and converting the table itself gives the same rows. The table
 * is wide, in two files of many splits each, with quoted and unquoted numbers, exponents, blank cells and malformed
 * lines, and every row is checked against the values the test wrote.
 */
class CsvDecodingTest {
  static final int FEATURES = 30;
  static final int ROWS = 1200;
  static SparkSession spark;
  static Path dir;
  static Path target;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SharedSpark.get();
    Path root = SharedSpark.tempDir("csv-decoding");
    dir = root.resolve("source");
    Files.createDirectories(dir);
    StringBuilder header = new StringBuilder("id");
    for (int j = 0; j < FEATURES; j++) {
      header.append(",f").append(j);
    }
    header.append(",y\n");
    StringBuilder[] parts = {new StringBuilder(header), new StringBuilder(header)};
    for (int i = 0; i < ROWS; i++) {
      StringBuilder b = parts[i < ROWS / 2 ? 0 : 1];
      if (i == 300) {
        b.append("r300,1,2,3\n"); // too few fields
        continue;
      }
      if (i == 301) {
        b.append("r301").append(",1".repeat(FEATURES + 2)).append('\n'); // too many
        continue;
      }
      b.append('r').append(i);
      for (int j = 0; j < FEATURES; j++) {
        b.append(',');
        if (blank(i, j)) {
          continue;
        }
        double v = value(i, j);
        switch (j % 3) {
          case 0 -> b.append(v);
          case 1 -> b.append('"').append(v).append('"');
          default -> b.append(String.format(Locale.ROOT, "%.6e", v));
        }
      }
      b.append(',').append(i % 2).append('\n');
    }
    Files.writeString(dir.resolve("part-0.csv"), parts[0]);
    Files.writeString(dir.resolve("part-1.csv"), parts[1]);
    StringBuilder t = new StringBuilder(header);
    for (int i = 0; i < 20; i++) {
      t.append('t').append(i);
      for (int j = 0; j < FEATURES; j++) {
        t.append(',').append(j + i);
      }
      t.append(',').append(i % 2).append('\n');
    }
    target = root.resolve("target.csv");
    Files.writeString(target, t);
  }

  static boolean blank(int i, int j) {
    return i % 97 == 5 && j == i % FEATURES;
  }

  static double value(int i, int j) {
    return ((i * 31 + j * 7) % 1000) / 8.0 - 60;
  }

  static DvgsConfig cfg(String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + dir + "\"", "input.target.path=\"" + target + "\"", "input.source.format=csv",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=y", "input.target.label-column=y", "training.batch-size=4"));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  /** The rows the test wrote, as canonical rows would state them (rejects by their reason's category). */
  static Map<String, String> expected() {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < ROWS; i++) {
      String id = "r" + i;
      if (i == 300 || i == 301) {
        // A malformed line's id cannot be trusted, so the row is named by its file and row instead.
        m.put("<malformed line, file:" + dir.resolve("part-0.csv").toAbsolutePath() + " row " + (i + 1) + ">", "rejected: malformed CSV line");
        continue;
      }
      boolean hasBlank = false;
      float[] f = new float[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        hasBlank |= blank(i, j);
        f[j] = (float) value(i, j);
      }
      m.put(id, hasBlank ? "rejected: non-finite or missing feature" : Arrays.toString(f) + " label " + (double) (i % 2));
    }
    return m;
  }

  static Map<String, String> described(List<CanonicalRow> rows) {
    Map<String, String> m = new TreeMap<>();
    for (CanonicalRow r : rows) {
      String d = r.valid() ? Arrays.toString(r.features()) + " label " + r.label() : "rejected: " + CanonicalRow.category(r.reason());
      assertEquals(null, m.put(r.id(), d), "row " + r.id() + " appears twice");
    }
    return m;
  }

  @Test
  void everyCellIsReadAsWrittenWhicheverWayItIsDecoded() {
    String before = spark.conf().get("spark.sql.files.maxPartitionBytes");
    // Small splits: each file is read by many partitions, so rows are numbered across split boundaries.
    spark.conf().set("spark.sql.files.maxPartitionBytes", "16384");
    try {
      Map<String, String> expected = expected();
      InputLoader.RawInputs strings = InputChecks.read(cfg());
      assertTrue(strings.source().getNumPartitions() >= 8, "partitions " + strings.source().getNumPartitions());
      assertSame(expected, described(strings.source().collect()), "a header of strings");
      strings.release();

      InputLoader.RawInputs inferred = InputChecks.read(cfg("input.source.options.inferSchema=true"));
      assertSame(expected, described(inferred.source().collect()), "a header whose types Spark infers");
      inferred.release();

      // Converting the table (a projection of it, which the reader did not number itself) gives the same rows.
      DvgsConfig c = cfg();
      Dataset<Row> table = TableReader.read(spark, c.input().source(), "source");
      ColumnPlan plan = ColumnPlan.resolve("source table", table.schema(), c.input().source(), List.of(), true);
      List<CanonicalRow> direct = TableReader.canonical(table, plan).collect();
      List<CanonicalRow> viaTable = TableReader.canonical(table.select("*"), plan).collect();
      assertEquals(rowsAsText(direct), rowsAsText(viaTable));
      assertEquals(ROWS, direct.size());
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", before);
    }
  }

  /**
   * A small table is parsed once ({@link TableReader#readHeld}): its rows are the same, partition by partition, as
   * those of the table parsed twice, the kept lines are freed by {@link TableReader#release} and by the input
   * loader, and a table above the limit keeps nothing.
   */
  @Test
  void aTableParsedOnceGivesTheRowsOfOneParsedTwiceAndLetsItsLinesGo() {
    String before = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.maxPartitionBytes", "16384");
    try {
      DvgsConfig c = cfg();
      int persisted = spark.sparkContext().getPersistentRDDs().size();
      Dataset<Row> twice = TableReader.read(spark, c.input().source(), "source", 0);
      assertEquals(persisted, spark.sparkContext().getPersistentRDDs().size(), "a table parsed twice keeps nothing");
      Dataset<Row> tooLarge = TableReader.read(spark, c.input().source(), "source", 1024);
      assertEquals(persisted, spark.sparkContext().getPersistentRDDs().size(), "a table above the limit keeps nothing");
      Dataset<Row> once = TableReader.readHeld(spark, c.input().source(), "source");
      assertEquals(persisted + 1, spark.sparkContext().getPersistentRDDs().size(), "a small table keeps its parsed lines");
      ColumnPlan plan = ColumnPlan.resolve("source table", twice.schema(), c.input().source(), List.of(), true);
      List<String> expected = rowsAsText(TableReader.canonical(twice, plan).collect());
      assertEquals(expected, rowsAsText(TableReader.canonical(once, plan).collect()));
      assertEquals(expected, rowsAsText(TableReader.canonical(once, plan).collect()), "read again from the kept lines");
      assertEquals(expected, rowsAsText(TableReader.canonical(tooLarge, plan).collect()));
      assertSame(expected(), described(TableReader.canonical(once, plan).collect()), "the table parsed once");
      TableReader.release(once);
      assertEquals(persisted, spark.sparkContext().getPersistentRDDs().size(), "released");
      // Released lines are parsed again from the files, to the same rows.
      assertEquals(expected, rowsAsText(TableReader.canonical(once, plan).collect()), "after release");

      InputLoader.RawInputs raw = InputChecks.read(c);
      assertEquals(persisted + 1, spark.sparkContext().getPersistentRDDs().size(), "the loader keeps its checked source only");
      raw.release();
      assertEquals(persisted, spark.sparkContext().getPersistentRDDs().size());
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", before);
    }
  }

  /** The two maps are equal; else fails naming the first few rows that differ (the whole maps are too long to read). */
  static void assertSame(Map<String, String> expected, Map<String, String> actual, String what) {
    List<String> diff = new ArrayList<>();
    java.util.Set<String> ids = new java.util.TreeSet<>(expected.keySet());
    ids.addAll(actual.keySet());
    for (String id : ids) {
      if (!java.util.Objects.equals(expected.get(id), actual.get(id)) && diff.size() < 3) {
        diff.add(id + ": expected " + expected.get(id) + ", read " + actual.get(id));
      }
    }
    assertTrue(diff.isEmpty(), what + ": " + diff);
  }

  /** Every field of the rows, in their order (partitions and positions in them included). */
  static List<String> rowsAsText(List<CanonicalRow> rows) {
    List<String> out = new ArrayList<>();
    for (CanonicalRow r : rows) {
      out.add(r.id() + " " + Arrays.toString(r.features()) + " " + r.label() + " " + r.reason() + " " + r.corrupted() + " " + r.target());
    }
    return out;
  }
}
