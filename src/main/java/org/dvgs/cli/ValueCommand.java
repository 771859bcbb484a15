package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.config.DvgsConfig;
import org.dvgs.output.ValueManifest;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;

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
    // The engine loads beside the Spark session; the valuation waits for whatever is left of it.
    org.dvgs.pipeline.ProcessClock.preloadEngine(cfg.device());
    return WithSpark.run(cfg, spark -> {
      ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.builder(cfg).command("value").build());
      printRun(out, o.manifest());
    });
  }

  /** The summary of a valuation run: rows read, valued and rejected, throughput, wall time and the value table. */
  static void printRun(PrintStream out, ValueManifest m) {
    ValueManifest.Counts counts = m.counts();
    out.printf("run %s: %s rows read, %s valued, %s rejected %s%n", m.runId(), counts.sourceRead(),
        counts.sourceValued(), counts.sourceRejected(), counts.rejectedByReason());
    out.printf("%s sample-checkpoints at %.0f per s; wall time %.1f s%n", m.scoring().sampleCheckpoints(),
        m.scoring().sampleCheckpointsPerS(), m.timings().totalS());
    out.println(PhaseLines.ofRun(m.timings()));
    out.println("value table: " + m.output().values());
  }
}
