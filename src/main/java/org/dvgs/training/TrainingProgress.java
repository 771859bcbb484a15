package org.dvgs.training;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console progress line of driver training: restart, epoch, iteration, loss, and how far all restarts being
 * trained have come with an ETA. One instance serves every restart trained at once (they run on several threads),
 * so the ETA covers the whole training stage. A line is written every {@code logEvery} iterations of a restart
 * when that is set, at least every {@link #INTERVAL_S} seconds, and when a restart finishes.
 */
final class TrainingProgress implements TargetTrainer.Progress {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);
  /** Longest quiet period, in seconds, between two progress lines. */
  static final double INTERVAL_S = 10;

  private final int restarts;
  private final int training;
  private final int epochs;
  private final int logEvery;
  private final LongSupplier clock;
  private final Consumer<String> sink;
  private final Map<Integer, Long> done = new HashMap<>();
  private final long start;
  private long lastLine;
  private long totalPerRestart;

  /**
   * @param restarts restarts of the run
   * @param training restarts being trained now (the others are reused)
   * @param epochs epochs per restart
   * @param logEvery a line every this many iterations of a restart (0 = by time only)
   */
  TrainingProgress(int restarts, int training, int epochs, int logEvery) {
    this(restarts, training, epochs, logEvery, System::nanoTime, LOG::info);
  }

  TrainingProgress(int restarts, int training, int epochs, int logEvery, LongSupplier clock, Consumer<String> sink) {
    this.restarts = restarts;
    this.training = Math.max(1, training);
    this.epochs = epochs;
    this.logEvery = logEvery;
    this.clock = clock;
    this.sink = sink;
    this.start = clock.getAsLong();
    this.lastLine = start;
  }

  @Override
  public synchronized void update(int restart, int epoch, long iteration, long total, double loss) {
    done.put(restart, iteration);
    totalPerRestart = total;
    long now = clock.getAsLong();
    boolean due = (logEvery > 0 && iteration % logEvery == 0) || iteration == total || (now - lastLine) / 1e9 >= INTERVAL_S;
    if (due) {
      lastLine = now;
      sink.accept(line(restart, epoch, iteration, total, loss, now));
    }
  }

  private String line(int restart, int epoch, long iteration, long total, double loss, long now) {
    long all = totalPerRestart * training;
    long sum = 0;
    for (long d : done.values()) {
      sum += d;
    }
    double elapsed = (now - start) / 1e9;
    String eta = sum > 0 ? String.format("%.0f s", elapsed / sum * (all - sum)) : "?";
    return String.format(
        "training restart %d/%d epoch %d/%d iteration %d/%d loss %.4f | %.0f%% of %d iterations, %.0f s elapsed, ETA %s",
        restart + 1, restarts, epoch + 1, epochs, iteration, total, loss, all > 0 ? 100.0 * sum / all : 0.0, all, elapsed, eta);
  }
}
