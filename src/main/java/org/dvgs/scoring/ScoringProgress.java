package org.dvgs.scoring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The driver's progress line while scoring and aggregation run: sample-checkpoints scored of the total, the rate
 * and an ETA, written at a fixed interval by a driver thread (like training's progress line).
 *
 * <p>Tasks count what they scored into a named accumulator ({@link #counter()}): one addition per source batch,
 * nothing a task waits for. A Spark listener reads it from two events: the executors' heartbeats, which carry the
 * running tasks' current values (every {@code spark.executor.heartbeatInterval}, 10 s by default), and each task's
 * end, which carries its final value when it succeeded (a failed attempt's count is dropped, its retry counts
 * anew). A partition recomputed from its lineage counts again, so the figure is progress, not an exact tally;
 * it never exceeds the total. During aggregation the line counts the tasks of the aggregation jobs instead.
 *
 * <p>Open it around the run and close it in a {@code finally} (try-with-resources): closing stops the thread and
 * removes the listener. It writes nothing until {@link #scoring} is called.
 */
public final class ScoringProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringProgress.class);
  /** The accumulator's name, as the Spark UI shows it. */
  public static final String COUNTER_NAME = "dvgs sample-checkpoints scored";

  private final SparkContext sc;
  private final LongAccumulator counter;
  private final Consumer<String> sink;
  private final Listener listener = new Listener();
  private final ScheduledExecutorService timer;
  private volatile long total;
  private volatile long start;
  /** "" before scoring starts (no lines), then "scoring", then "aggregation". */
  private volatile String phase = "";
  private volatile long phaseStart;
  private volatile long scoringSeconds = -1;

  /**
   * Opens the progress reporting through this class's logger; it stays quiet until {@link #scoring} is called.
   *
   * @param intervalSeconds seconds between two lines
   */
  public static ScoringProgress open(SparkContext sc, double intervalSeconds) {
    return new ScoringProgress(sc, intervalSeconds, LOG::info);
  }

  /** Opens the progress reporting to {@code sink}. */
  static ScoringProgress open(SparkContext sc, double intervalSeconds, Consumer<String> sink) {
    return new ScoringProgress(sc, intervalSeconds, sink);
  }

  private ScoringProgress(SparkContext sc, double intervalSeconds, Consumer<String> sink) {
    if (!(intervalSeconds > 0)) {
      throw new IllegalArgumentException("progress interval must be > 0 s, got " + intervalSeconds);
    }
    this.sc = sc;
    this.sink = sink;
    this.counter = sc.longAccumulator(COUNTER_NAME);
    sc.addSparkListener(listener);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dvgs-scoring-progress");
      t.setDaemon(true);
      return t;
    });
    long periodNanos = Math.max(1_000_000L, (long) (intervalSeconds * 1e9));
    timer.scheduleAtFixedRate(this::report, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** The accumulator tasks add their sample-checkpoints to (pass it into the executor function). */
  public LongAccumulator counter() {
    return counter;
  }

  /**
   * Scoring starts: lines from now on.
   *
   * @param sampleCheckpoints what the scoring will compute: rows times the snapshots that are scored (burn-in
   *     snapshots are not; see {@link CheckpointWeights#countedAtMost})
   */
  public void scoring(long sampleCheckpoints) {
    total = sampleCheckpoints;
    start = System.nanoTime();
    phaseStart = start;
    phase = "scoring";
  }

  /**
   * Lowers the total by sample-checkpoints that turn out not to be scored after all: those of a snapshot that loss-drop
   * weighting gives weight 0, which is known only when the snapshot is read. Called from the driver thread that
   * started scoring.
   */
  public void notScored(long sampleCheckpoints) {
    total = Math.max(0, total - sampleCheckpoints);
  }

  /** Switches the line to the aggregation jobs, once scoring is done. */
  public void aggregation() {
    scoringSeconds = Math.round((System.nanoTime() - start) / 1e9);
    listener.tasksEnded.set(0);
    listener.tasksStarted.set(0);
    phaseStart = System.nanoTime();
    phase = "aggregation";
  }

  /** Sample-checkpoints scored so far: those of finished tasks and the last reported of running ones. */
  public long done() {
    long sum = listener.finished.get();
    for (long v : listener.running.values()) {
      sum += v;
    }
    return Math.min(total, sum);
  }

  private void report() {
    if (phase.isEmpty()) {
      return;
    }
    try {
      sink.accept(line());
    } catch (RuntimeException e) {
      // A progress line must never fail the run.
      LOG.debug("progress line failed", e);
    }
  }

  /** The current progress line. */
  String line() {
    long now = System.nanoTime();
    if (phase.equals("aggregation")) {
      long ended = listener.tasksEnded.get();
      long running = Math.max(0, listener.tasksStarted.get() - ended);
      return String.format("aggregation: %d tasks done, %d running, %.0f s (scoring took %d s)",
          ended, running, (now - phaseStart) / 1e9, scoringSeconds);
    }
    long done = done();
    double elapsed = (now - start) / 1e9;
    double rate = elapsed > 0 ? done / elapsed : 0;
    String eta = rate > 0 ? String.format("%.0f s", (total - done) / rate) : "?";
    return String.format("scoring: %d of %d sample-checkpoints (%.0f%%), %.0f sample-checkpoints/s, %.0f s elapsed, ETA %s",
        done, total, total > 0 ? 100.0 * done / total : 100.0, rate, elapsed, eta);
  }

  /** Whether this instance's listener is still registered with the Spark context (for checks). */
  boolean listening() {
    return sc.listenerBus().listeners().contains(listener);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    sc.removeSparkListener(listener);
  }

  /** Follows the counter through heartbeats and task ends; runs on Spark's listener thread. */
  private final class Listener extends SparkListener {
    final Map<Long, Long> running = new ConcurrentHashMap<>();
    final AtomicLong finished = new AtomicLong();
    final AtomicLong tasksStarted = new AtomicLong();
    final AtomicLong tasksEnded = new AtomicLong();

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
      for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
          : CollectionConverters.asJava(update.accumUpdates())) {
        Long value = counterUpdate(task._4());
        if (value != null) {
          running.put((Long) task._1(), value);
        }
      }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      tasksStarted.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      tasksEnded.incrementAndGet();
      running.remove(end.taskInfo().taskId());
      if (end.reason() == Success$.MODULE$) {
        Long value = counterUpdate(end.taskInfo().accumulables());
        if (value != null) {
          finished.addAndGet(value);
        }
      }
    }

    private Long counterUpdate(scala.collection.immutable.Seq<AccumulableInfo> infos) {
      for (AccumulableInfo info : CollectionConverters.asJava(infos)) {
        if (info.id() == counter.id() && info.update().isDefined()) {
          return ((Number) info.update().get()).longValue();
        }
      }
      return null;
    }
  }
}
