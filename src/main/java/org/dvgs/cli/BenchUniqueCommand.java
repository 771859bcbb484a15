package org.dvgs.cli;

import java.io.PrintStream;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
import org.dvgs.uniqueness.UniqueBench;

/** {@code bench-unique}: the cost per row of the uniqueness stages; prints it and its ratios to ghost scoring. */
final class BenchUniqueCommand implements Command {
  @Override
  public String name() {
    return "bench-unique";
  }

  @Override
  public String usage() {
    return "  bench-unique  cost per row of the uniqueness projection and selection vs one ghost scoring pass\n";
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    return WithSpark.run(cfg, spark -> {
      Map<String, Object> m = UniqueBench.run(spark, cfg);
      out.println("per row (microseconds): " + m.get("per_row_us"));
      out.println("ratios: " + m.get("ratios"));
      out.println("manifest: " + cfg.output().path() + "/manifest.json");
    });
  }
}
