package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.output.BenchUniqueManifest;
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
      BenchUniqueManifest m = UniqueBench.run(spark, cfg);
      out.println("per row (microseconds): ghost " + m.perRowUs().ghost() + ", projection " + m.perRowUs().project()
          + ", projection + selection " + m.perRowUs().projectAndSelect());
      out.println("ratios: projection/ghost " + m.ratios().projectOverGhost() + ", projection + selection/ghost "
          + m.ratios().projectAndSelectOverGhost());
      out.println("manifest: " + cfg.output().path() + "/manifest.json");
    });
  }
}
