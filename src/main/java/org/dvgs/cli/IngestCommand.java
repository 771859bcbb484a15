package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.config.DvgsConfig;
import org.dvgs.l1000.IngestRun;
import org.dvgs.output.IngestManifest;

/** {@code ingest}: an L1000 GCTX/GCT file (its {@code --input}) to a Parquet source table; prints what was ingested. */
final class IngestCommand implements Command {
  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public String usage() {
    return "  ingest    an L1000 GCTX/GCT file to a Parquet source table: --input FILE [--genes FILE.grp] [--level4 FILE.gctx]\n";
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config(DvgsConfig::load, "ingest.input");
    // What ingest needs is checked before Spark starts.
    cfg.ingest().requireInput();
    cfg.ingest().resolvedFormat();
    cfg.output().requirePath();
    return WithSpark.run(cfg, spark -> {
      IngestManifest m = IngestRun.run(spark, cfg);
      out.printf("ingested %s samples x %s genes (%s) into %s%n", m.rows(), m.genes(), m.geneSelection(), m.output().signatures());
      if (m.apc() != null) {
        out.println("APC: " + m.apc().signaturesWithApc() + " signatures with an APC, " + m.apc().signaturesWithoutApc() + " without, "
            + m.apc().replicatesFound() + " replicates found");
      }
    });
  }
}
