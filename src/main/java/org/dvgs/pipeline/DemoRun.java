package org.dvgs.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.ValueManifest;
import org.dvgs.config.DemoConfig;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.Auroc;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;

/**
 * The embedded demo: generates a labelled data set (Gaussian class clusters), flips a known fraction of the
 * source labels, values the source against the clean target and reports AUROC(corrupted, -value).
 */
public final class DemoRun {
  /**
   * Standard deviation of the class centres in units of the within-class noise: at 0.45 with 16 features the
   * classes overlap (a clean classifier reaches roughly 90% accuracy), so the demo is not trivially separable.
   */
  static final double SPREAD = 0.45;

  private DemoRun() {}

  /**
   * Runs the demo; the data go to {@code <output>/data}. The demo replaces its own earlier output in the same
   * directory (running it twice needs no flag), any other dvgs output only with {@code dvgs.output.overwrite}, and
   * never a directory dvgs did not write.
   */
  public static ValuationJob.Outcome run(SparkSession spark, DvgsConfig cfg) {
    cfg.output().requirePath();
    OutputDirectory.Replace replace = cfg.output().overwrite() ? OutputDirectory.Replace.OURS : OutputDirectory.Replace.SAME_COMMAND;
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "demo", replace)) {
      return runIn(spark, cfg);
    }
  }

  private static ValuationJob.Outcome runIn(SparkSession spark, DvgsConfig cfg) {
    String out = cfg.output().path();
    DemoConfig d = cfg.demo();
    String targetPath = new Path(out, "data/target").toString();
    String sourcePath = new Path(out, "data/source").toString();
    List<Row> target = SyntheticData.classification(cfg.seed(), "t", d.targetRows(), d.classes(), d.features(), SPREAD, 0.0);
    List<Row> source = SyntheticData.classification(cfg.seed(), "s", d.sourceRows(), d.classes(), d.features(), SPREAD, d.labelFlipFraction());
    SyntheticData.write(spark, target, targetPath, 1);
    SyntheticData.write(spark, source, sourcePath, 2);
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("input.source.path", sourcePath);
    set.put("input.target.path", targetPath);
    set.put("output.overwrite", true);
    DvgsConfig run = cfg.with(set);
    Dataset<Row> truth = spark.read().parquet(sourcePath).select("id", "corrupted");
    ValueManifest.Invocation invocation = new ValueManifest.Invocation("demo", null,
        new ValueManifest.Demo(d.classes(), d.features(), d.targetRows(), d.sourceRows(), d.labelFlipFraction()), null);
    return ValuationJob.run(spark, ValuationRequest.builder(run).metrics((values, valued) -> {
      Dataset<Row> joined = values.join(truth, values.col("sample_id").equalTo(truth.col("id")));
      double auroc = Auroc.ofTable(joined);
      return Map.of("auroc", auroc);
    }).invocation(invocation).claimOutput(false).build());
  }
}
