package org.dvgs.pipeline;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkStatusTracker;

/**
 * Counts the failed task attempts of one run's Spark jobs, per job group (stage of the run), from Spark's status
 * tracker: a run that survived executor faults says so in its manifest. Jobs that existed before the run are left
 * out, so several runs in one session count separately.
 */
final class TaskAttempts {
  /** The job groups a valuation run uses. */
  static final List<String> GROUPS = List.of("dvgs-load", "dvgs-scoring", "dvgs-aggregation");

  private final JavaSparkStatusTracker tracker;
  private final Set<Integer> before = new HashSet<>();

  TaskAttempts(JavaSparkStatusTracker tracker) {
    this.tracker = tracker;
    for (String g : GROUPS) {
      for (int id : tracker.getJobIdsForGroup(g)) {
        before.add(id);
      }
    }
  }

  /** Failed task attempts per group since construction (as far as the tracker has seen them). */
  Map<String, Long> failedSince() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String g : GROUPS) {
      long failed = 0;
      Set<Integer> stages = new HashSet<>();
      for (int id : tracker.getJobIdsForGroup(g)) {
        if (before.contains(id)) {
          continue;
        }
        SparkJobInfo job = tracker.getJobInfo(id);
        if (job == null) {
          continue;
        }
        for (int stage : job.stageIds()) {
          // A stage shared by several jobs (a skipped parent) counts once.
          SparkStageInfo s = stages.add(stage) ? tracker.getStageInfo(stage) : null;
          if (s != null) {
            failed += s.numFailedTasks();
          }
        }
      }
      out.put(g, failed);
    }
    return out;
  }
}
