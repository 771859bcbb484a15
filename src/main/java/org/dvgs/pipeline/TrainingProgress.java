package org.dvgs.pipeline;

import org.dvgs.training.TargetTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a driver training progress line (restart, epoch, loss, ETA) every {@code logEvery} iterations. */
final class TrainingProgress implements TargetTrainer.Progress {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);
  private final int restarts;
  private final int logEvery;
  private long start = System.nanoTime();
  private int currentRestart = -1;

  TrainingProgress(int restarts, int logEvery) {
    this.restarts = restarts;
    this.logEvery = logEvery;
  }

  @Override
  public void update(int restart, int epoch, long iteration, long total, double loss) {
    if (restart != currentRestart) {
      currentRestart = restart;
      start = System.nanoTime();
    }
    if (logEvery > 0 && iteration % logEvery == 0) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      double eta = elapsed / iteration * (total - iteration);
      LOG.info(
          "training restart {}/{} epoch {} iteration {}/{} loss {} ETA {} s",
          restart + 1, restarts, epoch + 1, iteration, total, String.format("%.4f", loss), String.format("%.0f", eta));
    }
  }
}
