package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.output.BenchManifest;
import org.dvgs.config.DvgsConfig;
import org.dvgs.pipeline.BenchRun;

/** {@code bench}: scoring throughput on the driver (no Spark session); prints throughputs and their ratios. */
final class BenchCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String usage() {
    return "  bench     throughput of ghost scoring vs naive scoring vs a plain training step for a configured model\n";
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    BenchManifest m = BenchRun.run(cfg);
    out.println("throughput (samples/s): ghost " + m.throughput().ghostSamplesPerS() + ", train step " + m.throughput().trainStepSamplesPerS()
        + ", forward " + m.throughput().forwardSamplesPerS() + ", naive " + m.throughput().naiveSamplesPerS());
    out.println("ratios: ghost/train step " + m.ratios().ghostOverTrainStep() + ", ghost/naive " + m.ratios().ghostOverNaive()
        + ", ghost/forward " + m.ratios().ghostOverForward());
    out.println("manifest: " + cfg.output().path() + "/manifest.json");
    return 0;
  }
}
