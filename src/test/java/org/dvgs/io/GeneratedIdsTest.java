package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated ids are the 0-based row number in (file path, position in file) order whatever the split layout:
 * one Parquet file with many row groups read in many splits, CSV files split mid-file, and a directory of CSV files;
 * seeded fraction splits on generated ids are therefore stable too.
 */
class GeneratedIdsTest {
  static SparkSession spark;
  static Path dir;
  static final StructType SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("pos", DataTypes.DoubleType, false),
      DataTypes.createStructField("f", DataTypes.DoubleType, false),
      DataTypes.createStructField("y", DataTypes.IntegerType, false)));
  static final int ROWS = 1500;
  static String rowGroups;
  static String csvFile;
  static String csvDir;
  static String target;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("genids");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(RowFactory.create((double) i, Math.sin(i), i % 3));
    }
    // One file, row groups of a few hundred rows (the writer checks the size every 100 rows).
    rowGroups = dir.resolve("rowgroups").toString();
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite)
        .option("parquet.block.size", 2048).option("parquet.page.size", 512).option("parquet.enable.dictionary", false)
        .parquet(rowGroups);
    StringBuilder b = new StringBuilder("pos,f,y\n");
    for (int i = 0; i < ROWS; i++) {
      b.append(i).append(',').append(Math.sin(i)).append(',').append(i % 3).append('\n');
    }
    csvFile = dir.resolve("one.csv").toString();
    Files.writeString(Path.of(csvFile), b);
    // Files whose path order is not their creation order: b.csv holds rows 0..599, c.csv 600..1199.
    Path d = Files.createDirectories(dir.resolve("csvdir"));
    Files.writeString(d.resolve("c.csv"), csv(600, 1200));
    Files.writeString(d.resolve("b.csv"), csv(0, 600));
    csvDir = d.toString();
    target = dir.resolve("target.csv").toString();
    Files.writeString(Path.of(target), csv(0, 30));
  }

  static String csv(int from, int to) {
    StringBuilder b = new StringBuilder("pos,f,y\n");
    for (int i = from; i < to; i++) {
      b.append(i).append(',').append(Math.sin(i)).append(',').append(i % 3).append('\n');
    }
    return b.toString();
  }

  static DvgsConfig cfg(String source, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.label-column=y", "input.target.label-column=y", "input.source.format=" + (source.equals(csvDir) ? "csv" : "auto"),
        "training.batch-size=8"));
    o.addAll(List.of(more));
    return TestConfigs.of(o.toArray(new String[0]));
  }

  /** Reads a source with a given split size and returns id -> pos, plus the number of non-empty file splits. */
  static TreeMap<Long, Float> ids(DvgsConfig c, String maxPartitionBytes, int[] partitions) {
    String key = "spark.sql.files.maxPartitionBytes";
    String openCost = "spark.sql.files.openCostInBytes";
    String before = spark.conf().get(key);
    String beforeOpen = spark.conf().get(openCost);
    spark.conf().set(key, maxPartitionBytes);
    spark.conf().set(openCost, "0");
    try {
      InputLoader.RawInputs raw = InputLoader.read(spark, c.input(), c.model(), c.seed(), c.training().batchSize());
      // Count the file splits that hold rows, so that the fine setting really splits files (not only packs them).
      String path = c.input().source().path();
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> files = TableReader.formatOf(c.input().source()) == org.dvgs.config.TableFormat.CSV
          ? spark.read().option("header", "true").csv(path) : spark.read().parquet(path);
      partitions[0] = (int) files.select("_metadata.file_path", "_metadata.file_block_start").distinct().count();
      TreeMap<Long, Float> m = new TreeMap<>();
      for (CanonicalRow r : raw.source().collect()) {
        assertEquals(null, m.put(Long.parseLong(r.id()), r.features()[0]), "id " + r.id() + " twice");
      }
      assertEquals(0L, raw.counts().sourceRejected());
      raw.release();
      return m;
    } finally {
      spark.conf().set(key, before);
      spark.conf().set(openCost, beforeOpen);
    }
  }

  static void assertRowNumbers(String source, int rows) {
    int[] coarse = new int[1];
    int[] fine = new int[1];
    TreeMap<Long, Float> a = ids(cfg(source), "128m", coarse);
    TreeMap<Long, Float> b = ids(cfg(source), "8192", fine);
    assertTrue(fine[0] >= 3 && fine[0] > coarse[0], source + ": small splits should cut files (" + coarse[0] + " vs " + fine[0] + " splits)");
    assertEquals(a, b, source + ": ids change with the split size");
    assertEquals(rows, a.size());
    assertEquals(0L, a.firstKey());
    assertEquals(rows - 1L, a.lastKey());
    a.forEach((id, pos) -> assertEquals((float) id, pos, 0f, source + ": id " + id + " is not the row number"));
  }

  @Test
  void parquetFileWithManyRowGroups() {
    assertTrue(spark.read().parquet(rowGroups).inputFiles().length == 1, "one file");
    assertRowNumbers(rowGroups, ROWS);
  }

  @Test
  void csvFileSplitMidFile() {
    assertRowNumbers(csvFile, ROWS);
  }

  @Test
  void csvDirectoryInPathOrder() {
    assertRowNumbers(csvDir, 1200);
  }

  @Test
  void fractionSplitOnGeneratedIdsIsStableAcrossSplitSizesAndFollowsTheSeed() {
    String[] split = {"input.target.path=\"\"", "input.split.mode=fraction", "input.split.fraction=0.2"};
    Set<Long> coarse = targetIds(cfg(rowGroups, split), "128m");
    Set<Long> fine = targetIds(cfg(rowGroups, split), "8192");
    assertEquals(coarse, fine, "the target split must not depend on the partitioning");
    assertTrue(coarse.size() > 0.15 * ROWS && coarse.size() < 0.25 * ROWS, "target rows " + coarse.size());
    String[] seeded = {"input.target.path=\"\"", "input.split.mode=fraction", "input.split.fraction=0.2", "seed=7"};
    Set<Long> other = targetIds(cfg(rowGroups, seeded), "128m");
    assertNotEquals(coarse, other, "another seed picks another target");
    assertTrue(other.size() > 0.15 * ROWS && other.size() < 0.25 * ROWS, "target rows " + other.size());
  }

  static Set<Long> targetIds(DvgsConfig c, String maxPartitionBytes) {
    String key = "spark.sql.files.maxPartitionBytes";
    String before = spark.conf().get(key);
    spark.conf().set(key, maxPartitionBytes);
    try {
      InputLoader.RawInputs raw = InputLoader.read(spark, c.input(), c.model(), c.seed(), c.training().batchSize());
      Set<Long> t = new TreeSet<>();
      for (CanonicalRow r : raw.targetRows()) {
        t.add(Long.parseLong(r.id()));
        assertEquals((float) Long.parseLong(r.id()), r.features()[0], 0f, "target id is the row number");
      }
      Set<Long> s = new TreeSet<>();
      for (String id : raw.source().map(CanonicalRow::id).collect()) {
        s.add(Long.parseLong(id));
      }
      assertTrue(Collections.disjoint(t, s), "target and source overlap");
      assertEquals(ROWS, t.size() + s.size(), "every row is target or source");
      assertEquals((long) s.size(), raw.counts().sourceRead());
      raw.release();
      return t;
    } finally {
      spark.conf().set(key, before);
    }
  }
}
