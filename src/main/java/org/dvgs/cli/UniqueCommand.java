package org.dvgs.cli;

import java.io.PrintStream;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
import org.dvgs.pipeline.UniqueJob;

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
      Map<String, Object> m = UniqueJob.run(spark, cfg).manifest();
      Map<?, ?> counts = (Map<?, ?>) m.get("counts");
      Map<?, ?> summary = (Map<?, ?>) m.get("summary");
      out.printf("unique: %s rows sampled, %s kept (threshold %s, k = %s), %s clusters%n", counts.get("sampled"), counts.get("kept"),
          ((Map<?, ?>) m.get("selection")).get("threshold"), ((Map<?, ?>) m.get("projection")).get("k"),
          ((Map<?, ?>) m.get("clustering")).get("clusters"));
      if (summary.containsKey("labels_present")) {
        out.printf("classes with a kept row: %s of %s%n", summary.get("labels_with_kept_rows"), summary.get("labels_present"));
      }
      out.println("table: " + ((Map<?, ?>) m.get("output")).get("unique"));
    });
  }
}
