package org.dvgs.cli;

import java.io.PrintStream;
import java.util.Map;
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
    Map<String, Object> m = BenchRun.run(cfg);
    out.println("throughput (samples/s): " + m.get("throughput"));
    out.println("ratios: " + m.get("ratios"));
    out.println("manifest: " + cfg.output().path() + "/manifest.json");
    return 0;
  }
}
