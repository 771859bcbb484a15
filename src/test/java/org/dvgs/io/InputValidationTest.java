package org.dvgs.io;

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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import static org.dvgs.testing.InputChecks.error;
import static org.dvgs.testing.InputChecks.read;
import static org.dvgs.testing.InputChecks.rejects;

import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets an error naming the file, column or row, or a reject reason; no row is lost. */
class InputValidationTest {
  static SparkSession spark;
  static Path dir;
  static final StructType COLS = DataTypes.createStructType(List.of(
      DataTypes.createStructField("id", DataTypes.StringType, true),
      DataTypes.createStructField("f0", DataTypes.DoubleType, true),
      DataTypes.createStructField("f1", DataTypes.DoubleType, true),
      DataTypes.createStructField("f2", DataTypes.DoubleType, true),
      DataTypes.createStructField("y", DataTypes.DoubleType, true)));
  static final StructType ARRAY = DataTypes.createStructType(List.of(
      DataTypes.createStructField("id", DataTypes.StringType, false),
      DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.FloatType, true), true),
      DataTypes.createStructField("y", DataTypes.IntegerType, true)));
  static String goodTarget;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("inputs");
    goodTarget = table("target", COLS, rows("t", 40));
  }

  static List<Row> rows(String prefix, int n) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(RowFactory.create(prefix + i, (double) i, (double) (i % 7), (double) (i % 3), (double) (i % 3)));
    }
    return out;
  }

  static String table(String name, StructType schema, List<Row> rows) {
    String p = dir.resolve(name).toString();
    spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(p);
    return p;
  }

  static String csv(String name, String content) throws IOException {
    Path p = dir.resolve(name + ".csv");
    Files.writeString(p, content);
    return p.toString();
  }

  static DvgsConfig cfg(String source, String target, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=y", "input.target.label-column=y",
        "model.hidden=[4]", "training.batch-size=10", "training.epochs=1"));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }




  @Test
  void emptyTargetAndTooSmallTarget() {
    String empty = table("empty", COLS, List.of());
    assertTrue(error(cfg(goodTarget, empty)).contains("is empty"));
    String e = error(cfg(goodTarget, goodTarget, "training.batch-size=64"));
    assertTrue(e.contains("dvgs.training.batch-size = 64") && e.contains("40 rows"), e);
  }

  @Test
  void badTargetRowIsAnErrorNamingTheSample() {
    List<Row> t = rows("t", 20);
    t.set(3, RowFactory.create("t3", Double.NaN, 1.0, 1.0, 1.0));
    String e = error(cfg(goodTarget, table("nan-target", COLS, t)));
    assertTrue(e.contains("sample t3") && e.contains("'f0'") && e.contains("NaN"), e);
  }

  @Test
  void badSourceRowsAreRejectedWithReasons() {
    List<Row> s = rows("s", 30);
    s.set(0, RowFactory.create("s0", Double.NaN, 1.0, 1.0, 1.0));
    s.set(1, RowFactory.create("s1", 1.0, Double.POSITIVE_INFINITY, 1.0, 1.0));
    s.set(2, RowFactory.create("s2", 1.0, 1.0, null, 1.0));
    s.set(3, RowFactory.create("s3", 1.0, 1.0, 1.0, null));
    s.set(4, RowFactory.create("s4", 1.0, 1.0, 1.0, 5.0));
    s.set(5, RowFactory.create("s5", 1.0, 1.0, 1.0, 1.5));
    s.set(6, RowFactory.create("s6", 1.0, 1.0, 1.0, -1.0));
    InputLoader.RawInputs raw = read(cfg(table("bad-source", COLS, s), goodTarget));
    Map<String, String> rej = rejects(raw);
    assertEquals(Set.of("s0", "s1", "s2", "s3", "s4", "s5", "s6"), rej.keySet());
    assertTrue(rej.get("s0").contains("'f0' is NaN"), rej.get("s0"));
    assertTrue(rej.get("s1").contains("'f1' is Infinity"), rej.get("s1"));
    assertTrue(rej.get("s2").contains("'f2' is null"), rej.get("s2"));
    assertTrue(rej.get("s3").startsWith("missing label"), rej.get("s3"));
    assertTrue(rej.get("s4").contains("label 5.0 is not a class index in [0, 2]"), rej.get("s4"));
    assertTrue(rej.get("s5").startsWith("label out of range"), rej.get("s5"));
    assertTrue(rej.get("s6").startsWith("label out of range"), rej.get("s6"));
    assertEquals(30L, raw.counts().sourceRead());
    assertEquals(7L, raw.counts().sourceRejected());
    assertEquals(23L, raw.counts().sourceValid());
    Map<?, ?> byReason = raw.counts().rejectedByReason();
    assertEquals(3L, byReason.get("non-finite or missing feature"));
    assertEquals(1L, byReason.get("missing label"));
    assertEquals(3L, byReason.get("label out of range"));
    raw.release();
  }

  @Test
  void featureLengthsMustMatch() {
    List<Row> t = new ArrayList<>();
    List<Row> s = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      t.add(RowFactory.create("t" + i, new Float[] {1f * i, 2f, 3f, 4f}, i % 2));
      s.add(RowFactory.create("s" + i, i == 7 ? new Float[] {1f, 2f, 3f} : new Float[] {1f, 2f, 3f, 4f}, i % 2));
    }
    InputLoader.RawInputs raw = read(cfg(table("arr-source", ARRAY, s), table("arr-target", ARRAY, t),
        "input.source.features.column=x", "input.target.features.column=x"));
    assertEquals(Map.of("s7", "feature length: 3 features, expected 4"), rejects(raw));
    raw.release();

    StructType fewer = DataTypes.createStructType(List.of(COLS.fields()[0], COLS.fields()[1], COLS.fields()[2], COLS.fields()[4]));
    List<Row> f = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      f.add(RowFactory.create("s" + i, 1.0, 2.0, 0.0));
    }
    String e = error(cfg(table("fewer-cols", fewer, f), goodTarget));
    assertTrue(e.contains("feature columns differ") && e.contains("[f0, f1]") && e.contains("[f0, f1, f2]"), e);
  }

  @Test
  void duplicateIdsMissingColumnsAndPaths() {
    List<Row> s = rows("s", 20);
    s.set(5, RowFactory.create("s4", 1.0, 1.0, 1.0, 1.0));
    String dup = error(cfg(table("dup", COLS, s), goodTarget));
    assertTrue(dup.contains("duplicate sample ids") && dup.contains("'s4' (2 rows)"), dup);

    String col = error(cfg(goodTarget, goodTarget, "input.source.label-column=label"));
    assertTrue(col.contains("column 'label' (label-column) not found") && col.contains("[id, f0, f1, f2, y]"), col);

    String path = error(cfg(dir.resolve("nope").toString(), goodTarget));
    assertTrue(path.contains(dir.resolve("nope").toString()) && path.contains("dvgs.input.source.path"), path);
  }

  @Test
  void csvNonNumericCellIsRejectedNamingTheColumn() throws IOException {
    StringBuilder b = new StringBuilder("id,f0,f1,f2,y\n");
    for (int i = 0; i < 15; i++) {
      b.append("c").append(i).append(',').append(i == 4 ? "abc" : "1.5").append(",2,3,").append(i % 3).append('\n');
    }
    InputLoader.RawInputs raw = read(cfg(csv("cells", b.toString()), goodTarget));
    Map<String, String> rej = rejects(raw);
    assertEquals(Set.of("c4"), rej.keySet());
    assertTrue(rej.get("c4").contains("column 'f0' is 'abc', not a number"), rej.get("c4"));
    raw.release();
  }

  @Test
  void existingOutputNeedsOverwrite() throws IOException {
    Path out = dir.resolve("existing");
    Files.createDirectories(out);
    Files.writeString(out.resolve("old.txt"), "x");
    String e = assertThrows(ConfigValidationException.class,
        () -> ValuationJob.run(spark, ValuationRequest.of(cfg(goodTarget, goodTarget, "output.path=\"" + out + "\"")))).getMessage();
    assertTrue(e.contains(out.toString()) && e.contains("dvgs.output.overwrite"), e);
    assertTrue(Files.exists(out.resolve("old.txt")), "nothing deleted without overwrite");
  }

  @Test
  void endToEndAccountingAndRejectsTable() {
    List<Row> s = rows("s", 50);
    s.set(10, RowFactory.create("s10", Double.NaN, 1.0, 1.0, 1.0));
    s.set(20, RowFactory.create("s20", 1.0, 1.0, 1.0, 9.0));
    String out = dir.resolve("accounting").toString();
    ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.of(cfg(table("mixed", COLS, s), goodTarget, "output.path=\"" + out + "\"")));
    assertEquals(50L, o.manifest().counts().sourceRead());
    assertEquals(48L, o.manifest().counts().sourceValued());
    assertEquals(2L, o.manifest().counts().sourceRejected());
    List<Row> rej = spark.read().parquet(out + "/rejects").orderBy("sample_id").collectAsList();
    assertEquals(2, rej.size());
    assertEquals("s10", rej.get(0).getString(0));
    assertTrue(rej.get(0).getString(1).contains("'f0' is NaN"));
    assertEquals("s20", rej.get(1).getString(0));
    assertTrue(rej.get(1).getString(1).startsWith("label out of range"));
    Set<String> valued = new HashSet<>();
    for (Row r : o.values().select("sample_id").collectAsList()) {
      valued.add(r.getString(0));
    }
    assertEquals(48, valued.size());
    assertFalse(valued.contains("s10") || valued.contains("s20"));
  }

  @Test
  void generatedIdsAreRowPositionsWhateverThePartitioning() throws IOException {
    // Three Parquet files of 40 rows each; then one CSV file.
    StructType noId = DataTypes.createStructType(List.of(COLS.fields()[1], COLS.fields()[2], COLS.fields()[3], COLS.fields()[4]));
    List<Row> all = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      all.add(RowFactory.create((double) i, 0.0, 1.0, (double) (i % 3)));
    }
    String multi = dir.resolve("multi").toString();
    spark.createDataFrame(all, noId).coalesce(1).write().mode(SaveMode.Overwrite).option("maxRecordsPerFile", 40).parquet(multi);
    StringBuilder b = new StringBuilder("f0,f1,f2,y\n");
    for (int i = 0; i < 300; i++) {
      b.append(i).append(",0,1,").append(i % 3).append('\n');
    }
    String csvPath = csv("noid", b.toString());
    for (String src : List.of(multi, csvPath)) {
      Map<String, Float> coarse = idToF0(src, null);
      Map<String, Float> fine = idToF0(src, "1024");
      assertEquals(coarse, fine, "ids change with partitioning for " + src);
      for (Map.Entry<String, Float> e : coarse.entrySet()) {
        assertEquals(Float.parseFloat(e.getKey()), e.getValue(), 0f, "row number of " + src);
      }
    }
  }

  static Map<String, Float> idToF0(String source, String maxPartitionBytes) {
    String key = "spark.sql.files.maxPartitionBytes";
    String before = spark.conf().get(key);
    if (maxPartitionBytes != null) {
      spark.conf().set(key, maxPartitionBytes);
      spark.conf().set("spark.sql.files.openCostInBytes", "0");
    }
    try {
      DvgsConfig c = cfg(source, goodTarget, "input.source.id-column=\"\"", "input.source.features.columns=[f0, f1, f2]");
      Map<String, Float> m = new HashMap<>();
      InputLoader.RawInputs raw = read(c);
      if (maxPartitionBytes != null) {
        assertTrue(raw.source().getNumPartitions() > 1, "small splits should give several partitions");
      }
      for (CanonicalRow r : raw.source().collect()) {
        m.put(r.id(), r.features()[0]);
      }
      raw.release();
      return m;
    } finally {
      spark.conf().set(key, before);
      spark.conf().unset("spark.sql.files.openCostInBytes");
    }
  }

  @Test
  void splitByFractionAndByColumn() {
    List<Row> rows = rows("r", 400);
    String one = table("one", COLS, rows);
    DvgsConfig frac = TestConfigs.of("input.source.path=\"" + one + "\"", "input.source.id-column=id", "input.source.label-column=y",
        "input.split.mode=fraction", "input.split.fraction=0.25", "training.batch-size=10", "seed=3");
    InputLoader.RawInputs a = read(frac);
    InputLoader.RawInputs b = read(frac);
    Set<String> targetIds = new HashSet<>();
    for (CanonicalRow r : a.targetRows()) {
      targetIds.add(r.id());
    }
    Set<String> sourceIds = new HashSet<>(a.source().map(CanonicalRow::id).collect());
    assertEquals(400, targetIds.size() + sourceIds.size());
    assertTrue(java.util.Collections.disjoint(targetIds, sourceIds));
    assertTrue(targetIds.size() > 60 && targetIds.size() < 140, "target size " + targetIds.size());
    assertEquals(a.targetRows().size(), b.targetRows().size());
    a.release();
    b.release();

    StructType withRole = DataTypes.createStructType(List.of(COLS.fields()[0], COLS.fields()[1], COLS.fields()[2], COLS.fields()[3], COLS.fields()[4],
        DataTypes.createStructField("role", DataTypes.StringType, true)));
    List<Row> roleRows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      roleRows.add(RowFactory.create("r" + i, 1.0 * i, 0.0, 1.0, (double) (i % 3), i < 20 ? "trusted" : "pool"));
    }
    DvgsConfig byCol = TestConfigs.of("input.source.path=\"" + table("roles", withRole, roleRows) + "\"", "input.source.id-column=id",
        "input.source.label-column=y", "input.split.mode=column", "input.split.column=role", "input.split.target-value=trusted",
        "training.batch-size=10");
    InputLoader.RawInputs c = read(byCol);
    assertEquals(20, c.targetRows().size());
    assertEquals(40L, c.source().count());
    assertEquals(3, c.width(), "the split column is not a feature");
    c.release();
  }
}
