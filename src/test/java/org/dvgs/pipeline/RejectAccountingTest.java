package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.output.ManifestCodec;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.output.Manifest;
import org.dvgs.output.OutputDirectory;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end accounting on a source with every kind of bad row (array features, null ids): rows read = rows valued +
 * rows rejected, in the returned and the written manifest, and the rejects table holds exactly the bad rows; an
 * existing output is refused unless overwriting, which keeps only the checkpoints.
 */
class RejectAccountingTest {
  static SparkSession spark;
  static Path dir;
  static final StructType SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("id", DataTypes.LongType, true),
      DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.FloatType, true), true),
      DataTypes.createStructField("label", DataTypes.IntegerType, true)));
  static String source;
  static String target;
  /** Expected reject reasons of the bad rows with an id. */
  static final Map<String, String> BAD = new HashMap<>();
  static final int GOOD = 40;
  static final int NULL_IDS = 2;

  @BeforeAll
  static void data() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("accounting");
    List<Row> t = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      t.add(RowFactory.create(1000L + i, point(i), i % 3));
    }
    List<Row> s = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      s.add(RowFactory.create((long) i, point(i), i % 3));
    }
    s.add(RowFactory.create(100L, new Float[] {1f, Float.NaN, 0f}, 1));
    BAD.put("100", "non-finite or missing feature: features[1] is NaN");
    s.add(RowFactory.create(101L, new Float[] {1f, 0f}, 1));
    BAD.put("101", "feature length: 2 features, expected 3");
    s.add(RowFactory.create(102L, new Float[] {1f, 0f, 2f}, null));
    BAD.put("102", "missing label: label is null");
    s.add(RowFactory.create(103L, new Float[] {1f, 0f, 2f}, 5));
    BAD.put("103", "label out of range: label 5.0 is not a class index in [0, 2]");
    s.add(RowFactory.create(104L, null, 0));
    BAD.put("104", "non-finite or missing feature: features column is null");
    s.add(RowFactory.create(105L, new Float[] {Float.POSITIVE_INFINITY, 0f, 2f}, -1));
    BAD.put("105", "non-finite or missing feature: features[0] is Infinity");
    for (int i = 0; i < NULL_IDS; i++) {
      s.add(RowFactory.create(null, point(i), 0));
    }
    target = dir.resolve("target").toString();
    source = dir.resolve("source").toString();
    spark.createDataFrame(t, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(target);
    spark.createDataFrame(s, SCHEMA).repartition(3).write().mode(SaveMode.Overwrite).parquet(source);
  }

  static Float[] point(int i) {
    return new Float[] {(float) Math.cos(i), (float) Math.sin(i), (i % 3) - 1f};
  }

  static DvgsConfig cfg(String out, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.features.column=x", "input.target.features.column=x",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.epochs=2", "training.batch-size=8", "training.restarts=1",
        "scoring.batch-size=16", "output.path=\"" + out + "\""));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  static long n(Map<?, ?> m, String key) {
    return ((Number) m.get(key)).longValue();
  }

  @Test
  void readEqualsValuedPlusRejectedAndRejectsHoldTheBadRows() {
    String out = dir.resolve("run").toString();
    ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.of(cfg(out)));
    int bad = BAD.size() + NULL_IDS;

    for (Map<?, ?> manifest : List.of(ManifestCodec.toMap(o.manifest()), Manifest.read(new Configuration(), out))) {
      Map<?, ?> counts = (Map<?, ?>) manifest.get("counts");
      assertEquals(GOOD + bad, n(counts, "source_read"), counts.toString());
      assertEquals(GOOD, n(counts, "source_valued"), counts.toString());
      assertEquals(bad, n(counts, "source_rejected"), counts.toString());
      assertEquals(n(counts, "source_read"), n(counts, "source_valued") + n(counts, "source_rejected"));
      assertEquals(0, n(counts, "source_excluded_by_experiment"));
      Map<?, ?> byReason = (Map<?, ?>) counts.get("rejected_by_reason");
      assertEquals(Map.of("non-finite or missing feature", 3L, "feature length", 1L, "missing label", 1L,
          "label out of range", 1L, "missing id", (long) NULL_IDS), longs(byReason));
      assertEquals(bad, n((Map<?, ?>) manifest.get("output"), "rejects_rows"));
      assertEquals(GOOD, n((Map<?, ?>) manifest.get("output"), "values_rows"));
    }

    Map<String, String> rejects = new HashMap<>();
    List<String> nullIdRows = new ArrayList<>();
    for (Row r : spark.read().parquet(out + "/rejects").collectAsList()) {
      assertEquals(o.runId(), r.getString(2));
      if (r.getString(0).startsWith("<null id")) {
        nullIdRows.add(r.getString(0));
        assertTrue(r.getString(1).matches("missing id: id column is null at file:\\S+\\.parquet row \\d+"), r.getString(1));
      } else {
        assertEquals(null, rejects.put(r.getString(0), r.getString(1)), "reject " + r.getString(0) + " twice");
      }
    }
    assertEquals(BAD, rejects);
    assertEquals(NULL_IDS, new HashSet<>(nullIdRows).size(), "null-id rows are told apart: " + nullIdRows);

    Set<String> valued = new HashSet<>();
    for (Row r : o.values().collectAsList()) {
      valued.add(r.getString(0));
      assertTrue(Double.isFinite(r.getDouble(1)), "value of " + r.getString(0));
    }
    Set<String> good = new HashSet<>();
    for (int i = 0; i < GOOD; i++) {
      good.add(Integer.toString(i));
    }
    assertEquals(good, valued);

    // The same output again: refused, and left as it was; with overwrite the snapshots are reused.
    String e = assertThrows(ConfigValidationException.class,
        () -> ValuationJob.run(spark, ValuationRequest.of(cfg(out)))).getMessage();
    assertTrue(e.contains(out) && e.contains("dvgs.output.overwrite = true"), e);
    assertTrue(Files.exists(Path.of(out, "manifest.json")));
    ValuationJob.Outcome again = ValuationJob.run(spark, ValuationRequest.of(cfg(out, "output.overwrite=true")));
    assertEquals(1, again.manifest().training().restartsReused());
    assertEquals(ManifestCodec.toMap(o.manifest()).get("counts"), ManifestCodec.toMap(again.manifest()).get("counts"));
  }

  @Test
  void malformedCsvLinesAreRejectsCountedInTheManifest() throws IOException {
    StringBuilder t = new StringBuilder("id,a,b,c,label\n");
    StringBuilder s = new StringBuilder("id,a,b,c,label\n");
    for (int i = 0; i < 24; i++) {
      t.append("t").append(i).append(',').append(Math.cos(i)).append(',').append(Math.sin(i)).append(',').append(i % 3).append(',').append(i % 3).append('\n');
    }
    for (int i = 0; i < 30; i++) {
      s.append("s").append(i).append(',').append(Math.cos(i)).append(',').append(Math.sin(i)).append(',').append(i % 3).append(',').append(i % 3).append('\n');
    }
    s.append("s12x,1,234,0.3,1,0\n"); // row 31: an unquoted comma
    s.append("s4x,1,2\n"); // row 32: too few fields
    s.append("\"s5x,1,2,3,0\n"); // row 33: an unclosed quote
    s.append(",1,2,0,1\n"); // row 34: no id
    Path tp = Files.writeString(dir.resolve("csv-target.csv"), t);
    Path sp = Files.writeString(dir.resolve("csv-source.csv"), s);
    String out = dir.resolve("csv-run").toString();
    DvgsConfig c = TestConfigs.of(
        "input.source.path=\"" + sp + "\"", "input.target.path=\"" + tp + "\"",
        "input.source.id-column=id", "input.target.id-column=id", "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.epochs=2", "training.batch-size=8", "training.restarts=1", "scoring.batch-size=16",
        "output.path=\"" + out + "\"");
    ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.of(c));
    Map<?, ?> counts = (Map<?, ?>) Manifest.read(new Configuration(), out).get("counts");
    assertEquals(34, n(counts, "source_read"), counts.toString());
    assertEquals(30, n(counts, "source_valued"), counts.toString());
    assertEquals(4, n(counts, "source_rejected"), counts.toString());
    assertEquals(Map.of("malformed CSV line", 3L, "missing id", 1L), longs((Map<?, ?>) counts.get("rejected_by_reason")));
    String f = "file:" + sp.toAbsolutePath();
    Map<String, String> rejects = new HashMap<>();
    for (Row r : spark.read().parquet(out + "/rejects").collectAsList()) {
      rejects.put(r.getString(0), r.getString(1));
    }
    assertEquals(Map.of(
        "<malformed line, " + f + " row 31>", "malformed CSV line: " + f + " row 31 has 6 fields, the header 5: 's12x,1,234,0.3,1,0'",
        "<malformed line, " + f + " row 32>", "malformed CSV line: " + f + " row 32 has 3 fields, the header 5: 's4x,1,2'",
        "<malformed line, " + f + " row 33>", "malformed CSV line: " + f + " row 33 does not parse into the header's 5 fields (broken quoting?): "
            + "'\"s5x,1,2,3,0'",
        "<null id, " + f + " row 34>", "missing id: id column is null at " + f + " row 34"), rejects);
    assertEquals(30, o.values().count());
  }

  static Map<String, Long> longs(Map<?, ?> m) {
    Map<String, Long> out = new HashMap<>();
    m.forEach((k, v) -> out.put((String) k, ((Number) v).longValue()));
    return out;
  }

  @Test
  void preparedOutputRefusesExistingResultsUnlessOverwriting() throws IOException {
    Configuration hadoop = new Configuration();
    Path out = dir.resolve("existing");
    // A run's output holding only its snapshots (a failed run): a re-run may use the directory.
    OutputDirectory.prepare(hadoop, out.toString(), false, "value").close();
    Files.createDirectories(out.resolve("checkpoints/abc"));
    Files.writeString(out.resolve("checkpoints/abc/r0.bin"), "snap");
    OutputDirectory.prepare(hadoop, out.toString(), false, "value").close();
    assertTrue(Files.exists(out.resolve("checkpoints/abc/r0.bin")));

    Files.createDirectories(out.resolve("values"));
    Files.writeString(out.resolve("values/part-0.parquet"), "old");
    Files.writeString(out.resolve("manifest.json"), "{}");
    String e = assertThrows(ConfigValidationException.class, () -> OutputDirectory.prepare(hadoop, out.toString(), false, "value")).getMessage();
    assertTrue(e.contains("output path " + out + " exists") && e.contains("dvgs.output.overwrite = true"), e);
    assertTrue(Files.exists(out.resolve("manifest.json")) && Files.exists(out.resolve("values/part-0.parquet")), "nothing deleted");

    OutputDirectory.prepare(hadoop, out.toString(), true, "value").close();
    assertFalse(Files.exists(out.resolve("manifest.json")));
    assertFalse(Files.exists(out.resolve("values")));
    assertTrue(Files.exists(out.resolve("checkpoints/abc/r0.bin")), "overwrite keeps the snapshots");

    // A plain file at the output path is refused, with or without overwrite, and left as it is.
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    for (boolean overwrite : new boolean[] {false, true}) {
      e = assertThrows(ConfigValidationException.class, () -> OutputDirectory.prepare(hadoop, file.toString(), overwrite, "value")).getMessage();
      assertTrue(e.contains(file.toString()) && e.contains("is a file"), e);
      assertEquals("x", Files.readString(file));
    }

    // A missing output is created.
    Path fresh = dir.resolve("fresh/nested");
    OutputDirectory.prepare(hadoop, fresh.toString(), false, "value").close();
    assertTrue(Files.isDirectory(fresh));
  }
}
