package org.dvgs.baselines;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A data valuation method that {@code evaluate} runs, on the same corrupted inputs of every seed: DVGS itself and
 * the baselines of {@link Methods}. Implementations hold no state between seeds; all settings come from the
 * {@link MethodContext} (and, for DVGS, the configuration it is built with).
 */
public interface ValuationMethod {
  /** The method's name as written in {@code dvgs.evaluation.methods} (kebab case). */
  String name();

  /**
   * Values every valid source row of {@code ctx.inputs()}.
   *
   * @return the values, one per valid source row, and details for the manifest
   */
  MethodResult value(SparkSession spark, MethodContext ctx);

  /**
   * Runs the method for one seed of an experiment and writes its value table. By default: {@link #value} on the
   * seed's shared inputs, written by {@link MethodValues#write} to {@link ExperimentSeed#valuesPath}, timed from the
   * prepared inputs to the written table, and checked to hold every source row once. A method that writes a whole
   * run of its own (DVGS) overrides this.
   */
  default MethodRun run(SparkSession spark, ExperimentSeed seed) {
    MethodContext ctx = seed.context();
    String runId = seed.runId(name());
    String path = seed.valuesPath(name());
    long t = System.nanoTime();
    MethodResult r = value(spark, ctx);
    MethodValues.write(spark, r.values(), runId, path);
    double seconds = (System.nanoTime() - t) / 1e9;
    Dataset<Row> values = spark.read().parquet(path);
    long valued = values.count();
    if (valued != seed.sourceRows()) {
      throw new IllegalStateException("method " + name() + " valued " + valued + " rows of " + seed.sourceRows() + " (seed " + seed.seed() + ")");
    }
    return new MethodRun(values, runId, seconds, valued, r.details(), Map.of(), null);
  }
}
