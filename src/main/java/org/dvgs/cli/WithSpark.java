package org.dvgs.cli;

import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.pipeline.Sessions;

/** Runs a command's work in a Spark session made from the configuration's {@code dvgs.spark} settings. */
final class WithSpark {
  /** A command's work in the session. */
  interface Work {
    void run(SparkSession spark);
  }

  private WithSpark() {}

  /** Runs {@code work} and returns exit status 0; the session is stopped afterwards unless it was already running. */
  static int run(DvgsConfig cfg, Work work) {
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
}
