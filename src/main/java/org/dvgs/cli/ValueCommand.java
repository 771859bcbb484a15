package org.dvgs.cli;

import java.io.PrintStream;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
import org.dvgs.pipeline.ValuationJob;

/** {@code value}: one valuation run of a config; prints the run's counts, throughput and value table. */
final class ValueCommand implements Command {
  @Override
  public String name() {
    return "value";
  }

  @Override
  public String usage() {
    return "  value     value every source row of a valuation config; writes DIR/values, DIR/rejects, DIR/manifest.json\n";
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    return WithSpark.run(cfg, spark -> {
      ValuationJob.Outcome o = ValuationJob.run(spark, cfg, null, false, null, Map.of("command", "value"));
      printRun(out, o.manifest());
    });
  }

  /** The summary of a valuation run: rows read, valued and rejected, throughput, wall time and the value table. */
  static void printRun(PrintStream out, Map<String, Object> m) {
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    Map<?, ?> scoring = (Map<?, ?>) m.get("scoring");
    Map<?, ?> timings = (Map<?, ?>) m.get("timings");
    Map<?, ?> output = (Map<?, ?>) m.get("output");
    out.printf("run %s: %s rows read, %s valued, %s rejected %s%n", m.get("run_id"), counts.get("source_read"),
        counts.get("source_valued"), counts.get("source_rejected"), counts.get("rejected_by_reason"));
    out.printf("%s sample-checkpoints at %.0f per s; wall time %.1f s%n", scoring.get("sample_checkpoints"),
        (Double) scoring.get("sample_checkpoints_per_s"), (Double) timings.get("total_s"));
    out.println("value table: " + output.get("values"));
  }
}
