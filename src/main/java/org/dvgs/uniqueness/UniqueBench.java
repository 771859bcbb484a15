package org.dvgs.uniqueness;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.ScoringMethod;
import org.dvgs.config.Task;
import org.dvgs.config.UniqueConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Stats;
import org.dvgs.io.InputLoader;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.output.BenchUniqueManifest;
import org.dvgs.output.Manifest;
import org.dvgs.output.TotalTime;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.SnapshotScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code bench-unique} command: on a unique config's model and sampled rows, in one process and in interleaved
 * rounds (median reported; each timed block makes whole passes over the sample until it covers {@code bench.rows}
 * rows), the cost per row of one ghost scoring pass of the model (similarity to one target
 * gradient over all layers, what valuation runs per checkpoint), of the uniqueness projection, and of the
 * projection plus the greedy selection (sequential; each batch in the selection order against the rows kept so
 * in the pass). The three alternate batch by batch, so that a busy machine slows them alike.
 */
public final class UniqueBench {
  private static final Logger LOG = LoggerFactory.getLogger(UniqueBench.class);

  private UniqueBench() {}

  public static BenchUniqueManifest run(SparkSession spark, DvgsConfig cfg) {
    cfg.output().requirePath();
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "bench-unique")) {
      return runIn(spark, cfg);
    }
  }

  private static BenchUniqueManifest runIn(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    UniqueConfig u = cfg.unique();
    String out = cfg.output().path();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    InputLoader.RawInputs raw = InputLoader.read(spark, cfg.input(), cfg.model(), cfg.seed(), cfg.training().batchSize());
    LoadedInputs in = InputLoader.prepare(raw, cfg.input(), null);
    NetworkSpec spec = NetworkSpec.of(cfg.model(), in.width(), in.numClasses());
    int threads = cfg.bench().threads() > 0 ? cfg.bench().threads() : Runtime.getRuntime().availableProcessors();
    Device device = Engines.device(cfg.device(), -1);
    UniqueJob.Chosen chosen = UniqueJob.model(cfg, spec, in, hadoop, out, device);
    Snapshot snap = chosen.snapshot();
    List<CanonicalRow> rows = UniqueJob.sample(in.source(), u.sampleSize(), cfg.seed()).collect();
    raw.release();
    Engines.threads(threads);
    int n = rows.size();
    int d = spec.inputWidth();
    float[] x = new float[n * d];
    float[] y = new float[n];
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows.get(i).features(), 0, x, i * d, d);
      y[i] = spec.task() == Task.AUTOENCODER ? 0f : (float) rows.get(i).label();
      ids[i] = rows.get(i).id();
    }
    int k = u.dimension(n);
    KroneckerProjection projection = new KroneckerProjection(cfg.seed(), spec, u.lastLayers(), k);
    ScoringOptions ghostOpts = new ScoringOptions(cfg.scoring().similarity(), ScoringMethod.GHOST, null, false, cfg.seed());
    int batch = u.batchSize();
    Map<String, List<Double>> perRow = new LinkedHashMap<>();
    for (String m : List.of("ghost", "project", "project_and_select")) {
      perRow.put(m, new ArrayList<>());
    }
    // Each timed block covers at least bench.rows rows (whole passes over the sample), so that one block is long
    // enough to time on a busy machine.
    int passes = Math.max(1, (int) Math.ceil((double) cfg.bench().rows() / n));
    long timed = (long) passes * n;
    int kept = 0;
    try (SnapshotScorer ghost = new SnapshotScorer(spec, List.of(snap), ghostOpts, device);
        GradientProjector gp = new GradientProjector(spec, snap.parameters(), projection, device)) {
      for (int round = 0; round <= cfg.bench().rounds(); round++) {
        // The three paths alternate batch by batch, so load changes on a shared machine hit them alike.
        long tg = 0;
        long tp = 0;
        long ts = 0;
        KeptSet keptSet = new KeptSet(k);
        for (int pass = 0; pass < passes; pass++) {
          for (int s = 0; s < n; s += batch) {
            int m = Math.min(batch, n - s);
            float[] bx = Arrays.copyOfRange(x, s * d, (s + m) * d);
            float[] by = Arrays.copyOfRange(y, s, s + m);
            long a = System.nanoTime();
            ghost.score(bx, by, new long[m], m);
            long b = System.nanoTime();
            project(gp, bx, by, Arrays.copyOfRange(ids, s, s + m), m, d, k, batch, cfg.seed());
            long c = System.nanoTime();
            List<ProjectedRow> pr = project(gp, bx, by, Arrays.copyOfRange(ids, s, s + m), m, d, k, batch, cfg.seed());
            pr.sort(ProjectedRow.ORDER);
            keptSet.greedy(pr, u.threshold());
            long e = System.nanoTime();
            tg += b - a;
            tp += c - b;
            ts += e - c;
          }
          kept = keptSet.size();
          keptSet = new KeptSet(k);
        }
        double g = tg / 1e3 / timed;
        double p = tp / 1e3 / timed;
        double ps = ts / 1e3 / timed;
        if (round == 0) {
          continue; // warm-up
        }
        perRow.get("ghost").add(g);
        perRow.get("project").add(p);
        perRow.get("project_and_select").add(ps);
        LOG.info("bench-unique round {}: per row ghost {} us, projection {} us, projection + selection {} us", round,
            String.format("%.2f", g), String.format("%.2f", p), String.format("%.2f", ps));
      }
    }
    double ghostUs = median(perRow.get("ghost"));
    double projectUs = median(perRow.get("project"));
    double selectUs = median(perRow.get("project_and_select"));
    List<Double> perRound = new ArrayList<>();
    for (int i = 0; i < perRow.get("ghost").size(); i++) {
      perRound.add(perRow.get("project_and_select").get(i) / perRow.get("ghost").get(i));
    }
    BenchUniqueManifest m = new BenchUniqueManifest(
        BenchUniqueManifest.COMMAND,
        cfg.seed(),
        chosen.manifest(),
        new BenchUniqueManifest.Setup(n, k, u.lastLayers(), projection.gradientDimension(), batch, cfg.bench().rounds(), passes, threads,
            device.toString(), kept),
        new BenchUniqueManifest.PerRow(ghostUs, projectUs, selectUs),
        new BenchUniqueManifest.Ratios(projectUs / ghostUs, selectUs / ghostUs, perRound),
        new BenchUniqueManifest.Rounds(perRow.get("ghost"), perRow.get("project"), perRow.get("project_and_select")),
        ValuationJob.versions(spark),
        new TotalTime((System.nanoTime() - t0) / 1e9),
        Manifest.parse(cfg.toJson()));
    Manifest.write(hadoop, out, m);
    return m;
  }

  private static List<ProjectedRow> project(GradientProjector gp, float[] x, float[] y, String[] ids, int n, int d, int k, int batch, long seed) {
    List<ProjectedRow> out = new ArrayList<>(n);
    for (int s = 0; s < n; s += batch) {
      int m = Math.min(batch, n - s);
      float[] p = gp.project(Arrays.copyOfRange(x, s * d, (s + m) * d), Arrays.copyOfRange(y, s, s + m), m);
      for (int i = 0; i < m; i++) {
        out.add(ProjectedRow.of(ids[s + i], ProjectRows.order(seed, ids[s + i]), y[s + i], p, i * k, k));
      }
    }
    return out;
  }

  private static double median(List<Double> v) {
    return Stats.median(v.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
