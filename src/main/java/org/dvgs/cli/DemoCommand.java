package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.config.DvgsConfig;
import org.dvgs.output.ValueManifest;
import org.dvgs.pipeline.DemoRun;
import org.dvgs.pipeline.ValuationJob;

/** {@code demo}: a generated data set with known label flips, valued; prints the run and its AUROC. */
final class DemoCommand implements Command {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String usage() {
    return "  demo      generate a labelled data set, flip a known fraction of labels, value it and print the AUROC\n";
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config(DemoDefaults::load, null);
    // The engine loads beside the Spark session; the valuation waits for whatever is left of it.
    org.dvgs.pipeline.ProcessClock.preloadEngine(cfg.device());
    return WithSpark.run(cfg, spark -> {
      ValuationJob.Outcome o = DemoRun.run(spark, cfg);
      ValueManifest m = o.manifest();
      ValueCommand.printRun(out, m);
      Object auroc = m.metrics().get("auroc");
      out.printf("AUROC(corrupted, -value) = %.4f  (%s%% of source labels flipped)%n", (Double) auroc,
          Math.round(cfg.demo().labelFlipFraction() * 100));
    });
  }
}
