package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.config.DvgsConfig;
import org.dvgs.output.UniqueManifest;
import org.dvgs.uniqueness.UniqueJob;

/** {@code unique}: data uniqueness; prints rows sampled and kept, threshold, projection size, clusters and the table. */
final class UniqueCommand implements Command {
  @Override
  public String name() {
    return "unique";
  }

  @Override
  public String usage() {
    return """
          unique    data uniqueness (DUGS): keep the rows whose projected gradients are unlike every kept row,
                    cluster the projections; writes DIR/unique, DIR/manifest.json
        """;
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    return WithSpark.run(cfg, spark -> {
      UniqueManifest m = UniqueJob.run(spark, cfg).manifest();
      UniqueManifest.Summary summary = m.summary();
      out.printf("unique: %s rows sampled, %s kept (threshold %s, k = %s), %s clusters%n", m.counts().sampled(), m.counts().kept(),
          m.selection().threshold(), m.projection().k(), m.clustering().clusters());
      if (summary.labelsPresent() != null) {
        out.printf("classes with a kept row: %s of %s%n", summary.labelsWithKeptRows(), summary.labelsPresent());
      }
      out.println("table: " + m.output().unique());
    });
  }
}
