package org.dvgs.scoring;

import java.util.List;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
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
      if (!STAGES.contains(kv._1())) {
        throw new ConfigValidationException(CONF_PREFIX + kv._1() + ": unknown stage; one of " + STAGES);
      }
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
