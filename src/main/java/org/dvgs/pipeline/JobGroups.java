package org.dvgs.pipeline;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark job group of the calling thread, saved before dvgs sets its own and put back afterwards, so that an
 * application that runs dvgs inside its own job group (or a command that runs another) finds its group unchanged.
 */
public final class JobGroups {
  private static final String ID = "spark.jobGroup.id";
  private static final String DESCRIPTION = "spark.job.description";
  private static final String INTERRUPT = "spark.job.interruptOnCancel";

  private final JavaSparkContext jsc;
  private final String id;
  private final String description;
  private final String interrupt;

  private JobGroups(JavaSparkContext jsc) {
    this.jsc = jsc;
    this.id = jsc.getLocalProperty(ID);
    this.description = jsc.getLocalProperty(DESCRIPTION);
    this.interrupt = jsc.getLocalProperty(INTERRUPT);
  }

  /** Saves the calling thread's job group; call {@link #restore()} in a finally block. */
  public static JobGroups save(JavaSparkContext jsc) {
    return new JobGroups(jsc);
  }

  /** Puts the saved job group back (or clears the group when there was none). */
  public void restore() {
    if (id == null) {
      jsc.clearJobGroup();
    } else {
      jsc.setJobGroup(id, description == null ? "" : description, Boolean.parseBoolean(interrupt));
    }
  }
}
