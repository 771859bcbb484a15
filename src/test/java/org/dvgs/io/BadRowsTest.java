package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.DvgsConfig;
import static org.dvgs.testing.InputChecks.error;
import static org.dvgs.testing.InputChecks.read;
import static org.dvgs.testing.InputChecks.rejects;

import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad rows beyond the basic cases: null ids, array and ML-vector features, CSV spellings of non-finite numbers,
 * bad target rows in every form, column types, and regression/autoencoder labels.
 */
class BadRowsTest {
  static SparkSession spark;
  static Path dir;
  static final StructType ARRAY = DataTypes.createStructType(List.of(
      DataTypes.createStructField("id", DataTypes.StringType, true),
      DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.DoubleType, true), true),
      DataTypes.createStructField("y", DataTypes.DoubleType, true),
      DataTypes.createStructField("flag", DataTypes.BooleanType, true),
      DataTypes.createStructField("note", DataTypes.StringType, true)));
  static String arrayTarget;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("badrows");
    arrayTarget = table("array-target", ARRAY, arrayRows("t", 24), 1);
  }

  static List<Row> arrayRows(String prefix, int n) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(RowFactory.create(prefix + i, new Double[] {(double) i, 1.0, -1.0, 0.5 * i}, (double) (i % 3), true, "n"));
    }
    return out;
  }

  static Row arrayRow(String id, Double[] x, Double y) {
    return RowFactory.create(id, x, y, true, "n");
  }

  static String table(String name, StructType schema, List<Row> rows, int files) {
    String p = dir.resolve(name).toString();
    spark.createDataFrame(rows, schema).repartition(files).write().mode(SaveMode.Overwrite).parquet(p);
    return p;
  }

  static DvgsConfig cfg(String source, String target, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=y", "input.target.label-column=y",
        "input.source.features.column=x", "input.target.features.column=x",
        "training.batch-size=8"));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }




  @Test
  void nullIdsAreRejectedOneByOneNamedByFileAndRow() {
    List<Row> s = arrayRows("s", 30);
    s.set(3, arrayRow(null, new Double[] {1.0, 1.0, 1.0, 1.0}, 1.0));
    s.set(17, arrayRow(null, new Double[] {2.0, 2.0, 2.0, 2.0}, 2.0));
    s.set(25, arrayRow(null, new Double[] {3.0, 3.0, 3.0, 3.0}, 0.0));
    String path = table("null-ids", ARRAY, s, 2);
    InputLoader.RawInputs raw = read(cfg(path, arrayTarget));
    Map<String, String> rej = rejects(raw);
    assertEquals(3, rej.size(), rej.toString());
    Set<Double> firstFeature = new java.util.HashSet<>();
    for (Map.Entry<String, String> e : rej.entrySet()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("<null id, (file:\\S+\\.parquet) row (\\d+)>").matcher(e.getKey());
      assertTrue(m.matches(), e.getKey());
      assertEquals(ColumnPlan.NULL_ID + ": id column is null at " + m.group(1) + " row " + m.group(2), e.getValue());
      // The named file's named row (1-based) is the row without an id.
      List<Row> inFile = spark.read().parquet(m.group(1)).select("id", "x", "_metadata.row_index").orderBy("row_index").collectAsList();
      Row named = inFile.get(Integer.parseInt(m.group(2)) - 1);
      assertTrue(named.isNullAt(0), e.getKey() + " names " + named);
      firstFeature.add(named.getList(1).get(0) instanceof Double d ? d : Double.NaN);
    }
    assertEquals(Set.of(1.0, 2.0, 3.0), firstFeature, "each null-id row is named once");
    assertEquals(Map.of("missing id", 3L), raw.counts().rejectedByReason());
    assertEquals(27L, raw.counts().sourceValid());
    raw.release();
  }

  @Test
  void nullIdsInACsvAreNamedByFileAndRow() throws IOException {
    Path tp = dir.resolve("nullid-t.csv");
    Path sp = dir.resolve("nullid-s.csv");
    StringBuilder t = new StringBuilder("id,a,y\n");
    StringBuilder src = new StringBuilder("id,a,y\n");
    for (int i = 0; i < 10; i++) {
      t.append("t").append(i).append(',').append(i).append(',').append(i % 2).append('\n');
      src.append(i == 4 || i == 8 ? "" : "s" + i).append(',').append(i).append(',').append(i % 2).append('\n');
    }
    Files.writeString(tp, t);
    Files.writeString(sp, src);
    DvgsConfig c = TestConfigs.of("input.source.path=\"" + sp + "\"", "input.target.path=\"" + tp + "\"",
        "input.source.id-column=id", "input.target.id-column=id", "input.source.label-column=y", "input.target.label-column=y",
        "training.batch-size=2");
    InputLoader.RawInputs raw = read(c);
    String f = "file:" + sp.toAbsolutePath();
    assertEquals(Map.of("<null id, " + f + " row 5>", "missing id: id column is null at " + f + " row 5",
        "<null id, " + f + " row 9>", "missing id: id column is null at " + f + " row 9"), rejects(raw));
    raw.release();
  }

  @Test
  void arrayFeaturesNaNNullAndLengthAreRejectedWithTheirPosition() {
    List<Row> s = arrayRows("s", 30);
    s.set(1, arrayRow("s1", new Double[] {1.0, Double.NaN, 1.0, 1.0}, 1.0));
    s.set(2, arrayRow("s2", new Double[] {null, 1.0, 1.0, 1.0}, 1.0));
    s.set(3, arrayRow("s3", null, 1.0));
    s.set(4, arrayRow("s4", new Double[] {1.0, 1.0, 1.0}, 1.0));
    s.set(5, arrayRow("s5", new Double[] {1.0, 1.0, 1.0, 1.0, 1.0}, 1.0));
    s.set(6, arrayRow("s6", new Double[] {1.0, 1.0, 1.0, Double.NEGATIVE_INFINITY}, 1.0));
    s.set(7, arrayRow("s7", new Double[] {}, 1.0));
    s.set(8, arrayRow("s8", new Double[] {1.0, 1.0, 1.0, 1e300}, 1.0));
    InputLoader.RawInputs raw = read(cfg(table("array-bad", ARRAY, s, 3), arrayTarget));
    Map<String, String> rej = rejects(raw);
    assertEquals(Set.of("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"), rej.keySet());
    assertEquals("non-finite or missing feature: features[1] is NaN", rej.get("s1"));
    assertEquals("non-finite or missing feature: features[0] is null", rej.get("s2"));
    assertEquals("non-finite or missing feature: features column is null", rej.get("s3"));
    assertEquals("feature length: 3 features, expected 4", rej.get("s4"));
    assertEquals("feature length: 5 features, expected 4", rej.get("s5"));
    assertEquals("non-finite or missing feature: features[3] is -Infinity", rej.get("s6"));
    assertEquals("feature length: 0 features, expected 4", rej.get("s7"));
    assertTrue(rej.get("s8").contains("features[3] is Infinity"), "1e300 overflows a float: " + rej.get("s8"));
    assertEquals(Map.of("feature length", 3L, "non-finite or missing feature", 5L), raw.counts().rejectedByReason());
    raw.release();
  }

  @Test
  void mlVectorWithNonFiniteValueIsRejected() {
    StructType vec = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("x", new VectorUDT(), true),
        DataTypes.createStructField("y", DataTypes.IntegerType, true)));
    List<Row> t = new ArrayList<>();
    List<Row> s = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      t.add(RowFactory.create("t" + i, Vectors.dense(i, 1, 2), i % 2));
      s.add(RowFactory.create("s" + i, i == 4 ? Vectors.sparse(3, new int[] {2}, new double[] {Double.POSITIVE_INFINITY})
          : i == 5 ? Vectors.dense(1, 2) : Vectors.dense(i, 1, 2), i == 6 ? null : i % 2));
    }
    InputLoader.RawInputs raw = read(cfg(table("vec-s", vec, s, 1), table("vec-t", vec, t, 1)));
    Map<String, String> rej = rejects(raw);
    assertEquals(Set.of("s4", "s5", "s6"), rej.keySet());
    assertEquals("non-finite or missing feature: features[2] is Infinity", rej.get("s4"));
    assertEquals("feature length: 2 features, expected 3", rej.get("s5"));
    assertTrue(rej.get("s6").startsWith("missing label"), rej.get("s6"));
    raw.release();
  }

  @Test
  void csvNonFiniteSpellingsEmptyCellsAndTextLabelsAreRejected() throws IOException {
    StringBuilder t = new StringBuilder("id;a;b;y\n");
    for (int i = 0; i < 10; i++) {
      t.append("t").append(i).append(';').append(i).append(";1;").append(i % 2).append('\n');
    }
    StringBuilder s = new StringBuilder("id;a;b;y\n");
    String[] cells = {"1;2;0", "NaN;2;0", "1;Infinity;1", "-Infinity;2;1", ";2;1", "1;;1", "1;2;one", "1;2;", "1;x2;0", " 3 ; 4 ;1"};
    for (int i = 0; i < cells.length; i++) {
      s.append("c").append(i).append(';').append(cells[i]).append('\n');
    }
    Path tp = dir.resolve("semi-t.csv");
    Path sp = dir.resolve("semi-s.csv");
    Files.writeString(tp, t);
    Files.writeString(sp, s);
    DvgsConfig c = TestConfigs.of(
        "input.source.path=\"" + sp + "\"", "input.target.path=\"" + tp + "\"",
        "input.source.options.sep=\";\"", "input.target.options.sep=\";\"",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=y", "input.target.label-column=y", "training.batch-size=4");
    InputLoader.RawInputs raw = read(c);
    Map<String, String> rej = rejects(raw);
    assertEquals(Set.of("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"), rej.keySet());
    assertEquals("non-finite or missing feature: column 'a' is NaN", rej.get("c1"));
    assertEquals("non-finite or missing feature: column 'b' is Infinity", rej.get("c2"));
    assertEquals("non-finite or missing feature: column 'a' is -Infinity", rej.get("c3"));
    assertEquals("non-finite or missing feature: column 'a' is null", rej.get("c4"));
    assertEquals("non-finite or missing feature: column 'b' is null", rej.get("c5"));
    assertEquals("missing label: label 'one' is not a number", rej.get("c6"));
    assertEquals("missing label: label is null", rej.get("c7"));
    assertEquals("non-finite or missing feature: column 'b' is 'x2', not a number", rej.get("c8"));
    assertEquals(List.of("a", "b"), raw.featureNames());
    raw.release();
  }

  @Test
  void everyBadTargetRowIsAnErrorNamingTheSample() {
    List<Row> t = arrayRows("t", 24);
    t.set(5, arrayRow("t5", new Double[] {1.0, 1.0, 1.0}, 1.0));
    String e = error(cfg(arrayTarget, table("t-width", ARRAY, t, 1)));
    assertTrue(e.contains("target table") && e.contains("sample t5") && e.contains("3 features, expected 4"), e);

    t = arrayRows("t", 24);
    t.set(6, arrayRow("t6", new Double[] {1.0, Double.POSITIVE_INFINITY, 1.0, 1.0}, 1.0));
    e = error(cfg(arrayTarget, table("t-inf", ARRAY, t, 1)));
    assertTrue(e.contains("sample t6") && e.contains("features[1] is Infinity"), e);

    t = arrayRows("t", 24);
    t.set(7, arrayRow("t7", new Double[] {1.0, 1.0, 1.0, 1.0}, 1.5));
    e = error(cfg(arrayTarget, table("t-label", ARRAY, t, 1)));
    assertTrue(e.contains("sample t7") && e.contains("label out of range") && e.contains("1.5"), e);

    t = arrayRows("t", 24);
    t.set(8, arrayRow("t8", new Double[] {1.0, 1.0, 1.0, 1.0}, null));
    e = error(cfg(arrayTarget, table("t-nolabel", ARRAY, t, 1)));
    assertTrue(e.contains("sample t8") && e.contains("missing label"), e);

    t = arrayRows("t", 24);
    t.set(9, arrayRow("t3", new Double[] {1.0, 1.0, 1.0, 1.0}, 0.0));
    e = error(cfg(arrayTarget, table("t-dup", ARRAY, t, 2)));
    assertTrue(e.contains("duplicate sample id 't3'"), e);

    // With num-classes = 2, a target label 2 is out of range too.
    e = error(cfg(arrayTarget, arrayTarget, "model.num-classes=2"));
    assertTrue(e.contains("label out of range") && e.contains("[0, 1]"), e);

    List<Row> one = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      one.add(arrayRow("t" + i, new Double[] {1.0, 2.0, 3.0, 4.0}, 0.0));
    }
    e = error(cfg(arrayTarget, table("t-oneclass", ARRAY, one, 1)));
    assertTrue(e.contains("single class") && e.contains("dvgs.model.num-classes"), e);
  }

  @Test
  void badTargetRowInAFractionSplitNamesTheSplit() {
    // Split mode fraction takes the target from the source table, so a NaN row there is named as a target sample
    // when the seeded hash puts it into the target, and rejected as a source row otherwise.
    List<Row> s = arrayRows("s", 200);
    for (int i = 0; i < 200; i += 10) {
      s.set(i, arrayRow("s" + i, new Double[] {Double.NaN, 1.0, 1.0, 1.0}, 1.0));
    }
    String path = table("frac-nan", ARRAY, s, 2);
    DvgsConfig c = TestConfigs.of("input.source.path=\"" + path + "\"", "input.source.id-column=id",
        "input.source.label-column=y", "input.source.features.column=x", "input.split.mode=fraction",
        "input.split.fraction=0.3", "training.batch-size=4");
    String e = error(c);
    assertTrue(e.contains("target split (fraction 0.3") && e.contains(path) && e.matches("(?s).*sample s\\d*0:.*features\\[0\\] is NaN.*"), e);
  }

  @Test
  void columnTypeAndNameErrorsNameTheColumn() {
    String e = error(cfg(arrayTarget, arrayTarget, "input.source.label-column=flag"));
    assertTrue(e.contains("source table " + arrayTarget) && e.contains("'flag'") && e.contains("boolean"), e);
    e = error(cfg(arrayTarget, arrayTarget, "input.target.features.column=note"));
    assertTrue(e.contains("target table " + arrayTarget) && e.contains("'note'") && e.contains("string"), e);
    e = error(cfg(arrayTarget, arrayTarget, "input.source.id-column=sample"));
    assertTrue(e.contains("column 'sample' (id-column) not found") && e.contains("[id, x, y, flag, note]"), e);
    e = error(cfg(arrayTarget, arrayTarget, "input.source.label-column=\"\""));
    assertTrue(e.contains("needs a label") && e.contains("label-column"), e);
    e = error(cfg(arrayTarget, arrayTarget, "input.source.features.column=\"\"", "input.source.features.exclude=[notes]"));
    assertTrue(e.contains("'notes' (features.exclude) not found"), e);
    DvgsConfig split = TestConfigs.of("input.source.path=\"" + arrayTarget + "\"", "input.source.id-column=id",
        "input.source.label-column=y", "input.source.features.column=x", "input.split.mode=column", "input.split.column=role");
    e = error(split);
    assertTrue(e.contains("'role' (input.split.column) not found") && e.contains("[id, x, y, flag, note]"), e);
  }

  @Test
  void featureColumnsInAnotherOrderAreAnError() throws IOException {
    Path a = dir.resolve("order-a.csv");
    Path b = dir.resolve("order-b.csv");
    Files.writeString(a, "id,p,q,y\nr0,1,2,0\nr1,2,3,1\nr2,3,4,0\nr3,4,5,1\n");
    Files.writeString(b, "id,q,p,y\nr0,2,1,0\nr1,3,2,1\nr2,4,3,0\nr3,5,4,1\n");
    DvgsConfig c = TestConfigs.of("input.source.path=\"" + a + "\"", "input.target.path=\"" + b + "\"",
        "input.source.id-column=id", "input.target.id-column=id", "input.source.label-column=y",
        "input.target.label-column=y", "training.batch-size=2");
    String e = error(c);
    assertTrue(e.contains("feature columns differ") && e.contains("[p, q]") && e.contains("[q, p]"), e);
    // Listing them explicitly in the same order fixes it.
    InputLoader.RawInputs raw = read(c.with(Map.of("input.source.features.columns", List.of("p", "q"),
        "input.target.features.columns", List.of("p", "q"))));
    assertEquals(0L, raw.counts().sourceRejected());
    raw.release();
  }

  @Test
  void regressionLabelsMustBeFiniteAndAutoencodersNeedNone() {
    List<Row> s = arrayRows("s", 20);
    s.set(2, arrayRow("s2", new Double[] {1.0, 1.0, 1.0, 1.0}, Double.NaN));
    s.set(3, arrayRow("s3", new Double[] {1.0, 1.0, 1.0, 1.0}, Double.POSITIVE_INFINITY));
    s.set(4, arrayRow("s4", new Double[] {1.0, 1.0, 1.0, 1.0}, 7.25));
    String path = table("regress", ARRAY, s, 1);
    InputLoader.RawInputs raw = read(cfg(path, arrayTarget, "model.task=regressor"));
    Map<String, String> rej = rejects(raw);
    assertEquals(Set.of("s2", "s3"), rej.keySet(), "7.25 is a fine regression target");
    assertTrue(rej.get("s2").startsWith("missing label"), rej.get("s2"));
    assertEquals("label out of range: label Infinity is not finite", rej.get("s3"));
    raw.release();

    // The autoencoder ignores labels: the same table has no rejects and no classes.
    InputLoader.RawInputs ae = read(cfg(path, arrayTarget, "model.task=autoencoder", "input.source.label-column=\"\"",
        "input.target.label-column=\"\""));
    assertEquals(0L, ae.counts().sourceRejected());
    assertEquals(0, ae.numClasses());
    assertEquals(4, ae.width());
    assertTrue(Double.isNaN(ae.targetRows().get(0).label()), "no label read");
    ae.release();
  }
}
