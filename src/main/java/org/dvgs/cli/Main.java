package org.dvgs.cli;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.io.InputException;
import org.dvgs.pipeline.BenchRun;
import org.dvgs.pipeline.DemoRun;
import org.dvgs.pipeline.EvaluateRun;
import org.dvgs.pipeline.Sessions;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.report.EvaluationReport;

/**
 * Command-line entry point: {@code value | demo | evaluate | report | bench}, each with {@code --config FILE},
 * {@code --output DIR} and key overrides ({@code --set key=value} or bare {@code key=value}; the {@code dvgs.}
 * prefix is optional). Exit status 0 on success, 2 for a bad config or bad input, 1 for any other failure.
 */
public final class Main {
  static final String USAGE =
      """
      usage: dvgs <command> [--config FILE] [--output DIR] [--set key=value]... [key=value]...

      commands:
        value     value every source row of a valuation config; writes DIR/values, DIR/rejects, DIR/manifest.json
        demo      generate a labelled data set, flip a known fraction of labels, value it and print the AUROC
        evaluate  run an experiment config: per seed, corrupt the source (label flips, feature noise), value it, and
                  measure AUROC, Spearman, discovery curve, 2-means F1 and filter-and-retrain curves
        report    one self-contained HTML page (plots, metrics, run times, config) from an evaluate results folder:
                  report --input RESULTS_DIR --output FILE.html
        bench     throughput of ghost scoring vs naive scoring vs a plain training step for a configured model

      Defaults and every key: reference.conf in the jar (src/main/resources/reference.conf).
      """;

  private Main() {}

  private static String fmt(Object v) {
    return v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.4f", d) : String.valueOf(v);
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command and returns the exit status (no {@code System.exit}, for tests). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    File config = null;
    String output = null;
    String input = null;
    List<String> overrides = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--config", "-c" -> config = new File(value(args, ++i, a));
          case "--output", "-o" -> output = value(args, ++i, a);
          case "--input", "-i" -> input = value(args, ++i, a);
          case "--set" -> overrides.add(value(args, ++i, a));
          case "--help", "-h" -> {
            out.print(USAGE);
            return 0;
          }
          default -> {
            if (a.startsWith("--") || !a.contains("=")) {
              throw new ConfigValidationException("unknown argument '" + a + "'\n" + USAGE);
            }
            overrides.add(a);
          }
        }
      }
      if (command.equals("report")) {
        if (input == null || output == null) {
          throw new ConfigValidationException("report needs --input RESULTS_DIR (an evaluate output) and --output FILE.html");
        }
        String in = input;
        String html = output;
        DvgsConfig cfg = DvgsConfig.load(config, overrides);
        return withSpark(cfg, spark -> {
          EvaluationReport.Written w = EvaluationReport.write(spark, in, html);
          out.printf("report: %s (%d plots%s)%n", w.path(), w.plots(), w.absent().isEmpty() ? "" : "; absent: " + String.join(", ", w.absent()));
        });
      }
      if (input != null) {
        throw new ConfigValidationException("--input is only for the report command");
      }
      if (command.equals("demo")) {
        overrides.add(0, "output.overwrite=true");
      }
      if (output != null) {
        overrides.add("output.path=" + quote(output));
      }
      DvgsConfig cfg = command.equals("demo") ? DemoDefaults.load(config, overrides) : DvgsConfig.load(config, overrides);
      return switch (command) {
        case "value" -> withSpark(cfg, spark -> {
          ValuationJob.Outcome o = ValuationJob.run(spark, cfg, null, false, null, Map.of("command", "value"));
          printRun(out, o.manifest());
        });
        case "demo" -> withSpark(cfg, spark -> {
          ValuationJob.Outcome o = DemoRun.run(spark, cfg);
          printRun(out, o.manifest());
          Object auroc = ((Map<?, ?>) o.manifest().get("metrics")).get("auroc");
          out.printf("AUROC(corrupted, -value) = %.4f  (%s%% of source labels flipped)%n", (Double) auroc,
              Math.round(cfg.demo().labelFlipFraction() * 100));
        });
        case "evaluate" -> {
          // Experiment settings that cannot work with the model fail before Spark starts.
          cfg.evaluation().checkFor(cfg.model());
          yield withSpark(cfg, spark -> {
            Map<String, Object> m = EvaluateRun.run(spark, cfg);
            out.printf("%d seeds %s%n", cfg.evaluation().seeds().size(), cfg.evaluation().seeds());
            for (Map.Entry<?, ?> e : ((Map<?, ?>) m.get("metrics")).entrySet()) {
              Map<?, ?> s = (Map<?, ?>) e.getValue();
              out.printf("%-26s mean %s  std %s  per seed %s%n", e.getKey(), fmt(s.get("mean")), fmt(s.get("std")), s.get("per_seed"));
            }
            out.printf("wall time %.1f s; results in %s%n", (Double) ((Map<?, ?>) m.get("timings")).get("total_s"), cfg.output().path());
          });
        }
        case "bench" -> {
          Map<String, Object> m = BenchRun.run(cfg);
          out.println("throughput (samples/s): " + m.get("throughput"));
          out.println("ratios: " + m.get("ratios"));
          out.println("manifest: " + cfg.output().path() + "/manifest.json");
          yield 0;
        }
        default -> throw new ConfigValidationException("unknown command '" + command + "'\n" + USAGE);
      };
    } catch (ConfigValidationException | InputException | IllegalArgumentException e) {
      err.println("dvgs: " + e.getMessage());
      return 2;
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new ConfigValidationException(flag + " needs a value");
    }
    return args[i];
  }

  private interface SparkWork {
    void run(SparkSession spark);
  }

  private static int withSpark(DvgsConfig cfg, SparkWork work) {
    // A session that was already running (an application embedding Main, the test suite) is not ours to stop.
    boolean running = SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined();
    SparkSession spark = Sessions.create(cfg.spark());
    try {
      work.run(spark);
      return 0;
    } finally {
      if (!running) {
        spark.stop();
      }
    }
  }

  private static void printRun(PrintStream out, Map<String, Object> m) {
    Map<?, ?> counts = (Map<?, ?>) m.get("counts");
    Map<?, ?> scoring = (Map<?, ?>) m.get("scoring");
    Map<?, ?> timings = (Map<?, ?>) m.get("timings");
    Map<?, ?> output = (Map<?, ?>) m.get("output");
    out.printf("run %s: %s rows read, %s valued, %s rejected %s%n", m.get("run_id"), counts.get("source_read"),
        counts.get("source_valued"), counts.get("source_rejected"), counts.get("rejected_by_reason"));
    out.printf("%s sample-checkpoints at %.0f per s; wall time %.1f s%n", scoring.get("sample_checkpoints"),
        (Double) scoring.get("sample_checkpoints_per_s"), (Double) timings.get("total_s"));
    out.println("value table: " + output.get("values"));
  }
}
