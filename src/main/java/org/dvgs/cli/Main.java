package org.dvgs.cli;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.io.InputException;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.MetricSummary;
import org.dvgs.output.UniqueManifest;
import org.dvgs.output.ValueManifest;
import org.dvgs.pipeline.BenchRun;
import org.dvgs.pipeline.DemoRun;
import org.dvgs.pipeline.EvaluateRun;
import org.dvgs.pipeline.IngestRun;
import org.dvgs.pipeline.L1000Run;
import org.dvgs.pipeline.ScaleRun;
import org.dvgs.pipeline.Sessions;
import org.dvgs.pipeline.UniqueBench;
import org.dvgs.pipeline.UniqueJob;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.dvgs.report.EvaluationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line entry point: {@code value | demo | evaluate | report | bench | unique | bench-unique}, each with {@code --config FILE},
 * {@code --output DIR} and key overrides ({@code --set key=value} or bare {@code key=value}; the {@code dvgs.}
 * prefix is optional). Exit status 0 on success; 2 for a bad config or bad input, that is the project's own
 * {@link ConfigValidationException} or {@link InputException} wherever it sits (also inside the {@code SparkException}
 * of a failed job when an executor found the problem), with one line {@code dvgs: <message>}; 1 for anything else,
 * with the stack trace and a one-line summary on the error stream.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** A project error in the text of a Spark job failure: "): CLASS: message" or "Caused by: CLASS: message". */
  private static final Pattern TASK_FAILURE_TEXT = Pattern.compile(
      "(?:^|\\): |\\nCaused by: )(?:" + Pattern.quote(ConfigValidationException.class.getName()) + "|"
          + Pattern.quote(InputException.class.getName()) + "): ([^\\n]*)");

  static final String USAGE =
      """
      usage: dvgs <command> [--config FILE] [--output DIR] [--overwrite] [--set key=value]... [key=value]...

      commands:
        value     value every source row of a valuation config; writes DIR/values, DIR/rejects, DIR/manifest.json
        demo      generate a labelled data set, flip a known fraction of labels, value it and print the AUROC
        evaluate  run an experiment config: per seed, corrupt the source (label flips, feature noise), value it, and
                  measure AUROC, Spearman, discovery curve, 2-means F1 and filter-and-retrain curves
        report    one self-contained HTML page (plots, metrics, run times, config) from an evaluate or a unique
                  output folder: report --input RESULTS_DIR --output FILE.html
        bench     throughput of ghost scoring vs naive scoring vs a plain training step for a configured model
        unique    data uniqueness (DUGS): keep the rows whose projected gradients are unlike every kept row,
                  cluster the projections; writes DIR/unique, DIR/manifest.json
        bench-unique  cost per row of the uniqueness projection and selection vs one ghost scoring pass
        ingest    an L1000 GCTX/GCT file to a Parquet source table: --input FILE [--genes FILE.grp] [--level4 FILE.gctx]
        l1000     value an ingested L1000 table (group-balanced split) and compare values with APC: correlations
                  and filter-and-retrain R^2 curves by value vs by APC
        scale     value a synthetic L1000-shaped source at several sizes; throughput, memory, cost per sample

      --overwrite (= output.overwrite=true) replaces the results of an earlier dvgs run in DIR, keeping its
      checkpoints and every file dvgs did not write; for report, it replaces an existing FILE.html that is not a
      dvgs report. A directory or file dvgs did not write is never replaced.

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
          case "--overwrite" -> overrides.add("output.overwrite=true");
          case "--genes" -> overrides.add("ingest.genes.ids-file=" + quote(value(args, ++i, a)));
          case "--level4" -> overrides.add("ingest.level4=" + quote(value(args, ++i, a)));
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
          throw new ConfigValidationException("report needs --input RESULTS_DIR (an evaluate or unique output) and --output FILE.html");
        }
        String in = input;
        String html = output;
        DvgsConfig cfg = DvgsConfig.load(config, overrides);
        return withSpark(cfg, spark -> {
          EvaluationReport.Written w = EvaluationReport.write(spark, in, html, cfg.output().overwrite());
          out.printf("report: %s (%d plots%s)%n", w.path(), w.plots(), w.absent().isEmpty() ? "" : "; absent: " + String.join(", ", w.absent()));
        });
      }
      if (input != null && command.equals("ingest")) {
        overrides.add("ingest.input=" + quote(input));
      } else if (input != null) {
        throw new ConfigValidationException("--input is only for the report and ingest commands");
      }
      if (output != null) {
        overrides.add("output.path=" + quote(output));
      }
      DvgsConfig cfg = command.equals("demo") ? DemoDefaults.load(config, overrides) : DvgsConfig.load(config, overrides);
      checkPaths(cfg);
      return switch (command) {
        case "value" -> withSpark(cfg, spark -> {
          ValuationJob.Outcome o = ValuationJob.run(spark, ValuationRequest.builder(cfg).extra(Map.of("command", "value")).build());
          printRun(out, o.manifestRecord());
        });
        case "demo" -> withSpark(cfg, spark -> {
          ValuationJob.Outcome o = DemoRun.run(spark, cfg);
          ValueManifest m = o.manifestRecord();
          printRun(out, m);
          Object auroc = m.metrics().get("auroc");
          out.printf("AUROC(corrupted, -value) = %.4f  (%s%% of source labels flipped)%n", (Double) auroc,
              Math.round(cfg.demo().labelFlipFraction() * 100));
        });
        case "evaluate" -> {
          // Experiment settings that cannot work with the model fail before Spark starts.
          cfg.evaluation().checkFor(cfg.model());
          yield withSpark(cfg, spark -> {
            EvaluateManifest m = ManifestCodec.fromMap(EvaluateRun.run(spark, cfg), EvaluateManifest.class);
            out.printf("%d seeds %s%n", cfg.evaluation().seeds().size(), cfg.evaluation().seeds());
            for (Map.Entry<String, MetricSummary> e : m.metrics().entrySet()) {
              MetricSummary s = e.getValue();
              out.printf("%-26s mean %s  std %s  per seed %s%n", e.getKey(), fmt(s.mean()), fmt(s.std()), s.perSeed());
            }
            Map<String, EvaluateManifest.MethodSummary> methods = m.methods();
            if (methods.size() > 1) {
              // One line per method: its first metric and its runtime, beside DVGS's where DVGS ran.
              Map<String, Double> ratios = m.runtimeRatios() != null ? m.runtimeRatios() : Map.of();
              for (Map.Entry<String, EvaluateManifest.MethodSummary> e : methods.entrySet()) {
                EvaluateManifest.MethodSummary one = e.getValue();
                StringBuilder line = new StringBuilder(String.format("method %-12s", e.getKey()));
                for (Map.Entry<String, MetricSummary> x : one.metrics().entrySet()) {
                  line.append(String.format("  %s %s", x.getKey(), fmt(x.getValue().mean())));
                }
                line.append(String.format("  runtime %s s", fmt(one.runtimeS().mean())));
                Object ratio = ratios.get(e.getKey() + "/dvgs");
                if (ratio != null) {
                  line.append(String.format("  (%s x dvgs)", fmt(ratio)));
                }
                out.println(line);
              }
            }
            out.printf("wall time %.1f s; results in %s%n", m.timings().totalS(), cfg.output().path());
          });
        }
        case "bench" -> {
          Map<String, Object> m = BenchRun.run(cfg);
          out.println("throughput (samples/s): " + m.get("throughput"));
          out.println("ratios: " + m.get("ratios"));
          out.println("manifest: " + cfg.output().path() + "/manifest.json");
          yield 0;
        }
        case "unique" -> withSpark(cfg, spark -> {
          UniqueManifest m = UniqueJob.run(spark, cfg).manifestRecord();
          UniqueManifest.Summary summary = m.summary();
          out.printf("unique: %s rows sampled, %s kept (threshold %s, k = %s), %s clusters%n", m.counts().sampled(), m.counts().kept(),
              m.selection().threshold(), m.projection().k(), m.clustering().clusters());
          if (summary.labelsPresent() != null) {
            out.printf("classes with a kept row: %s of %s%n", summary.labelsWithKeptRows(), summary.labelsPresent());
          }
          out.println("table: " + m.output().unique());
        });
        case "bench-unique" -> withSpark(cfg, spark -> {
          Map<String, Object> m = UniqueBench.run(spark, cfg);
          out.println("per row (microseconds): " + m.get("per_row_us"));
          out.println("ratios: " + m.get("ratios"));
          out.println("manifest: " + cfg.output().path() + "/manifest.json");
        });
        case "ingest" -> {
          cfg.ingest().requireInput();
          cfg.ingest().resolvedFormat();
          cfg.output().requirePath();
          yield withSpark(cfg, spark -> {
          Map<String, Object> m = IngestRun.run(spark, cfg);
          out.printf("ingested %s samples x %s genes (%s) into %s%n", m.get("rows"), m.get("genes"), m.get("gene_selection"),
              ((Map<?, ?>) m.get("output")).get("signatures"));
          if (m.containsKey("apc")) {
            out.println("APC: " + m.get("apc"));
          }
          });
        }
        case "l1000" -> withSpark(cfg, spark -> {
          Map<String, Object> m = L1000Run.run(spark, cfg);
          Map<?, ?> metrics = (Map<?, ?>) m.get("metrics");
          out.println("value vs APC: " + metrics.get("value_vs_apc"));
          for (Object c : (List<?>) metrics.get("retrain_curves")) {
            out.println("retrain " + c);
          }
          out.println("manifest: " + cfg.output().path() + "/manifest.json");
        });
        case "scale" -> withSpark(cfg, spark -> {
          Map<String, Object> m = ScaleRun.run(spark, cfg);
          for (Object r : (List<?>) m.get("runs")) {
            out.println(r);
          }
          out.println("manifest: " + cfg.output().path() + "/manifest.json");
        });
        default -> throw new ConfigValidationException("unknown command '" + command + "'\n" + USAGE);
      };
    } catch (Exception e) {
      // Spark's job failures (SparkException) are checked exceptions thrown undeclared from Scala code: catch them all.
      return failed(e, err);
    }
  }

  /**
   * The exit status of a command that threw {@code e}, after writing what the user needs on {@code err}: one line
   * with the message of the project's own config or input error when there is one in {@code e}, else the stack
   * trace and a one-line summary.
   */
  static int failed(Throwable e, PrintStream err) {
    String user = userError(e);
    if (user != null) {
      LOG.debug("user error", e);
      err.println("dvgs: " + user);
      return 2;
    }
    e.printStackTrace(err);
    List<Throwable> chain = causes(e);
    Throwable root = chain.get(chain.size() - 1);
    String summary = firstLine(e.toString()) + (root == e ? "" : "; root cause: " + firstLine(root.toString()));
    err.println("dvgs: internal error, stack trace above: " + summary);
    return 1;
  }

  /**
   * The message of the outermost {@link ConfigValidationException} or {@link InputException} in the cause chain of
   * {@code e}; failing that, of one named in the message of a {@code SparkException} in the chain (Spark sends a
   * task's exception as text only when it cannot serialise it, or the driver cannot deserialise it); else null.
   * The text is matched only where Spark writes a task's exception ("...(TID n) (host executor id): CLASS: message")
   * or a "Caused by: CLASS: message" line of a stack trace, so a message that merely mentions the class does not count.
   */
  static String userError(Throwable e) {
    List<Throwable> chain = causes(e);
    for (Throwable t : chain) {
      if (t instanceof ConfigValidationException || t instanceof InputException) {
        return String.valueOf(t.getMessage());
      }
    }
    for (Throwable t : chain) {
      if (t instanceof SparkException && t.getMessage() != null) {
        Matcher m = TASK_FAILURE_TEXT.matcher(t.getMessage());
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /** {@code e} and its causes, outermost first, each once. */
  private static List<Throwable> causes(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Every configured path must parse as a Hadoop path or URI: a value such as {@code run:1} (read as scheme
   * {@code run}) is a config error naming its key, not an internal error deep inside a run.
   */
  static void checkPaths(DvgsConfig cfg) {
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("output.path", cfg.output().path());
    paths.put("input.source.path", cfg.input().source().path());
    paths.put("input.target.path", cfg.input().target().path());
    paths.put("evaluation.test.table.path", cfg.evaluation().test().table().path());
    paths.put("training.checkpoint-dir", cfg.training().checkpointDir());
    paths.put("unique.snapshot-dir", cfg.unique().snapshotDir());
    paths.put("ingest.input", cfg.ingest().input());
    paths.put("ingest.level4", cfg.ingest().level4());
    paths.put("ingest.genes.ids-file", cfg.ingest().genesIdsFile());
    paths.put("ingest.genes.info-file", cfg.ingest().genesInfoFile());
    for (Map.Entry<String, String> e : paths.entrySet()) {
      String v = e.getValue();
      if (v == null || v.isEmpty()) {
        continue;
      }
      try {
        new Path(v);
      } catch (IllegalArgumentException bad) {
        throw new ConfigValidationException(
            "dvgs." + e.getKey() + " = \"" + v + "\" is not a valid path or URI: " + (bad.getCause() != null ? bad.getCause().getMessage() : bad.getMessage()));
      }
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

  private static void printRun(PrintStream out, ValueManifest m) {
    ValueManifest.Counts counts = m.counts();
    out.printf("run %s: %s rows read, %s valued, %s rejected %s%n", m.runId(), counts.sourceRead(),
        counts.sourceValued(), counts.sourceRejected(), counts.rejectedByReason());
    out.printf("%s sample-checkpoints at %.0f per s; wall time %.1f s%n", m.scoring().sampleCheckpoints(),
        m.scoring().sampleCheckpointsPerS(), m.timings().totalS());
    out.println("value table: " + m.output().values());
  }
}
