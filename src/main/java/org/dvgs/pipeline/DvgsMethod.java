package org.dvgs.pipeline;

import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.baselines.ExperimentSeed;
import org.dvgs.baselines.MethodContext;
import org.dvgs.baselines.MethodResult;
import org.dvgs.baselines.MethodRun;
import org.dvgs.baselines.SampleValue;
import org.dvgs.baselines.ValuationMethod;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.EvaluationConfig.Method;
import org.dvgs.config.Keys;
import org.dvgs.io.InputLoader;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.ValueManifest;

/**
 * DVGS as one of an experiment's valuation methods: a whole valuation run ({@link ValuationJob}) on the raw inputs
 * with the seed's corruption applied, written as a normal valuation output (values, rejects, checkpoints and its own
 * manifest) under the configured output path. Built once per seed, with that seed's configuration.
 *
 * <p>Its runtime is the run's training, scoring and aggregation stages: like a baseline's, it starts from prepared
 * inputs and ends with the written value table (its {@code load_s} stage is left out, as the baselines' shared
 * preparation is).
 */
public final class DvgsMethod implements ValuationMethod {
  private final DvgsConfig cfg;
  private final InputLoader.RawInputs raw;
  private final InputLoader.SourceTransform transform;
  private final ValuationRequest.TableMetrics metrics;
  private final ValueManifest.Invocation invocation;

  /**
   * @param cfg the run's configuration: seed and {@code output.path} of this seed's run
   * @param raw the inputs, read and validated once for every seed
   * @param transform the seed's sampling and corruption of the valid source rows
   * @param metrics measures the written value table for the run's manifest (its {@code metrics}), or null
   * @param invocation what the seed's manifest records of the command and its experiment
   */
  public DvgsMethod(
      DvgsConfig cfg,
      InputLoader.RawInputs raw,
      InputLoader.SourceTransform transform,
      ValuationRequest.TableMetrics metrics,
      ValueManifest.Invocation invocation) {
    this.cfg = cfg;
    this.raw = raw;
    this.transform = transform;
    this.metrics = metrics;
    this.invocation = invocation;
  }

  @Override
  public String name() {
    return Keys.kebab(Method.DVGS);
  }

  /**
   * Runs the valuation and returns its values. The run prepares its inputs itself from the raw inputs and the
   * transform it was built with (as every valuation run does), so only the seed of {@code ctx} matters: it must be the
   * configured one.
   */
  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    if (ctx.seed() != cfg.seed()) {
      throw new IllegalArgumentException("DVGS was configured for seed " + cfg.seed() + ", not " + ctx.seed());
    }
    JavaRDD<SampleValue> values = job(spark).values().javaRDD().map(new ToSampleValue());
    return new MethodResult(values, Map.of());
  }

  /** Runs the valuation: its value table, run id, stage timings and prepared inputs; no details (its manifest has them). */
  @Override
  public MethodRun run(SparkSession spark, ExperimentSeed seed) {
    ValuationJob.Outcome o = job(spark);
    ValueManifest.Timings t = o.manifest().timings();
    double runtime = t.trainS() + t.scoreS() + t.aggregateS();
    Map<String, Double> timings = new java.util.LinkedHashMap<>();
    // The seed's timings are seconds by phase: per-block lists stay in the run's own manifest.
    ManifestCodec.toMap(t).forEach((k, v) -> {
      if (v instanceof Number n) {
        timings.put(k, n.doubleValue());
      }
    });
    timings.put("manifest_s", o.timings().get("manifest_s"));
    return new MethodRun(o.values(), o.runId(), runtime, o.manifest().output().valuesRows(), null, timings, o.inputs());
  }

  /** The one call of the valuation job: inputs read once by the caller, ground truth on, claiming the output. */
  private ValuationJob.Outcome job(SparkSession spark) {
    return ValuationJob.run(spark, ValuationRequest.builder(cfg).raw(raw).transform(transform).groundTruth(true).metrics(metrics).invocation(invocation).build());
  }

  /** Executor: a value-table row (with ground truth) as a method's sample value. */
  private static final class ToSampleValue implements org.apache.spark.api.java.function.Function<Row, SampleValue> {
    private static final long serialVersionUID = 1L;

    @Override
    public SampleValue call(Row r) {
      double std = r.isNullAt(r.fieldIndex("value_std")) ? Double.NaN : r.getDouble(r.fieldIndex("value_std"));
      return new SampleValue(r.getString(r.fieldIndex("sample_id")), r.getDouble(r.fieldIndex("value")), std,
          r.getInt(r.fieldIndex("n_checkpoints")), r.getBoolean(r.fieldIndex("corrupted")));
    }
  }
}
