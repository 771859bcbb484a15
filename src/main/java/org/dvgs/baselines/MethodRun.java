package org.dvgs.baselines;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.dvgs.io.LoadedInputs;

/**
 * One valuation method's run for one seed of an experiment: its value table as written, and what the experiment
 * reports about the run.
 *
 * @param values the value table as written, read back ({@link org.dvgs.aggregation.ValueTable#schema(boolean)} with
 *     ground truth)
 * @param runId the run id the table carries
 * @param seconds the method's runtime: from its prepared inputs to its written value table
 * @param rows how many rows the table holds
 * @param details method-specific facts for the manifest ({@link MethodResult#details()}); null for a method that
 *     writes a manifest of its own (DVGS)
 * @param timings stage timings (seconds by stage name) the run measured itself; empty when it measured none
 * @param inputs the prepared inputs the method valued, when it prepared them itself; null when it used the
 *     experiment's shared ones ({@link ExperimentSeed#context()})
 */
public record MethodRun(
    Dataset<Row> values, String runId, double seconds, long rows, Map<String, Object> details, Map<String, Double> timings, LoadedInputs inputs) {}
