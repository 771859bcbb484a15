package org.dvgs.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** output.table: each run adds its partition to one catalog table; a run id registered again moves. */
class CatalogTableTest {
  @Test
  void runsAddTheirPartitionsToOneTable() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("catalog");
    String[] table = {"output.table=dvgs_catalog_test"};
    run(spark, dir.resolve("one").toString(), "run-id=dvgs_one", table[0]);
    run(spark, dir.resolve("two").toString(), "run-id=dvgs_two", "seed=3", table[0]);

    assertEquals(Map.of("dvgs_one", 600L, "dvgs_two", 600L), counts(spark));
    assertEquals(List.of("sample_id", "value", "value_std", "n_checkpoints", "run_id"), List.of(spark.table("dvgs_catalog_test").columns()));
    assertEquals("string", spark.table("dvgs_catalog_test").schema().apply("run_id").dataType().simpleString());
    // The table's rows are the runs' own: the same values as reading each output directly.
    Map<String, double[]> direct = SmallValuation.table(spark.read().parquet(dir.resolve("two").resolve("values").toString()));
    Map<String, double[]> viaTable = SmallValuation.table(spark.table("dvgs_catalog_test").where("run_id = 'dvgs_two'"));
    assertEquals(0.0, SmallValuation.maxDifference(direct, viaTable));

    // Run id dvgs_one again, to another output: its partition now points there, nothing is counted twice.
    ValuationJob.Outcome again = run(spark, dir.resolve("one-again").toString(), "run-id=dvgs_one", table[0]);
    assertEquals(Map.of("dvgs_one", 600L, "dvgs_two", 600L), counts(spark));
    String location = spark.sql("DESCRIBE TABLE EXTENDED dvgs_catalog_test PARTITION (run_id = 'dvgs_one')")
        .where("col_name = 'Location'").first().getString(1);
    assertTrue(location.contains("one-again"), location);
    assertEquals("dvgs_catalog_test", again.manifest().output().table());

    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> TestConfigs.of("output.table=a.b.c"));
    assertTrue(e.getMessage().contains("dvgs.output.table"), e.getMessage());
  }

  static ValuationJob.Outcome run(SparkSession spark, String out, String... more) {
    return ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(SmallValuation.overrides(spark, 600, out, more).toArray(new String[0]))));
  }

  static Map<String, Long> counts(SparkSession spark) {
    Map<String, Long> m = new TreeMap<>();
    for (Row r : spark.sql("SELECT run_id, count(*) FROM dvgs_catalog_test GROUP BY run_id").collectAsList()) {
      m.put(r.getString(0), r.getLong(1));
    }
    return m;
  }
}
