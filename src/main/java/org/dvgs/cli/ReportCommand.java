package org.dvgs.cli;

import java.io.PrintStream;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.report.EvaluationReport;

/** {@code report}: one HTML page from an evaluate or unique output folder; prints the page and its plots. */
final class ReportCommand implements Command {
  @Override
  public String name() {
    return "report";
  }

  @Override
  public String usage() {
    return """
          report    one self-contained HTML page (plots, metrics, run times, config) from an evaluate or a unique
                    output folder: report --input RESULTS_DIR --output FILE.html
        """;
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    if (args.input() == null || args.output() == null) {
      throw new ConfigValidationException("report needs --input RESULTS_DIR (an evaluate or unique output) and --output FILE.html");
    }
    // --input and --output name the folder read and the page written here, not configuration keys.
    DvgsConfig cfg = DvgsConfig.load(args.configFile(), args.overrides());
    return WithSpark.run(cfg, spark -> {
      EvaluationReport.Written w = EvaluationReport.write(spark, args.input(), args.output(), cfg.output().overwrite());
      out.printf("report: %s (%d plots%s)%n", w.path(), w.plots(), w.absent().isEmpty() ? "" : "; absent: " + String.join(", ", w.absent()));
    });
  }
}
