package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.TableConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.CountingFileSystem;
import org.dvgs.testing.InputChecks;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small CSV table is parsed once (the split counts for row numbers keep the parsed rows for the conversion),
 * counted as the bytes read from the file; kept or parsed twice, in one partition or several, and with quoted
 * fields across lines, the rows, row numbers, generated ids, rejects with their reasons and counts are the same.
 */
class CsvSingleParseTest {
  static SparkSession spark;
  static Path dir;
  static final String SPLIT = "spark.sql.files.maxPartitionBytes";

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    CountingFileSystem.register(spark);
    dir = SharedSpark.tempDir("csv-once");
  }

  /** Rows with an id, every 500th malformed (too many fields), every 700th with a feature that is not a number. */
  static String source(int rows) {
    StringBuilder s = new StringBuilder("id,a,b,c,y\n");
    for (int i = 1; i <= rows; i++) {
      s.append('r').append(i).append(',').append(i);
      if (i % 500 == 0) {
        s.append(",1,2,3,1\n");
      } else if (i % 700 == 0) {
        s.append(",x,2,").append(i % 2).append('\n');
      } else {
        s.append(",0.25,").append(i % 7).append(',').append(i % 2).append('\n');
      }
    }
    return s.toString();
  }

  static DvgsConfig cfg(String source, String target, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"", "input.source.format=csv",
        "input.target.format=csv", "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=y", "input.target.label-column=y", "training.batch-size=4"));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  @Test
  void theSourceAndTargetAreParsedOnce() throws IOException {
    // About 1.8 MB in 4 splits of 512 KiB: several partitions, each split's rows counted for the row numbers.
    Path src = dir.resolve("once-source.csv");
    Files.writeString(src, source(80_000));
    Path tgt = dir.resolve("once-target.csv");
    Files.writeString(tgt, source(40));
    long size = Files.size(src);
    long targetSize = Files.size(tgt);
    String before = spark.conf().get(SPLIT);
    spark.conf().set(SPLIT, "524288");
    try {
      long s0 = CountingFileSystem.bytesRead(src);
      long t0 = CountingFileSystem.bytesRead(tgt);
      InputLoader.RawInputs raw = InputChecks.read(cfg(CountingFileSystem.path(src), CountingFileSystem.path(tgt)));
      long sourceRead = CountingFileSystem.bytesRead(src) - s0;
      long targetRead = CountingFileSystem.bytesRead(tgt) - t0;
      assertTrue(raw.source().getNumPartitions() >= 3, "partitions " + raw.source().getNumPartitions());
      assertEquals(80_000L, raw.counts().sourceRead());
      assertEquals(Map.of("malformed CSV line", 160L, "non-finite or missing feature", 92L), raw.counts().rejectedByReason());
      // The rejects are read from the checked source, which is persisted: no further parse.
      Map<String, String> rej = InputChecks.rejects(raw);
      String f = CountingFileSystem.path(src).replace("://", ":");
      assertEquals("malformed CSV line: " + f + " row 500 has 6 fields, the header 5: 'r500,500,1,2,3,1'", rej.get("<malformed line, " + f + " row 500>"));
      assertEquals("non-finite or missing feature: column 'b' is 'x', not a number", rej.get("r700"));
      assertEquals(40L, raw.targetRows().size());
      raw.release();
      // One parse, plus the header Spark's schema job reads and the line each split reads past its end (a buffer
      // of 64 KiB at most each); the two parses read the file twice.
      assertTrue(sourceRead >= size && sourceRead < size * 3 / 2, "source: " + sourceRead + " bytes read of a file of " + size);
      // The target's header job reads the whole small file; then one parse.
      assertTrue(targetRead >= targetSize && targetRead <= 2 * targetSize, "target: " + targetRead + " bytes read of a file of " + targetSize);
    } finally {
      spark.conf().set(SPLIT, before);
    }
  }

  @Test
  void readParsesTwiceAndOpenOnceWithTheSameRows() throws IOException {
    // The measure above can fail: read (which keeps nothing) parses the file twice.
    Path src = dir.resolve("twice-source.csv");
    Files.writeString(src, source(80_000));
    long size = Files.size(src);
    TableConfig t = cfg(CountingFileSystem.path(src), CountingFileSystem.path(src)).input().source();
    String before = spark.conf().get(SPLIT);
    spark.conf().set(SPLIT, "524288");
    try {
      long b0 = CountingFileSystem.bytesRead(src);
      List<Row> twice = TableReader.read(spark, t, "source").collectAsList();
      long twiceRead = CountingFileSystem.bytesRead(src) - b0;
      assertTrue(twiceRead >= 2 * size, "read: " + twiceRead + " bytes read of a file of " + size);
      b0 = CountingFileSystem.bytesRead(src);
      List<Row> once;
      try (TableReader.Table table = TableReader.open(spark, t, "source")) {
        assertTrue(table.keepsParsedRows());
        once = table.rows().collectAsList();
      }
      long onceRead = CountingFileSystem.bytesRead(src) - b0;
      assertTrue(onceRead >= size && onceRead < size * 3 / 2, "open: " + onceRead + " bytes read of a file of " + size);
      assertEquals(twice, once);
    } finally {
      spark.conf().set(SPLIT, before);
    }
  }

  /** Quoted fields across lines (multiLine), blank lines, malformed lines and a bad feature, in two files. */
  static void multiLineFiles(Path d) throws IOException {
    Files.createDirectories(d);
    Files.writeString(d.resolve("a.csv"), "id,note,a,b,y\n"
        + "m1,\"one\nline two\",1,2,0\n"
        + "\n"
        + "m2,plain,2,3,1\n"
        + "m3,\"a, quoted\nnote\",3,4,0\n"
        + "m4,short,1\n"
        + "m5,\"x\",x,5,1\n");
    Files.writeString(d.resolve("b.csv"), "id,note,a,b,y\n"
        + "m6,\"b\nb\",6,7,1\n"
        + "m7,seven,7,8,0,9\n"
        + "m8,eight,8,9,1\n");
  }

  /** Every row with its hidden columns, in position order. */
  static List<String> rows(Dataset<Row> df) {
    List<Row> all = new ArrayList<>(df.collectAsList());
    int pos = df.schema().fieldIndex(TableReader.POSITION);
    all.sort(Comparator.comparingLong(r -> r.getLong(pos)));
    List<String> out = new ArrayList<>();
    for (Row r : all) {
      out.add(r.toString());
    }
    return out;
  }

  /** Canonical rows (id, features, label, reason), sorted (partitions hold files in size order, not path order). */
  static List<String> canonical(Dataset<Row> df, TableConfig t) {
    ColumnPlan plan = ColumnPlan.resolve("source", df.schema(), t, List.of(), true);
    List<String> out = new ArrayList<>();
    for (CanonicalRow r : TableReader.canonical(df, plan).collect()) {
      out.add(r.id() + " " + Arrays.toString(r.features()) + " " + r.label() + " " + r.reason());
    }
    out.sort(null);
    return out;
  }

  static List<String> sorted(String... rows) {
    List<String> out = new ArrayList<>(List.of(rows));
    out.sort(null);
    return out;
  }

  @Test
  void keptOrReparsedInOnePartitionOrSeveralTheRowsAreTheSame() throws IOException {
    Path big = dir.resolve("same.csv");
    Files.writeString(big, source(3_000));
    Path multi = dir.resolve("multiline");
    multiLineFiles(multi);
    List<String[]> tables = List.of(
        new String[] {big.toString(), "input.source.id-column=id"},
        new String[] {big.toString(), "input.source.id-column=\"\"", "input.source.features.columns=[a, b, c]"},
        new String[] {multi.toString(), "input.source.options.multiLine=true", "input.source.features.columns=[a, b]"},
        new String[] {multi.toString(), "input.source.options.multiLine=true", "input.source.id-column=\"\"", "input.source.features.columns=[a, b]"});
    String before = spark.conf().get(SPLIT);
    try {
      for (String[] tc : tables) {
        TableConfig t = cfg(tc[0], tc[0], Arrays.copyOfRange(tc, 1, tc.length)).input().source();
        List<String> reference = null;
        List<String> referenceRows = null;
        for (String split : List.of(before, "8192")) {
          spark.conf().set(SPLIT, split);
          for (long keep : new long[] {TableReader.KEEP_PARSED_MAX_BYTES, -1}) {
            try (TableReader.Table table = TableReader.open(spark, t, "source", keep)) {
              assertEquals(keep >= 0, table.keepsParsedRows());
              List<String> r = rows(table.rows());
              List<String> c = canonical(table.rows(), t);
              if (reference == null) {
                reference = c;
                referenceRows = r;
              } else {
                String what = tc[0] + " " + Arrays.toString(tc) + ", split size " + split + ", keep " + keep;
                assertEquals(referenceRows, r, what);
                assertEquals(reference, c, what);
              }
            }
          }
        }
        spark.conf().set(SPLIT, before);
        if (tc[0].equals(multi.toString())) {
          // Records, not lines, are numbered: m3 (after a record over two lines and a blank line) is row 3.
          boolean ids = !tc[2].contains("id-column");
          String a = "file:" + multi.resolve("a.csv").toAbsolutePath();
          String b = "file:" + multi.resolve("b.csv").toAbsolutePath();
          if (ids) {
            assertEquals(sorted(
                "m1 [1.0, 2.0] 0.0 null",
                "m2 [2.0, 3.0] 1.0 null",
                "m3 [3.0, 4.0] 0.0 null",
                "<malformed line, " + a + " row 4> null NaN malformed CSV line: " + a + " row 4 has 3 fields, the header 5: 'm4,short,1'",
                "m5 null 1.0 non-finite or missing feature: column 'a' is 'x', not a number",
                "m6 [6.0, 7.0] 1.0 null",
                "<malformed line, " + b + " row 2> null NaN malformed CSV line: " + b + " row 2 has 6 fields, the header 5: 'm7,seven,7,8,0,9'",
                "m8 [8.0, 9.0] 1.0 null"), reference);
          } else {
            assertEquals(8, reference.size());
            assertTrue(reference.contains("6 null NaN malformed CSV line: " + b + " row 2 has 6 fields, the header 5: 'm7,seven,7,8,0,9'"), reference.toString());
          }
        } else {
          assertEquals(3_000, reference.size());
          assertFalse(reference.isEmpty());
        }
      }
    } finally {
      spark.conf().set(SPLIT, before);
    }
  }
}
