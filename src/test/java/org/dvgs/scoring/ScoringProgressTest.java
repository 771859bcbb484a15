package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scoring progress line: written while tasks run, counts what they scored, gone with its listener afterwards. */
class ScoringProgressTest {
  static final Pattern SCORING = Pattern.compile(
      "scoring: (\\d+) of (\\d+) sample-checkpoints \\((\\d+)%\\), (\\d+) sample-checkpoints/s, \\d+ s elapsed, ETA (\\d+ s|\\?)");

  /** Executor function: counts 100 sample-checkpoints per element, slowly. */
  static final class SlowCount implements VoidFunction<Integer> {
    private static final long serialVersionUID = 1L;
    private final LongAccumulator counter;

    SlowCount(LongAccumulator counter) {
      this.counter = counter;
    }

    @Override
    public void call(Integer i) throws Exception {
      Thread.sleep(400);
      counter.add(100);
    }
  }

  /** Executor function that does nothing. */
  static final class Nothing implements VoidFunction<Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public void call(Integer i) {}
  }

  @Test
  void linesWhileTasksRunThenSilenceAndNoListener() throws Exception {
    SparkSession spark = SharedSpark.get();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    ScoringProgress p = ScoringProgress.open(spark.sparkContext(), 0.1, lines::add);
    try {
      assertTrue(p.listening());
      Thread.sleep(300);
      assertEquals(List.of(), lines, "nothing before scoring starts");
      p.scoring(800);
      // 4 tasks of 2 elements on 2 cores: two waves of 0.8 s, so lines see part of the work done, then all of it.
      jsc.parallelize(List.of(0, 1, 2, 3, 4, 5, 6, 7), 4).foreach(new SlowCount(p.counter()));
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(800, p.done());
      assertEquals(800, p.counter().value());
      Thread.sleep(300);
      p.aggregation();
      jsc.parallelize(List.of(0, 1, 2), 3).foreach(new Nothing());
      spark.sparkContext().listenerBus().waitUntilEmpty();
      Thread.sleep(300);
    } finally {
      p.close();
    }
    assertFalse(p.listening(), "listener removed");
    int after = lines.size();
    Thread.sleep(300);
    assertEquals(after, lines.size(), "no line after close");
    List<Long> done = new ArrayList<>();
    for (String l : lines) {
      Matcher m = SCORING.matcher(l);
      if (m.matches()) {
        assertEquals("800", m.group(2), l);
        done.add(Long.parseLong(m.group(1)));
      }
    }
    assertTrue(done.stream().anyMatch(d -> d > 0 && d < 800), "work part done seen: " + lines);
    assertEquals(800L, (long) done.get(done.size() - 1), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("scoring: 800 of 800 sample-checkpoints (100%)") && l.endsWith("ETA 0 s")), lines.toString());
    assertTrue(lines.get(lines.size() - 1).startsWith("aggregation: 3 tasks done, 0 running"), lines.toString());
  }

  /** Captures the messages of one logger. */
  static final class Capture extends AbstractAppender implements AutoCloseable {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final String logger;
    private final LoggerConfig config;

    Capture(Class<?> source) {
      super("capture-" + source.getSimpleName(), null, null, true, Property.EMPTY_ARRAY);
      this.logger = source.getName();
      LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
      config = ctx.getConfiguration().getLoggerConfig(logger);
      start();
      config.addAppender(this, null, null);
      ctx.updateLoggers();
    }

    @Override
    public void append(LogEvent e) {
      if (e.getLoggerName().equals(logger)) {
        lines.add(e.getMessage().getFormattedMessage());
      }
    }

    @Override
    public void close() {
      config.removeAppender(getName());
      ((LoggerContext) LogManager.getContext(false)).updateLoggers();
      stop();
    }
  }

  @Test
  void aValuationRunLogsProgressAndLeavesNothingBehind() throws Exception {
    SparkSession spark = SharedSpark.get();
    List<String> lines;
    ValuationJob.Outcome o;
    try (Capture c = new Capture(ScoringProgress.class)) {
      List<String> overrides = SmallValuation.overrides(spark, 600, SharedSpark.tempDir("progress").resolve("out").toString(),
          "scoring.progress-interval=20ms", "scoring.batch-size=16");
      o = ValuationJob.run(spark, ValuationRequest.builder(TestConfigs.of(overrides.toArray(new String[0]))).build());
      lines = new ArrayList<>(c.lines);
    }
    long total = o.manifest().scoring().sampleCheckpoints();
    assertTrue(total > 0);
    List<String> scoring = lines.stream().filter(l -> l.startsWith("scoring: ")).toList();
    assertFalse(scoring.isEmpty(), "progress lines while scoring: " + lines);
    for (String l : scoring) {
      Matcher m = SCORING.matcher(l);
      assertTrue(m.matches(), l);
      assertEquals(total, Long.parseLong(m.group(2)), l);
      assertTrue(Long.parseLong(m.group(1)) <= total, l);
    }
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("aggregation: ")), "progress lines while aggregating: " + lines);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertTrue(spark.sparkContext().listenerBus().listeners().stream().noneMatch(l -> l.getClass().getName().startsWith(ScoringProgress.class.getName())),
        "the progress listener is removed");
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("dvgs-scoring-progress") && t.isAlive()),
        "the progress thread is stopped");
  }

  /**
   * Snapshots that are never scored are not in the total: the burn-in from the start, a loss-drop zero weight from
   * when it is found. The line ends at the manifest's count, at 100%, rather than short of a total that counted them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"aggregation.burn-in=3", "aggregation.weighting=loss-drop"})
  void theTotalLeavesOutSnapshotsThatAreNotScored(String aggregation) throws Exception {
    SparkSession spark = SharedSpark.get();
    List<String> lines;
    ValuationJob.Outcome o;
    try (Capture c = new Capture(ScoringProgress.class)) {
      List<String> overrides = SmallValuation.overrides(spark, 600,
          SharedSpark.tempDir("progress-counted").resolve("out").toString(), "scoring.progress-interval=5ms", "scoring.batch-size=16",
          "scoring.block-memory-mb=1", aggregation);
      o = ValuationJob.run(spark, ValuationRequest.builder(TestConfigs.of(overrides.toArray(new String[0]))).build());
      lines = new ArrayList<>(c.lines);
    }
    long scored = o.manifest().scoring().sampleCheckpoints();
    long rows = o.manifest().counts().sourceValued();
    long all = rows * o.manifest().training().restarts().stream().mapToLong(r -> r.snapshots()).sum();
    assertTrue(scored < all, "some snapshots are not scored under " + aggregation + ": " + scored + " of " + all);
    List<Long> totals = new ArrayList<>();
    for (String l : lines) {
      Matcher m = SCORING.matcher(l);
      if (m.matches()) {
        totals.add(Long.parseLong(m.group(2)));
        assertTrue(Long.parseLong(m.group(1)) <= Long.parseLong(m.group(2)), l);
      }
    }
    assertFalse(totals.isEmpty(), "progress lines while scoring: " + lines);
    for (int i = 1; i < totals.size(); i++) {
      assertTrue(totals.get(i) <= totals.get(i - 1), "the total never grows: " + totals);
    }
    if (aggregation.contains("burn-in")) {
      // Known before scoring starts; a loss-drop zero weight is known only once its snapshot is read, which may come
      // after the first line, so there only the last total is checked.
      assertTrue(totals.get(0) < all, "the burn-in is left out of the total from the first line: " + totals.get(0) + " of " + all);
    }
    assertEquals(scored, (long) totals.get(totals.size() - 1), lines.toString());
  }
}
