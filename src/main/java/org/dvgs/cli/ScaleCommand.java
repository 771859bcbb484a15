package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.output.ScaleManifest;
import org.dvgs.config.DvgsConfig;
import org.dvgs.l1000.ScaleRun;

/** {@code scale}: valuations of a synthetic L1000-shaped source at several sizes; prints one line per size. */
final class ScaleCommand implements Command {
  @Override
  public String name() {
    return "scale";
  }

  @Override
  public String usage() {
    return "  scale     value a synthetic L1000-shaped source at several sizes; throughput, memory, cost per sample\n";
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    // The engine loads beside the Spark session; the valuation waits for whatever is left of it.
    org.dvgs.pipeline.ProcessClock.preloadEngine(cfg.device());
    return WithSpark.run(cfg, spark -> {
      ScaleManifest m = ScaleRun.run(spark, cfg);
      for (ScaleManifest.Run r : m.runs()) {
        out.printf("%d rows: %d valued, %.0f sample-checkpoints/s, %.2f us per sample-checkpoint, Spearman(noise rate, -value) %s%n",
            r.rows(), r.sourceValued(), r.sampleCheckpointsPerS(), r.scoringUsPerSampleCheckpoint(), r.quality().spearmanNoiseRateNegValue());
      }
      out.println("manifest: " + cfg.output().path() + "/manifest.json");
    });
  }
}
