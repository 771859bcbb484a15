package org.dvgs.cli;

import java.io.PrintStream;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.MetricSummary;
import org.dvgs.pipeline.EvaluateRun;

/**
 * {@code evaluate}: an experiment over several seeds; prints each metric's mean, standard deviation and per-seed
 * values, one line per method when several ran, and the wall time.
 */
final class EvaluateCommand implements Command {
  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String usage() {
    return """
          evaluate  run an experiment config: per seed, corrupt the source (label flips, feature noise), value it, and
                    measure AUROC, Spearman, discovery curve, 2-means F1 and filter-and-retrain curves
        """;
  }

  @Override
  public int run(Arguments args, PrintStream out) {
    DvgsConfig cfg = args.config();
    // Experiment settings that cannot work with the model fail before Spark starts.
    cfg.evaluation().checkFor(cfg.model());
    // The engine loads beside the Spark session; the valuation waits for whatever is left of it.
    org.dvgs.pipeline.ProcessClock.preloadEngine(cfg.device());
    return WithSpark.run(cfg, spark -> {
      EvaluateManifest m = EvaluateRun.run(spark, cfg);
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
      PhaseLines.ofEvaluate(m).forEach(out::println);
    });
  }

  private static String fmt(Object v) {
    return v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.4f", d) : String.valueOf(v);
  }
}
