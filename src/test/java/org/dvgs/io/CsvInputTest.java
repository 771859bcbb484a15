package org.dvgs.io;

import static org.dvgs.testing.InputChecks.error;
import static org.dvgs.testing.InputChecks.read;
import static org.dvgs.testing.InputChecks.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CSV input that does not parse cleanly: lines with too many or too few fields or broken quoting are rejects naming
 * the file and row (never padded, truncated, dropped or valued with shifted fields), also across file splits and
 * without an id column; FAILFAST stops at the first one and DROPMALFORMED is refused; a table of several files
 * must have one header; an empty source is an error; a binary header is shown escaped.
 */
class CsvInputTest {
  static SparkSession spark;
  static Path dir;
  static Path target;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("csv-input");
    StringBuilder t = new StringBuilder("id,a,b,c,y\n");
    for (int i = 0; i < 20; i++) {
      t.append("t").append(i).append(',').append(i).append(',').append(i % 3).append(",1,").append(i % 2).append('\n');
    }
    target = dir.resolve("target.csv");
    Files.writeString(target, t);
  }

  static DvgsConfig cfg(Path source, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"", "input.source.format=csv",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=y", "input.target.label-column=y", "training.batch-size=4"));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  /** The file name as the reject reasons give it. */
  static String uri(Path p) {
    return "file:" + p.toAbsolutePath();
  }

  /** Lines 3 to 5 are malformed; line 6 quotes its comma properly; line 7 has no id. */
  static final String BAD = "id,a,b,c,y\n"
      + "s1,1,2,3,0\n"
      + "s2,2,3,4,1\n"
      + "s12,1,234,0.3,1,0\n" // an unquoted comma in a: read naively it is valued with shifted fields, label 1
      + "s4,1,2\n"
      + "\"s5,1,2,3,0\n"
      + "s6,\"1,5\",2,3,1\n"
      + ",1,2,3,0\n"
      + "s8,1,2,3,1\n";

  @Test
  void malformedLinesAreRejectsNamingFileAndRow() throws IOException {
    Path sp = dir.resolve("bad.csv");
    Files.writeString(sp, BAD);
    InputLoader.RawInputs raw = read(cfg(sp));
    Map<String, String> rej = rejects(raw);
    String f = uri(sp);
    assertEquals(Set.of("<malformed line, " + f + " row 3>", "<malformed line, " + f + " row 4>", "<malformed line, " + f + " row 5>",
        "s6", "<null id, " + f + " row 7>"), rej.keySet());
    assertEquals("malformed CSV line: " + f + " row 3 has 6 fields, the header 5: 's12,1,234,0.3,1,0'", rej.get("<malformed line, " + f + " row 3>"));
    assertEquals("malformed CSV line: " + f + " row 4 has 3 fields, the header 5: 's4,1,2'", rej.get("<malformed line, " + f + " row 4>"));
    assertEquals("malformed CSV line: " + f + " row 5 does not parse into the header's 5 fields (broken quoting?): '\"s5,1,2,3,0'",
        rej.get("<malformed line, " + f + " row 5>"));
    assertEquals("non-finite or missing feature: column 'a' is '1,5', not a number", rej.get("s6"));
    assertEquals("missing id: id column is null at " + f + " row 7", rej.get("<null id, " + f + " row 7>"));
    assertEquals(8L, raw.counts().sourceRead());
    assertEquals(3L, raw.counts().sourceValid());
    assertEquals(5L, raw.counts().sourceRejected());
    assertEquals(Map.of("malformed CSV line", 3L, "missing id", 1L, "non-finite or missing feature", 1L), raw.counts().rejectedByReason());
    // The good rows are read as written.
    Map<String, float[]> valid = new TreeMap<>();
    for (CanonicalRow r : raw.source().filter(CanonicalRow::valid).collect()) {
      valid.put(r.id(), r.features());
    }
    assertEquals(Set.of("s1", "s2", "s8"), valid.keySet());
    assertEquals(List.of(2f, 3f, 4f), List.of(valid.get("s2")[0], valid.get("s2")[1], valid.get("s2")[2]));
    raw.release();
  }

  @Test
  void rowNumbersHoldAcrossFileSplitsAndGeneratedIdsDoNotShift() throws IOException {
    // 3,000 rows, every 400th malformed; small splits cut the file mid-line, so rows are numbered across splits.
    StringBuilder s = new StringBuilder("id,a,b,c,y\n");
    StringBuilder noId = new StringBuilder("a,b,c,y\n");
    for (int i = 1; i <= 3000; i++) {
      boolean bad = i % 400 == 0;
      s.append("r").append(i).append(',').append(i).append(bad ? ",1,2,3,1\n" : ",1,2,1\n");
      noId.append(i).append(bad ? ",1,2\n" : ",1,2,1\n");
    }
    Path sp = dir.resolve("split.csv");
    Path np = dir.resolve("split-noid.csv");
    Files.writeString(sp, s);
    Files.writeString(np, noId);
    String key = "spark.sql.files.maxPartitionBytes";
    String before = spark.conf().get(key);
    spark.conf().set(key, "8192");
    try {
      InputLoader.RawInputs raw = read(cfg(sp));
      Map<String, String> rej = rejects(raw);
      assertEquals(7, rej.size(), rej.toString());
      for (int i = 400; i <= 2800; i += 400) {
        String id = "<malformed line, " + uri(sp) + " row " + i + ">";
        assertEquals("malformed CSV line: " + uri(sp) + " row " + i + " has 6 fields, the header 5: 'r" + i + "," + i + ",1,2,3,1'", rej.get(id), id);
      }
      assertEquals(3000L, raw.counts().sourceRead());
      assertEquals(2993L, raw.counts().sourceValid());
      raw.release();

      // Without an id column a malformed row keeps its generated id (its position), so no later id shifts.
      DvgsConfig c = cfg(np, "input.source.id-column=\"\"", "input.target.id-column=\"\"",
          "input.target.features.columns=[a, b, c]", "input.source.features.columns=[a, b, c]", "input.target.format=csv");
      InputLoader.RawInputs gen = read(c);
      Map<String, String> grej = rejects(gen);
      assertEquals(7, grej.size(), grej.toString());
      for (int i = 400; i <= 2800; i += 400) {
        assertEquals("malformed CSV line: " + uri(np) + " row " + i + " has 3 fields, the header 4: '" + i + ",1,2'", grej.get(String.valueOf(i - 1)));
      }
      for (CanonicalRow r : gen.source().filter(CanonicalRow::valid).collect()) {
        assertEquals(Long.parseLong(r.id()) + 1, (long) r.features()[0], "row " + r.id());
      }
      gen.release();
    } finally {
      spark.conf().set(key, before);
    }
  }

  @Test
  void failFastStopsAtTheFirstMalformedLineAndDropMalformedIsRefused() throws IOException {
    Path sp = dir.resolve("failfast.csv");
    Files.writeString(sp, BAD);
    String e = error(cfg(sp, "input.source.options.mode=FAILFAST"));
    assertEquals("source table " + sp + ": " + uri(sp) + " row 3 is a malformed CSV line (mode FAILFAST): has 6 fields, the header 5: "
        + "'s12,1,234,0.3,1,0'", e);

    ConfigValidationException c = assertThrows(ConfigValidationException.class, () -> cfg(sp, "input.source.options.mode=DROPMALFORMED"));
    assertTrue(c.getMessage().startsWith("dvgs.input.source.options.mode = DROPMALFORMED would drop malformed CSV lines"), c.getMessage());
    c = assertThrows(ConfigValidationException.class, () -> cfg(sp, "evaluation.test.table.options.MODE=dropMalformed"));
    assertTrue(c.getMessage().startsWith("dvgs.evaluation.test.table.options.MODE = dropMalformed"), c.getMessage());
    c = assertThrows(ConfigValidationException.class, () -> cfg(sp, "input.target.options.columnNameOfCorruptRecord=bad"));
    assertTrue(c.getMessage().contains("dvgs.input.target.options.columnNameOfCorruptRecord"), c.getMessage());
    c = assertThrows(ConfigValidationException.class, () -> cfg(sp, "input.source.options.enforceSchema=false"));
    assertTrue(c.getMessage().contains("dvgs.input.source.options.enforceSchema = false"), c.getMessage());
  }

  @Test
  void everyFileOfATableHasTheFirstFilesHeader() throws IOException {
    Path d = Files.createDirectories(dir.resolve("parts"));
    Files.writeString(d.resolve("part-1.csv"), "id,a,b,c,y\nr1,1,2,3,0\nr2,1,2,3,1\n");
    Files.writeString(d.resolve("part-2.csv"), "id,b,a,c,y\nr3,2,1,3,0\n"); // a and b swapped: read by position, mis-joined
    String e = error(cfg(d));
    assertTrue(e.startsWith("source table " + d + ": the header of " + uri(d.resolve("part-2.csv")) + " [id, b, a, c, y] differs from the header of "
        + uri(d.resolve("part-1.csv")) + " [id, a, b, c, y]"), e);

    Files.writeString(d.resolve("part-2.csv"), "id,a,b,y\nr3,2,1,0\n");
    e = error(cfg(d));
    assertTrue(e.contains("part-2.csv [id, a, b, y] differs from the header of ") && e.contains("part-1.csv"), e);

    // Same columns (names compared as Spark does, without case), and an empty file: fine.
    Files.writeString(d.resolve("part-2.csv"), "ID,A,b,c,y\nr3,2,1,3,0\n");
    Files.writeString(d.resolve("part-3.csv"), "");
    InputLoader.RawInputs raw = read(cfg(d));
    assertEquals(3L, raw.counts().sourceValid());
    raw.release();
  }

  @Test
  void anEmptySourceIsAnErrorNamingTheTable() throws IOException {
    Path header = dir.resolve("header-only.csv");
    Files.writeString(header, "id,a,b,c,y\n");
    assertEquals("source table " + header + " has no rows to value (a header only, or no rows at all)", error(cfg(header)));
    Path empty = dir.resolve("empty.csv");
    Files.writeString(empty, "");
    assertEquals("source table " + empty + " is empty: no header line and no rows", error(cfg(empty)));
  }

  @Test
  void aBinaryHeaderIsShownEscaped() throws IOException {
    Path gz = dir.resolve("packed.csv"); // a gzip file under a .csv name
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write(BAD.getBytes(StandardCharsets.UTF_8));
    }
    String e = error(cfg(gz));
    assertTrue(e.contains("column 'id' (id-column) not found; columns are [\\x1f\\ufffd\\x08"), e);
    for (char ch : e.toCharArray()) {
      assertFalse(Character.isISOControl(ch) || ch == '\ufffd', "unescaped character " + (int) ch + " in: " + e);
    }
  }
}
