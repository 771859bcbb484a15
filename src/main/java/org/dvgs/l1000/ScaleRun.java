package org.dvgs.l1000;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.status.api.v1.ExecutorSummary;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.Correlations;
import org.dvgs.output.Manifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.output.ScaleManifest;
import org.dvgs.output.TotalTime;
import org.dvgs.output.ValueManifest;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.dvgs.spark.JobGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code scale} command: for each size in {@code dvgs.scale.rows}, generate the synthetic L1000-shaped source on
 * the executors ({@link SyntheticL1000}), value it with the configured model (the full valuation job: balanced
 * target sampling, scaling, training, scoring, value table), and record throughput, cost per sample, peak heap and
 * how well low values find the noisy samples (Spearman of {@code noise_rate} and {@code -value}).
 *
 * <p>Output: {@code run-<rows>/} (each a normal valuation output with its own manifest) and {@code manifest.json}
 * with one entry per size. Generated tables ({@code data-<rows>/}) are removed after their run unless
 * {@code dvgs.scale.keep-data}.
 */
public final class ScaleRun {
  private static final Logger LOG = LoggerFactory.getLogger(ScaleRun.class);

  private ScaleRun() {}

  /** Runs every size and returns the manifest. */
  public static ScaleManifest run(SparkSession spark, DvgsConfig cfg) {
    cfg.output().requirePath();
    // The caller's job group is back when the run returns or fails.
    JobGroups saved = JobGroups.save(spark.sparkContext());
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "scale")) {
      return runIn(spark, cfg);
    } finally {
      saved.restore();
    }
  }

  private static ScaleManifest runIn(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    String out = cfg.output().path();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<ScaleManifest.Run> runs = new ArrayList<>();
    for (long rows : cfg.scale().rows()) {
      String data = new Path(out, "data-" + rows).toString();
      long tg = System.nanoTime();
      spark.sparkContext().setJobGroup("dvgs-scale", "dvgs scale: generating " + rows + " rows", false);
      SyntheticL1000.generate(spark, cfg.scale(), rows, cfg.seed()).write().mode(SaveMode.Overwrite).parquet(data);
      double generateS = (System.nanoTime() - tg) / 1e9;

      Map<String, Object> set = new LinkedHashMap<>();
      set.put("input.source.path", data);
      set.put("output.path", new Path(out, "run-" + rows).toString());
      set.put("output.overwrite", true);
      DvgsConfig runCfg = cfg.with(set);
      ScaleManifest.Heap heap;
      ValuationJob.Outcome o;
      try (HeapProbe probe = new HeapProbe()) {
        o = ValuationJob.run(spark, ValuationRequest.builder(runCfg).metrics((values, valued) -> ManifestCodec.toMap(quality(spark, data, values))).invocation(new ValueManifest.Invocation("scale", null, null, rows)).build());
        heap = probe.result();
      }
      ValueManifest m = o.manifest();
      ValueManifest.Counts counts = m.counts();
      long valued = counts.sourceValued();
      long sampleCheckpoints = m.scoring().sampleCheckpoints();
      long checkpoints = valued == 0 ? 0 : sampleCheckpoints / valued;
      double scoreS = m.timings().scoreS();
      double totalS = m.timings().totalS();
      ScaleManifest.Run r = new ScaleManifest.Run(rows, valued, counts.targetUsed(), counts.testHeldOut(), checkpoints, sampleCheckpoints,
          m.scoring().sampleCheckpointsPerS(), checkpoints == 0 ? Double.NaN : scoreS / checkpoints, 1e6 * scoreS / Math.max(1, valued),
          1e6 * scoreS / Math.max(1, sampleCheckpoints), 1e6 * totalS / Math.max(1, valued), generateS, m.timings(),
          heap, executorPeaks(spark), ManifestCodec.fromMap(m.metrics(), ScaleManifest.Quality.class));
      runs.add(r);
      LOG.info("scale {} rows: {}", rows, r);
      if (!cfg.scale().keepData()) {
        try {
          new Path(data).getFileSystem(hadoop).delete(new Path(data), true);
        } catch (java.io.IOException e) {
          LOG.warn("cannot remove {}: {}", data, e.getMessage());
        }
      }
    }
    Double ratio = runs.size() > 1
        ? runs.get(runs.size() - 1).scoringUsPerSampleCheckpoint() / runs.get(0).scoringUsPerSampleCheckpoint()
        : null;
    ScaleManifest m = new ScaleManifest(ScaleManifest.COMMAND, cfg.seed(), ValuationJob.versions(spark), spark.sparkContext().master(), runs, ratio,
        new TotalTime((System.nanoTime() - t0) / 1e9), Manifest.parse(cfg.toJson()));
    Manifest.write(hadoop, out, m);
    return m;
  }

  /** Spearman and Pearson of the recorded noise rate with {@code -value}: do low values find the noisy samples? */
  private static ScaleManifest.Quality quality(SparkSession spark, String data, Dataset<Row> values) {
    Dataset<Row> truth = spark.read().parquet(data).select("sample_id", "noise_rate");
    Dataset<Row> joined = values.select(values.col("sample_id"), functions.negate(values.col("value")).as("neg_value")).join(truth, "sample_id");
    Correlations.Pair c = Correlations.of(joined, "noise_rate", "neg_value");
    return new ScaleManifest.Quality(c.spearman(), c.pearson(), c.n());
  }

  /** Peak JVM heap per executor as Spark's executor metrics report it (in local mode: the one shared JVM). */
  private static Map<String, Double> executorPeaks(SparkSession spark) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (ExecutorSummary e : CollectionConverters.asJava(spark.sparkContext().statusStore().executorList(true))) {
      if (e.peakMemoryMetrics().isDefined()) {
        m.put(e.id(), e.peakMemoryMetrics().get().getMetricValue("JVMHeapMemory") / (1024.0 * 1024.0));
      }
    }
    return m;
  }
}
