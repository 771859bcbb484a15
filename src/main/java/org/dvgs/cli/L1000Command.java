package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.config.DvgsConfig;
import org.dvgs.l1000.L1000Run;
import org.dvgs.output.L1000Manifest;
import org.dvgs.output.ManifestCodec;

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
      L1000Manifest.Metrics metrics = L1000Run.run(spark, cfg).metrics();
      out.println("value vs APC: " + ManifestCodec.toMap(metrics.valueVsApc()));
      for (L1000Manifest.CurvePoint c : metrics.retrainCurves()) {
        out.println("retrain " + ManifestCodec.toMap(c));
      }
      out.println("manifest: " + cfg.output().path() + "/manifest.json");
    });
  }
}
