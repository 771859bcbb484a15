package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.output.Manifest;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A catalogue of bad input, each kind run through the command line as a user would: bad config keys and values,
 * bad tables, bad rows, bad files, bad output locations. For every kind: the exit status (2 for the user's input,
 * or 0 when the bad rows are rejected and the rest valued), a message naming the key, file, column or row, every
 * row read accounted for as valued or rejected with a reason, and no file of the user's changed.
 */
class BadInputCatalogueTest {
  static SparkSession spark;
  static Path dir;
  /** The user's files: every input of every case lives here, and nothing under it may change. */
  static Path user;
  static Path target;
  static Path source;

  record Result(int status, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static final String HEADER = "id,label,f0,f1,f2";

  @BeforeAll
  static void setUp() throws IOException {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("bad-input");
    user = Files.createDirectories(dir.resolve("user"));
    target = csv("target.csv", rows("t", 60, 0));
    source = csv("source.csv", rows("s", 80, 1));
  }

  /** {@code n} good rows: two classes, three features. */
  static List<String> rows(String prefix, int n, int seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int y = i % 2;
      out.add(String.format(java.util.Locale.ROOT, "%s%d,%d,%.4f,%.4f,%.4f", prefix, i, y, y + r.nextGaussian(), r.nextGaussian(), 2 * y - r.nextGaussian()));
    }
    return out;
  }

  static Path csv(String name, List<String> lines) throws IOException {
    List<String> all = new ArrayList<>();
    all.add(HEADER);
    all.addAll(lines);
    return Files.write(user.resolve(name), all, StandardCharsets.UTF_8);
  }

  static String q(Object p) {
    return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** {@code value} on CSV inputs with a small fast network; {@code more} overrides come last. */
  static List<String> valueArgs(Path src, Path tgt, Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("value", "--output", out.toString()));
    for (String o : List.of(
        "input.source.path=" + q(src), "input.target.path=" + q(tgt), "input.source.format=csv", "input.target.format=csv",
        "input.source.id-column=id", "input.target.id-column=id", "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.epochs=2", "training.batch-size=20", "training.restarts=1", "scoring.batch-size=32")) {
      a.add("--set");
      a.add(o);
    }
    for (String o : more) {
      a.add("--set");
      a.add(o);
    }
    return a;
  }

