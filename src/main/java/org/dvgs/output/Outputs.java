package org.dvgs.output;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;

/** Claims a command's output directory ({@link OutputDirectory}) with the run's Spark application and inputs. */
public final class Outputs {
  private Outputs() {}

  /** Claims {@code out} for {@code command}, replacing earlier results only with {@code dvgs.output.overwrite}. */
  public static OutputDirectory.Claim claim(SparkSession spark, DvgsConfig cfg, String out, String command) {
    return claim(spark, cfg, out, command, cfg.output().overwrite() ? OutputDirectory.Replace.OURS : OutputDirectory.Replace.NONE);
  }

  /** Claims {@code out} for {@code command}, replacing earlier results as {@code replace} says. */
  public static OutputDirectory.Claim claim(SparkSession spark, DvgsConfig cfg, String out, String command, OutputDirectory.Replace replace) {
    return OutputDirectory.prepare(spark.sparkContext().hadoopConfiguration(), out, command, replace, application(spark), inputs(cfg));
  }

  /** The Spark application id and attempt ({@code id/attempt}; the attempt is empty outside cluster managers). */
  static String application(SparkSession spark) {
    scala.Option<String> attempt = spark.sparkContext().applicationAttemptId();
    return spark.sparkContext().applicationId() + "/" + (attempt.isDefined() ? attempt.get() : "");
  }

  /** Every path the run reads: a claim never removes one of them. */
  public static List<String> inputs(DvgsConfig cfg) {
    List<String> p = new ArrayList<>();
    p.add(cfg.input().source().path());
    p.add(cfg.input().target().path());
    p.add(cfg.evaluation().test().table().path());
    p.add(cfg.ingest().input());
    p.add(cfg.ingest().level4());
    p.add(cfg.ingest().genesIdsFile());
    p.add(cfg.ingest().genesInfoFile());
    p.add(cfg.unique().snapshotDir());
    p.add(cfg.training().checkpointDir());
    return p;
  }
}
