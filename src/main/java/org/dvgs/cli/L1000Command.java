package org.dvgs.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
import org.dvgs.l1000.L1000Run;

/** {@code l1000}: an ingested L1000 table valued and compared with APC; prints the correlations and retrain curves. */
final class L1000Command implements Command {
  @Override
  public String name() {
    return "l1000";
  }

  @Override
  public String usage() {
    return """
          l1000     value an ingested L1000 table (group-balanced split) and compare values with APC: correlations
                    and filter-and-retrain R^2 curves by value vs by APC
        """;
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    return WithSpark.run(cfg, spark -> {
      Map<String, Object> m = L1000Run.run(spark, cfg);
      Map<?, ?> metrics = (Map<?, ?>) m.get("metrics");
      out.println("value vs APC: " + metrics.get("value_vs_apc"));
      for (Object c : (List<?>) metrics.get("retrain_curves")) {
        out.println("retrain " + c);
      }
      out.println("manifest: " + cfg.output().path() + "/manifest.json");
    });
  }
}