  static Result run(List<String> args) {
    return run(args.toArray(new String[0]));
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Every file and folder under {@code root} with its bytes' hash, size and modification time. */
  static Map<String, String> tree(Path root) {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = root.relativize(p).toString();
        String mtime = Files.getLastModifiedTime(p).toString();
        m.put(rel, Files.isDirectory(p) ? "dir " + mtime : Arrays.hashCode(Files.readAllBytes(p)) + " " + Files.size(p) + " " + mtime);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** A case that must end with exit status 2 and a message holding every fragment, the user's files unchanged. */
  static Result refused(String kind, List<String> args, String... fragments) {
    Map<String, String> before = tree(user);
    Result r = run(args);
    assertEquals(2, r.status(), kind + ": exit status; output:\n" + r.all());
    String msg = r.err();
    for (String f : fragments) {
      assertTrue(msg.contains(f), kind + ": the message does not name '" + f + "':\n" + msg);
    }
    // One line for the user, not a stack trace.
    assertFalse(msg.contains("\tat org."), kind + ": a stack trace reached the user:\n" + msg);
    assertEquals(before, tree(user), kind + ": a file of the user's changed");
    return r;
  }

  // ---- configuration ---------------------------------------------------------------------------------------

  @Test
  void badConfigKeysAndValues() {
    Path out = dir.resolve("out-config");
    refused("unknown key", valueArgs(source, target, out, "training.epoch=3"), "dvgs.training.epoch");
    refused("wrong type", valueArgs(source, target, out, "training.epochs=ten"), "dvgs.training.epochs");
    refused("snapshot period T = 0", valueArgs(source, target, out, "training.snapshot-every=0"), "dvgs.training.snapshot-every");
    refused("negative learning rate", valueArgs(source, target, out, "training.learning-rate=-0.1"), "dvgs.training.learning-rate");
    refused("unknown similarity", valueArgs(source, target, out, "scoring.similarity=cosin"), "dvgs.scoring.similarity", "cosin");
    refused("unknown CSV mode", valueArgs(source, target, out, "input.source.options.mode=DROPMALFORMED"), "dvgs.input.source.options.mode");
    refused("a config file that does not exist", List.of("value", "--config", user.resolve("nope.conf").toString(), "--output", out.toString()),
        "nope.conf");
    assertFalse(Files.exists(out), "a refused config created the output");
  }

  // ---- tables ----------------------------------------------------------------------------------------------

  @Test
  void badTables() throws IOException {
    Path header = csv("header-only.csv", List.of());
    Path tiny = csv("tiny-target.csv", rows("t", 5, 3));
    List<String> dupRows = new ArrayList<>(rows("s", 30, 4));
    dupRows.add(dupRows.get(3));
    Path dups = csv("duplicate-ids.csv", dupRows);
    Path garbage = Files.write(user.resolve("garbage.csv"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0x7f, 0x01, 'a', ',', 'b', '\n', 0x02, ',', 0x03, '\n'});
    int n = 0;
    refused("missing source path", valueArgs(user.resolve("no-such.csv"), target, dir.resolve("out-" + n++)), "no-such.csv", "dvgs.input.source.path");
    refused("empty target", valueArgs(source, header, dir.resolve("out-" + n++)), "header-only.csv");
    refused("target smaller than one training batch", valueArgs(source, tiny, dir.resolve("out-" + n++)), "tiny-target.csv", "dvgs.training.batch-size");
    refused("empty source", valueArgs(header, target, dir.resolve("out-" + n++)), "header-only.csv");
    refused("duplicate ids", valueArgs(dups, target, dir.resolve("out-" + n++)), "duplicate-ids.csv", "'s3'");
    refused("label column not in the table", valueArgs(source, target, dir.resolve("out-" + n++), "input.source.label-column=lbl"), "'lbl'", "source.csv");
    refused("feature column not in the table", valueArgs(source, target, dir.resolve("out-" + n++), "input.source.features.columns=[f0, f9]",
        "input.target.features.columns=[f0, f9]"), "'f9'");
    Result g = refused("binary garbage as CSV", valueArgs(garbage, target, dir.resolve("out-" + n++)), "garbage.csv");
    assertTrue(g.err().contains("\\x1f") || g.err().contains("\\u"), "the garbage header is shown escaped:\n" + g.err());
    assertFalse(g.err().chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t'), "raw control bytes in the message:\n" + g.err());
  }

  // ---- rows ------------------------------------------------------------------------------------------------

  @Test
  void badRowsAreRejectedWithTheirReasonAndEveryRowIsAccountedFor() throws IOException {
    // One source holding one row of each kind of bad row, between good ones.
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("nan", "nan,0,NaN,1.0,2.0");
    bad.put("inf", "inf,1,1.0,Infinity,2.0");
    bad.put("empty-cell", "empty-cell,0,1.0,,2.0");
    bad.put("text", "text,1,1.0,abc,2.0");
    bad.put("no-label", "no-label,,1.0,2.0,3.0");
    bad.put("label-range", "label-range,7,1.0,2.0,3.0");
    bad.put("label-text", "label-text,yes,1.0,2.0,3.0");
    bad.put("extra-field", "extra-field,1,234,0.3,1.0,2.0");
    bad.put("short", "short,1,0.5");
    List<String> lines = new ArrayList<>(rows("s", 40, 5));
    lines.addAll(bad.values());
    lines.add(",1,0.1,0.2,0.3"); // no id
    lines.addAll(rows("z", 20, 6));
    Path src = csv("bad-rows.csv", lines);
    Map<String, String> expectedReason = new LinkedHashMap<>();
    expectedReason.put("nan", "f0");
    expectedReason.put("inf", "f1");
    expectedReason.put("empty-cell", "f1");
    expectedReason.put("text", "abc");
    expectedReason.put("no-label", "label");
    expectedReason.put("label-range", "7");
    expectedReason.put("label-text", "yes");

    Map<String, String> before = tree(user);
    Path out = dir.resolve("out-rows");
    Result r = run(valueArgs(src, target, out));
    assertEquals(0, r.status(), r.all());
    assertEquals(before, tree(user), "a file of the user's changed");

    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), out.toString());
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    long read = ((Number) counts.get("source_read")).longValue();
    long valued = ((Number) counts.get("source_valued")).longValue();
    long rejected = ((Number) counts.get("source_rejected")).longValue();
    assertEquals(lines.size(), read, "every line read");
    assertEquals(read, valued + rejected, "read = valued + rejected");
    assertEquals(bad.size() + 1, rejected, "one reject per bad row");
    assertEquals(60, valued);
    assertEquals(valued, spark.read().parquet(out.resolve("values").toString()).count());

    Map<String, String> reasons = new HashMap<>();
    for (Row row : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
      reasons.put(row.getString(0), row.getString(1));
    }
    assertEquals(rejected, reasons.size());
    for (Map.Entry<String, String> e : expectedReason.entrySet()) {
      String reason = reasons.get(e.getKey());
      assertNotNull(reason, "row " + e.getKey() + " was not rejected; rejects: " + reasons);
      assertTrue(reason.contains(e.getValue()), "the reason for row " + e.getKey() + " does not name '" + e.getValue() + "': " + reason);
    }
    // A malformed line's fields cannot be trusted, its id neither: it is named by file and row, with the line.
    for (String line : List.of(bad.get("extra-field"), bad.get("short"))) {
      String reason = reasons.values().stream().filter(x -> x.contains("'" + line + "'")).findFirst().orElse(null);
      assertNotNull(reason, "the malformed line " + line + " was not rejected: " + reasons);
      assertTrue(reason.contains("bad-rows.csv row "), reason);
    }
    // The row without an id is named by its file and row.
    String noId = reasons.keySet().stream().filter(k -> k.startsWith("<null id")).findFirst().orElse(null);
    assertNotNull(noId, "the row without an id was not rejected: " + reasons);
    assertTrue(noId.contains("bad-rows.csv"), noId);
    // A malformed line is never valued with shifted columns.
    assertEquals(0, spark.read().parquet(out.resolve("values").toString()).filter("sample_id = 'extra-field' or sample_id = 'short'").count());
  }

  @Test
  void featureArraysOfTheWrongLength() throws IOException {
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, true),
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, true), true),
        DataTypes.createStructField("label", DataTypes.IntegerType, true)));
    List<Row> t = new ArrayList<>();
    List<Row> s = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      t.add(RowFactory.create("t" + i, new Float[] {(float) i % 2, 0.5f, 1f}, i % 2));
      s.add(RowFactory.create("s" + i, new Float[] {(float) i % 2, 0.25f, 1f}, i % 2));
    }
    s.add(RowFactory.create("short", new Float[] {1f, 2f}, 0));
    s.add(RowFactory.create("long", new Float[] {1f, 2f, 3f, 4f}, 1));
    s.add(RowFactory.create("null-element", new Float[] {1f, null, 3f}, 1));
    s.add(RowFactory.create("no-features", null, 1));
    String tp = user.resolve("array-target").toString();
    String sp = user.resolve("array-source").toString();
    spark.createDataFrame(t, schema).coalesce(1).write().parquet(tp);
    spark.createDataFrame(s, schema).coalesce(1).write().parquet(sp);
    Map<String, String> before = tree(user);
    Path out = dir.resolve("out-arrays");
    List<String> args = new ArrayList<>(List.of("value", "--output", out.toString()));
    for (String o : List.of("input.source.path=" + q(sp), "input.target.path=" + q(tp), "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label", "input.source.features.column=features",
        "input.target.features.column=features", "model.hidden=[8]", "training.epochs=1", "training.batch-size=20")) {
      args.add("--set");
      args.add(o);
    }
    Result r = run(args);
    assertEquals(0, r.status(), r.all());
    assertEquals(before, tree(user));
    Map<?, ?> counts = (Map<?, ?>) Manifest.read(spark.sparkContext().hadoopConfiguration(), out.toString()).get("counts");
    assertEquals(44L, ((Number) counts.get("source_read")).longValue());
    assertEquals(40L, ((Number) counts.get("source_valued")).longValue());
    assertEquals(4L, ((Number) counts.get("source_rejected")).longValue());
    Map<String, String> reasons = new HashMap<>();
    for (Row row : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
      reasons.put(row.getString(0), row.getString(1));
    }
    assertTrue(reasons.get("short").contains("2") && reasons.get("short").contains("3"), "names the lengths: " + reasons.get("short"));
    assertTrue(reasons.get("long").contains("4"), reasons.get("long"));
    assertNotNull(reasons.get("null-element"), reasons.toString());
    assertNotNull(reasons.get("no-features"), reasons.toString());
  }

  // ---- files -----------------------------------------------------------------------------------------------

  @Test
  void badMatrixFiles() throws IOException {
    Path good = Path.of("src/test/resources/l1000/modzs_n25x50.gctx");
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = Files.write(user.resolve("truncated.gctx"), Arrays.copyOf(bytes, bytes.length / 2));
    Path flipped = user.resolve("flipped.gctx");
    byte[] f = bytes.clone();
    // Bytes in the middle of the file (inside HDF5 structures and data), each inverted.
    for (int i = f.length / 3; i < f.length / 3 + 64; i++) {
      f[i] = (byte) ~f[i];
    }
    Files.write(flipped, f);
    Path gct = Files.writeString(user.resolve("oversized.gct"),
        "#1.2\n2000000000\t3\nName\tDescription\ts1\ts2\ts3\ng1\tna\t1\t2\t3\n", StandardCharsets.UTF_8);
    int n = 0;
    refused("truncated GCTX", List.of("ingest", "--input", truncated.toString(), "--output", dir.resolve("ing-" + n++).toString()), "truncated.gctx");
    refused("GCTX with flipped bytes", List.of("ingest", "--input", flipped.toString(), "--output", dir.resolve("ing-" + n++).toString()), "flipped.gctx");
    refused("GCT header claiming more rows than the file holds", List.of("ingest", "--input", gct.toString(), "--output", dir.resolve("ing-" + n++).toString()),
        "oversized.gct", "line 2");
    refused("missing GCTX", List.of("ingest", "--input", user.resolve("absent.gctx").toString(), "--output", dir.resolve("ing-" + n++).toString()), "absent.gctx");
  }

  // ---- output locations ------------------------------------------------------------------------------------

  @Test
  void badOutputLocations() throws IOException {
    // A folder of the user's, with and without overwrite; a plain file; an earlier dvgs run without overwrite.
    Path mine = Files.createDirectories(user.resolve("my-results"));
    Files.writeString(mine.resolve("important.txt"), "keep me");
    Files.createDirectories(mine.resolve("sub"));
    Path file = Files.writeString(user.resolve("a-file"), "not a folder");
    refused("foreign output folder", valueArgs(source, target, mine), "my-results", "important.txt");
    refused("foreign output folder with overwrite", valueArgs(source, target, mine, "output.overwrite=true"), "my-results");
    refused("foreign output folder for the demo", List.of("demo", "--output", mine.toString()), "my-results");
    refused("a file as the output folder", valueArgs(source, target, file, "output.overwrite=true"), "a-file");
    refused("the inputs' own folder as output", valueArgs(source, target, user, "output.overwrite=true"), user.toString());

    Path earlier = dir.resolve("earlier-run");
    assertEquals(0, run(valueArgs(source, target, earlier)).status());
    Map<String, String> earlierBefore = tree(earlier);
    Result again = run(valueArgs(source, target, earlier));
    assertEquals(2, again.status(), again.all());
    assertTrue(again.err().contains(earlier.toString()), again.err());
    // The refused run took and released the output's lock (the folder's own time moves); every file is as it was.
    Map<String, String> earlierAfter = tree(earlier);
    earlierBefore.remove("");
    earlierAfter.remove("");
    assertEquals(earlierBefore, earlierAfter, "a refused run changed the earlier run's output");

    // report over a file of the user's.
    Path page = Files.writeString(user.resolve("notes.html"), "<html><body>my notes</body></html>");
    refused("report over a page of the user's", List.of("report", "--input", earlier.toString(), "--output", page.toString()), "notes.html");
  }
}
