package org.dvgs.baselines;

import org.apache.spark.sql.SparkSession;

/**
 * A data valuation method that {@code evaluate} can run beside DVGS. Implementations are stateless; all settings
 * come from the {@link MethodContext}.
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
}
