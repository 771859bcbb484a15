package org.dvgs.cli;

import java.io.PrintStream;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
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
    return WithSpark.run(cfg, spark -> {
      Map<String, Object> m = EvaluateRun.run(spark, cfg);
      out.printf("%d seeds %s%n", cfg.evaluation().seeds().size(), cfg.evaluation().seeds());
      for (Map.Entry<?, ?> e : ((Map<?, ?>) m.get("metrics")).entrySet()) {
        Map<?, ?> s = (Map<?, ?>) e.getValue();
        out.printf("%-26s mean %s  std %s  per seed %s%n", e.getKey(), fmt(s.get("mean")), fmt(s.get("std")), s.get("per_seed"));
      }
      Map<?, ?> methods = (Map<?, ?>) m.get("methods");
      if (methods.size() > 1) {
        // One line per method: its first metric and its runtime, beside DVGS's where DVGS ran.
        Map<?, ?> ratios = m.get("runtime_ratios") instanceof Map<?, ?> r ? r : Map.of();
        for (Map.Entry<?, ?> e : methods.entrySet()) {
          Map<?, ?> one = (Map<?, ?>) e.getValue();
          Map<?, ?> metrics = (Map<?, ?>) one.get("metrics");
          Map<?, ?> rt = (Map<?, ?>) one.get("runtime_s");
          StringBuilder line = new StringBuilder(String.format("method %-12s", e.getKey()));
          for (Map.Entry<?, ?> x : metrics.entrySet()) {
            line.append(String.format("  %s %s", x.getKey(), fmt(((Map<?, ?>) x.getValue()).get("mean"))));
          }
          line.append(String.format("  runtime %s s", fmt(rt.get("mean"))));
          Object ratio = ratios.get(e.getKey() + "/dvgs");
          if (ratio != null) {
            line.append(String.format("  (%s x dvgs)", fmt(ratio)));
          }
          out.println(line);
        }
      }
      out.printf("wall time %.1f s; results in %s%n", (Double) ((Map<?, ?>) m.get("timings")).get("total_s"), cfg.output().path());
    });
  }

  private static String fmt(Object v) {
    return v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.4f", d) : String.valueOf(v);
  }
}
