package org.dvgs.pipeline;

import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.dvgs.config.DvgsConfig;
import org.dvgs.io.InputLoader;
import org.dvgs.output.ValueManifest;

/**
 * Everything one valuation run needs besides the Spark session: built once, never changed
 * ({@link ValuationJob#run(org.apache.spark.sql.SparkSession, ValuationRequest)}).
 *
 * @param config the validated configuration
 * @param raw inputs already read and validated (shared by several runs, e.g. experiment seeds), or null to read them
 * @param transform change of the valid source before scaling (experiments), or null
 * @param groundTruth whether the value table gets the {@code corrupted} column
 * @param metrics computes metrics from the written value table for the manifest, or null
 * @param invocation what the calling command adds to the manifest (its name, and its experiment, demo data or scale
 *     rows); {@link ValueManifest.Invocation#NONE} for library callers
 * @param claimOutput whether the run claims the output directory ({@link org.dvgs.output.OutputDirectory}) for as long
 *     as it runs; false when the caller has already claimed it (and may have put inputs there)
 */
public record ValuationRequest(
    DvgsConfig config,
    InputLoader.RawInputs raw,
    InputLoader.SourceTransform transform,
    boolean groundTruth,
    TableMetrics metrics,
    ValueManifest.Invocation invocation,
    boolean claimOutput) {

  /** Metrics of a written value table, for its manifest. */
  @FunctionalInterface
  public interface TableMetrics {
    /**
     * @param values the value table as written (read back)
     * @param rows the rows it holds (from its files' footers), so that a small table can be collected in one job
     */
    Map<String, Object> of(Dataset<Row> values, long rows);
  }

  /** Checks the configuration is there; no invocation is {@link ValueManifest.Invocation#NONE}. */
  public ValuationRequest {
    Objects.requireNonNull(config, "config");
    invocation = invocation == null ? ValueManifest.Invocation.NONE : invocation;
  }

  /** A plain {@code value} run of {@code config}: inputs read here, no experiment, the output claimed. */
  public static ValuationRequest of(DvgsConfig config) {
    return builder(config).build();
  }

  /** A builder starting from a plain run of {@code config}. */
  public static Builder builder(DvgsConfig config) {
    return new Builder(config);
  }

  /** Builds a {@link ValuationRequest}; every setter returns this builder. */
  public static final class Builder {
    private final DvgsConfig config;
    private InputLoader.RawInputs raw;
    private InputLoader.SourceTransform transform;
    private boolean groundTruth;
    private TableMetrics metrics;
    private ValueManifest.Invocation invocation = ValueManifest.Invocation.NONE;
    private boolean claimOutput = true;

    private Builder(DvgsConfig config) {
      this.config = config;
    }

    /** Inputs already read and validated (the caller releases them), instead of reading them in the run. */
    public Builder raw(InputLoader.RawInputs value) {
      this.raw = value;
      return this;
    }

    /** A change of the valid source rows (experiments). */
    public Builder transform(InputLoader.SourceTransform value) {
      this.transform = value;
      return this;
    }

    /** Whether the value table carries the {@code corrupted} ground-truth column. */
    public Builder groundTruth(boolean value) {
      this.groundTruth = value;
      return this;
    }

    /** Metrics computed from the written value table, written under {@code metrics} in the manifest. */
    public Builder metrics(TableMetrics value) {
      this.metrics = value;
      return this;
    }

    /** What the calling command adds to the manifest, written after {@code run_id} and {@code seed}. */
    public Builder invocation(ValueManifest.Invocation value) {
      this.invocation = value;
      return this;
    }

    /** A command that adds nothing but its name ({@code value}, {@code l1000}). */
    public Builder command(String name) {
      return invocation(ValueManifest.Invocation.of(name));
    }

    /** Whether the run claims the output directory itself (default true). */
    public Builder claimOutput(boolean value) {
      this.claimOutput = value;
      return this;
    }

    /** The request. */
    public ValuationRequest build() {
      return new ValuationRequest(config, raw, transform, groundTruth, metrics, invocation, claimOutput);
    }
  }
}
