package org.dvgs.spark;

import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The calling thread's Spark job group (its id, description and interrupt-on-cancel flag), saved before dvgs sets
 * its own groups and put back afterwards, so that an application that runs dvgs inside a job group of its own still
 * has it, unchanged, once dvgs returns or fails.
 *
 * <p>Use: {@code JobGroups saved = JobGroups.save(jsc); try { ... jsc.setJobGroup(...) ... } finally {
 * saved.restore(); }}. Each property is put back as it was, one by one, so a caller that had only a job description
 * (no group) gets exactly that back, and a caller with nothing set gets nothing.
 */
public final class JobGroups {
  /** The local properties that {@code setJobGroup} and {@code clearJobGroup} change. */
  static final List<String> PROPERTIES = List.of("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel");

  private final SparkContext sc;
  private final String[] saved;

  private JobGroups(SparkContext sc) {
    this.sc = sc;
    this.saved = new String[PROPERTIES.size()];
    for (int i = 0; i < saved.length; i++) {
      saved[i] = sc.getLocalProperty(PROPERTIES.get(i));
    }
  }

  /** Saves the calling thread's job group; call {@link #restore()} in a finally block. */
  public static JobGroups save(SparkContext sc) {
    return new JobGroups(sc);
  }

  /** As {@link #save(SparkContext)}. */
  public static JobGroups save(JavaSparkContext jsc) {
    return new JobGroups(jsc.sc());
  }

  /**
   * Puts the saved job group back on the calling thread: where dvgs would otherwise have cleared its own group, and
   * in the finally block. May be called more than once.
   */
  public void restore() {
    for (int i = 0; i < saved.length; i++) {
      // A null value removes the property, as it was absent when saved.
      sc.setLocalProperty(PROPERTIES.get(i), saved[i]);
    }
  }
}
