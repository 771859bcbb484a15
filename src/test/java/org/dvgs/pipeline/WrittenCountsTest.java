package org.dvgs.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.Manifest;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** The manifest's row counts of the value and rejects tables are those of the tables on disk. */
class WrittenCountsTest {
  @Test
  void manifestRowCountsAreTheWrittenTablesCounts() {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("written-counts");
    Dataset<Row> good = spark.read().parquet(SmallValuation.source(spark, 600));
    // Seven rows with a label outside the target's classes: rejected, each with its reason.
    Dataset<Row> bad = good.limit(7).withColumn("id", concat(lit("bad-"), col("id")))
        .withColumn("label", lit(9).cast(good.schema().apply("label").dataType()));
    String source = dir.resolve("source").toString();
    good.union(bad).repartition(4).write().mode(SaveMode.Overwrite).parquet(source);
    String out = dir.resolve("out").toString();
    List<String> o = SmallValuation.overrides(spark, 600, out, "input.source.path=" + source, "scoring.partitions=3");
    ValuationJob.Outcome run = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));

    Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), out);
    Map<?, ?> output = (Map<?, ?>) m.get("output");
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    long values = spark.read().parquet(Path.of(out, "values").toString()).count();
    long rejects = spark.read().parquet(Path.of(out, "rejects").toString()).count();
    assertEquals(600, values);
    assertEquals(7, rejects);
    assertEquals(values, ((Number) output.get("values_rows")).longValue());
    assertEquals(rejects, ((Number) output.get("rejects_rows")).longValue());
    assertEquals(((Number) counts.get("source_read")).longValue(), values + rejects, "read = valued + rejected");
    Map<?, ?> returned = (Map<?, ?>) ManifestCodec.toMap(run.manifest()).get("output");
    assertTrue(returned.get("values_rows") instanceof Long && returned.get("rejects_rows") instanceof Long, "counts are longs: " + returned);
  }
}
