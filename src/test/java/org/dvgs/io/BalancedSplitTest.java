package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.InputConfig;
import org.dvgs.core.InputException;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** The paper's preparation: held-out test rows, a target balanced over groups, the source = the rest. */
class BalancedSplitTest {
  /** 1,000 rows of one big compound and 10 rows of each of 20 small ones. */
  private static Dataset<Row> table(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(RowFactory.create("big-" + i, "BIG"));
    }
    for (int g = 0; g < 20; g++) {
      for (int i = 0; i < 10; i++) {
        rows.add(RowFactory.create("c" + g + "-" + i, "C" + g));
      }
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("sample_id", DataTypes.StringType, false),
        DataTypes.createStructField("pert_id", DataTypes.StringType, true))));
  }

  private static Map<String, Long> counts(Dataset<Row> split) {
    Map<String, Long> m = new TreeMap<>();
    for (Row r : split.groupBy(BalancedSplit.COLUMN).count().collectAsList()) {
      m.put(r.getString(0), r.getLong(1));
    }
    return m;
  }

  @Test
  void targetIsBalancedOverGroupsTestIsHeldOutAndSplitIsDeterministic() {
    SparkSession spark = SharedSpark.get();
    InputConfig.BalancedSplit cfg = new InputConfig.BalancedSplit("pert_id", 60, 0.1);
    Dataset<Row> split = BalancedSplit.assign(table(spark), "sample_id", cfg, 7, "t").cache();
    Map<String, Long> c = counts(split);
    assertEquals(60L, c.get(BalancedSplit.TARGET));
    assertEquals(1200L, c.values().stream().mapToLong(Long::longValue).sum());
    assertTrue(c.get(BalancedSplit.TEST) > 80 && c.get(BalancedSplit.TEST) < 160, "about 10% held out: " + c);
    // Unweighted, the big compound would hold 1000/1200 = 83% of the target; balanced, about 1/21 of it.
    long bigInTarget = split.filter("pert_id = 'BIG' and " + BalancedSplit.COLUMN + " = 'target'").count();
    assertTrue(bigInTarget < 12, "big compound rows in the target: " + bigInTarget);
    long groupsInTarget = split.filter(BalancedSplit.COLUMN + " = 'target'").select("pert_id").distinct().count();
    assertTrue(groupsInTarget >= 18, "compounds represented: " + groupsInTarget);

    List<Row> again = BalancedSplit.assign(table(spark), "sample_id", cfg, 7, "t").orderBy("sample_id").collectAsList();
    assertEquals(split.orderBy("sample_id").collectAsList(), again);
    List<Row> other = BalancedSplit.assign(table(spark), "sample_id", cfg, 8, "t").orderBy("sample_id").collectAsList();
    assertNotEquals(again, other);
  }

  @Test
  void errorsNameTheKey() {
    SparkSession spark = SharedSpark.get();
    InputException e = assertThrows(InputException.class,
        () -> BalancedSplit.assign(table(spark), "sample_id", new InputConfig.BalancedSplit("compound", 10, 0.1), 0, "source table x"));
    assertTrue(e.getMessage().contains("group column 'compound'") && e.getMessage().contains("split.group-column"), e.getMessage());
    e = assertThrows(InputException.class,
        () -> BalancedSplit.assign(table(spark), "sample_id", new InputConfig.BalancedSplit("pert_id", 5000, 0.1), 0, "source table x"));
    assertTrue(e.getMessage().contains("target-size = 5000"), e.getMessage());

    ConfigValidationException c = assertThrows(ConfigValidationException.class,
        () -> TestConfigs.of("input.split.mode=group-balanced", "input.source.id-column=sample_id"));
    assertTrue(c.getMessage().contains("dvgs.input.split.group-column"), c.getMessage());
    c = assertThrows(ConfigValidationException.class,
        () -> TestConfigs.of("input.split.mode=group-balanced", "input.split.group-column=pert_id"));
    assertTrue(c.getMessage().contains("dvgs.input.source.id-column"), c.getMessage());
    c = assertThrows(ConfigValidationException.class, () -> TestConfigs.of("input.split.test-fraction=1.0"));
    assertTrue(c.getMessage().contains("dvgs.input.split.test-fraction"), c.getMessage());
    c = assertThrows(ConfigValidationException.class, () -> TestConfigs.of("input.split.target-size=0"));
    assertTrue(c.getMessage().contains("dvgs.input.split.target-size"), c.getMessage());
  }

  @Test
  void invalidHeldOutRowsAreCountedByReason() {
    SparkSession spark = SharedSpark.get();
    InputConfig.BalancedSplit cfg = new InputConfig.BalancedSplit("pert_id", 60, 0.2);
    long seed = 3;
    // Which rows the split holds out and which it keeps as source, from the split itself.
    List<String> test = new ArrayList<>();
    List<String> source = new ArrayList<>();
    for (Row r : BalancedSplit.assign(table(spark), "sample_id", cfg, seed, "t").collectAsList()) {
      (r.getString(2).equals(BalancedSplit.TEST) ? test : r.getString(2).equals(BalancedSplit.SOURCE) ? source : new ArrayList<String>()).add(r.getString(0));
    }
    java.util.Set<String> nanRows = new java.util.HashSet<>(test.subList(0, 4));
    java.util.Set<String> shortRows = new java.util.HashSet<>(test.subList(4, 5));
    nanRows.addAll(source.subList(0, 2));
    List<Row> rows = new ArrayList<>();
    for (Row r : table(spark).collectAsList()) {
      String id = r.getString(0);
      Float[] x = nanRows.contains(id) ? new Float[] {1f, Float.NaN} : shortRows.contains(id) ? new Float[] {1f} : new Float[] {1f, (float) id.length()};
      rows.add(RowFactory.create(id, r.getString(1), x));
    }
    String path = SharedSpark.tempDir("balanced-bad").resolve("t").toString();
    spark.createDataFrame(rows, DataTypes.createStructType(List.of(
            DataTypes.createStructField("sample_id", DataTypes.StringType, false),
            DataTypes.createStructField("pert_id", DataTypes.StringType, true),
            DataTypes.createStructField("x", DataTypes.createArrayType(DataTypes.FloatType, true), true))))
        .repartition(3).write().parquet(path);
    org.dvgs.config.DvgsConfig c = TestConfigs.of("seed=" + seed, "model.task=autoencoder", "input.source.path=\"" + path + "\"",
        "input.source.id-column=sample_id", "input.source.features.column=x", "input.split.mode=group-balanced",
        "input.split.group-column=pert_id", "input.split.target-size=60", "input.split.test-fraction=0.2", "training.batch-size=8");
    InputLoader.RawInputs raw = org.dvgs.testing.InputChecks.read(c);
    org.dvgs.output.InputCounts n = raw.counts();
    assertEquals((long) test.size(), (long) n.testHeldOut());
    assertEquals((long) test.size(), (long) n.testRead());
    assertEquals(test.size() - 5L, (long) n.testValid());
    assertEquals(5L, (long) n.testRejected());
    assertEquals(Map.of("non-finite or missing feature", 4L, "feature length", 1L), n.testRejectedByReason());
    assertEquals(2L, n.sourceRejected());
    assertEquals(1200L, n.sourceRead() + n.targetUsed() + n.testRead());
    raw.release();
  }
}
