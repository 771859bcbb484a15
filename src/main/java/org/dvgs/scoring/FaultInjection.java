package org.dvgs.scoring;

import java.util.List;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.ConfigValidationException;

/**
 * Fault drills: makes executor tasks of a stage throw, to check that a cluster's retry settings and the job's
 * commit protocol keep results whole. Off unless the Spark setting {@code spark.dvgs.fault.<stage>} is given
 * ({@code <stage>} = {@code scoring} or {@code aggregation}):
 *
 * <ul>
 *   <li>{@code first-attempt}: every task of the stage fails on its first attempt, after doing its work, and
 *       succeeds when Spark retries it (needs {@code spark.task.maxFailures >= 2}, e.g. master {@code local[2,3]});
 *   <li>{@code always}: every attempt fails, so the run fails.
 * </ul>
 *
 * And {@code spark.dvgs.fault.batches = evict} drops the persisted source batches before every scoring block after
 * the first and before the value table is built, as a lost executor or cache eviction does, so that Spark recomputes
 * them from their lineage (after {@code dvgs.scoring.partitions > 0}, from the shuffle) while the row statistics
 * computed earlier stay cached.
 *
 * The setting travels to the tasks as a local property of the jobs the run submits, so it reaches executors in any
 * deploy mode.
 */
public final class FaultInjection {
  /** Spark setting prefix. */
  public static final String CONF_PREFIX = "spark.dvgs.fault.";
  /** Job local property prefix read by the tasks. */
  public static final String PROPERTY_PREFIX = "dvgs.fault.";
  /** Stages with a fault point. */
  public static final List<String> STAGES = List.of("scoring", "aggregation");
  private static final List<String> MODES = List.of("first-attempt", "always");
  /** Spark setting of the batch eviction drill. */
  public static final String EVICT_KEY = CONF_PREFIX + "batches";
  private static final String EVICT = "evict";

  private FaultInjection() {}

  /** Copies {@code spark.dvgs.fault.*} settings to the calling thread's job properties, checking their values. */
  public static void propagate(JavaSparkContext jsc) {
    for (String stage : STAGES) {
      String v = jsc.getConf().get(CONF_PREFIX + stage, null);
      if (v != null) {
        jsc.setLocalProperty(PROPERTY_PREFIX + stage, check(CONF_PREFIX + stage, v));
      }
    }
    for (scala.Tuple2<String, String> kv : jsc.getConf().getAllWithPrefix(CONF_PREFIX)) {
      if (!STAGES.contains(kv._1()) && !(CONF_PREFIX + kv._1()).equals(EVICT_KEY)) {
        throw new ConfigValidationException(CONF_PREFIX + kv._1() + ": unknown stage; one of " + STAGES + " or batches");
      }
    }
    evictBatches(jsc);
  }

  /** Whether the batch eviction drill is on ({@code spark.dvgs.fault.batches = evict}); another value is an error. */
  public static boolean evictBatches(JavaSparkContext jsc) {
    String v = jsc.getConf().get(EVICT_KEY, null);
    if (v == null) {
      return false;
    }
    if (!v.trim().toLowerCase(Locale.ROOT).equals(EVICT)) {
      throw new ConfigValidationException(EVICT_KEY + " = \"" + v + "\" is not \"" + EVICT + "\"");
    }
    return true;
  }

  /**
   * Under the eviction drill, drops {@code rdd}'s cached blocks and marks it for caching again, so that its next use
   * recomputes every partition from the lineage; does nothing otherwise.
   */
  public static void maybeEvict(JavaSparkContext jsc, JavaRDD<?> rdd, StorageLevel level) {
    if (evictBatches(jsc)) {
      rdd.unpersist(true);
      rdd.persist(level);
    }
  }

  /** Checks a drill setting and returns its mode; an unknown mode is an error naming the key. */
  public static String check(String key, String v) {
    String mode = v.trim().toLowerCase(Locale.ROOT);
    if (!MODES.contains(mode)) {
      throw new ConfigValidationException(key + " = \"" + v + "\" is not one of " + MODES);
    }
    return mode;
  }

  /** Throws in a task of {@code stage} when a drill asks for it; does nothing otherwise or outside a task. */
  public static void maybeFail(String stage) {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return;
    }
    String mode = tc.getLocalProperty(PROPERTY_PREFIX + stage);
    if (mode == null) {
      return;
    }
    if (mode.equals("always") || (mode.equals("first-attempt") && tc.attemptNumber() == 0)) {
      throw new InjectedFault(
          "injected fault (" + CONF_PREFIX + stage + " = " + mode + ") in partition " + tc.partitionId()
              + ", attempt " + tc.attemptNumber());
    }
  }

  /** The exception a drill throws. */
  public static final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String message) {
      super(message);
    }
  }
}
