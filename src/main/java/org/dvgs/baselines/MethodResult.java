package org.dvgs.baselines;

import java.util.Map;
import org.apache.spark.api.java.JavaRDD;

/**
 * What a valuation method returns.
 *
 * @param values one value per valid source row
 * @param details method-specific facts for the manifest (e.g. permutations run, whether the estimate converged,
 *     whether the time budget stopped it); plain JSON-able values only
 */
public record MethodResult(JavaRDD<SampleValue> values, Map<String, Object> details) {}
