package org.dvgs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dvgs.output.EvaluateManifest;
import org.dvgs.output.ValueManifest;
import org.dvgs.pipeline.ProcessClock;

/** The summary lines that say where a command's time went, from its manifest's timings. */
final class PhaseLines {
  private PhaseLines() {}

  /** The process's phases before and around a valuation run, and the run's own. */
  static String ofRun(ValueManifest.Timings t) {
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("jvm start to main", ProcessClock.jvmToMainSeconds());
    p.put("spark session", ProcessClock.sessionSeconds());
    p.put("engine wait", t.engineS());
    p.put("inputs", t.loadS());
    p.put("training", t.trainS());
    p.put("packing", t.packS());
    p.put("scoring blocks", sum(t.scoreBlocksS()));
    p.put("table writes", t.writeS());
    p.put("metrics", t.metricsS());
    return "phases: " + join(p) + String.format(Locale.ROOT, "; %.1f s since JVM start", ProcessClock.sinceJvmStart());
  }

  /** The experiment's phases, then each seed's phases averaged over the seeds. */
  static List<String> ofEvaluate(EvaluateManifest m) {
    EvaluateManifest.Timings t = m.timings();
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("jvm start to main", t.jvmToMainS());
    p.put("spark session", t.sessionS());
    p.put("inputs", t.readS());
    p.put("engine wait", t.engineS());
    p.put("seeds", t.seedsS());
    p.put("table writes", t.writeS());
    p.put("manifest", t.manifestS());
    String whole = "phases: " + join(p) + (t.sinceJvmStartS() == null ? "" : String.format(Locale.ROOT, "; %.1f s since JVM start", t.sinceJvmStartS()));
    Map<String, Double> mean = new LinkedHashMap<>();
    for (EvaluateManifest.SeedRun r : m.runs()) {
      r.timings().forEach((k, v) -> mean.merge(k, v / m.runs().size(), Double::sum));
    }
    Map<String, Double> named = new LinkedHashMap<>();
    mean.forEach((k, v) -> named.put(k.endsWith("_s") ? k.substring(0, k.length() - 2) : k, v));
    return List.of(whole, "per seed (mean of " + m.runs().size() + "): " + join(named));
  }

  private static Double sum(List<Double> v) {
    return v == null ? null : v.stream().mapToDouble(Double::doubleValue).sum();
  }

  private static String join(Map<String, Double> phases) {
    StringBuilder b = new StringBuilder();
    phases.forEach((k, v) -> {
      if (v != null) {
        b.append(b.length() == 0 ? "" : ", ").append(k).append(String.format(Locale.ROOT, " %.2f s", v));
      }
    });
    return b.toString();
  }
}
