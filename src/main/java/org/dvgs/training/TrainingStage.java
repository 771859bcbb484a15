package org.dvgs.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.Path;
import org.dvgs.config.RestartMode;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Engines;
import org.dvgs.output.RestartSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver training of every restart that the snapshot store does not already hold as a file that verifies (a file
 * that does not is moved aside and its restart trained again). Restarts are independent (each has its own seed,
 * network and snapshot file). With {@code training.restart-mode = batched} (and more than one configured restart)
 * the restarts to train run together as one stacked network on one thread ({@link TargetTrainer#trainStacked}),
 * which pays the per-step cost of the engine once for all of them; with {@code parallel} up to one per core train at
 * once (all of them when fewer than twice the cores would leave a round part-empty: {@link #parallelRestarts}), each
 * on its own thread with its own PyTorch grad mode. Either way a restart's snapshots do not depend on
 * which other restarts train with it, nor on the order they finish in.
 */
public final class TrainingStage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingStage.class);

  /**
   * What training did.
   *
   * @param restarts per restart: reused or iterations, losses and seconds
   * @param reused restarts taken from the store
   */
  public record Result(List<RestartSummary> restarts, int reused) {}

  private TrainingStage() {}

  /** Trains every restart the store does not hold as a file that verifies, as many at once as {@link #parallelRestarts}. */
  public static Result run(TargetTrainer trainer, SnapshotStore store, DenseRows target, int restarts, int epochs, int logEvery) {
    int cores = Runtime.getRuntime().availableProcessors();
    List<Integer> todo = new ArrayList<>();
    Map<Integer, RestartSummary.ReplacedFile> replaced = new LinkedHashMap<>();
    Map<Integer, Long> reusedCounts = new LinkedHashMap<>();
    for (int r = 0; r < restarts; r++) {
      // Every reused file is read through once here, so a damaged one is retrained before any of it is scored.
      SnapshotStore.Check c = store.check(r);
      if (c.good()) {
        reusedCounts.put(r, c.snapshots());
        continue;
      }
      if (c.state() == SnapshotStore.State.CORRUPT) {
        Path aside = store.quarantine(c);
        SnapshotStore.Check again = aside == null ? store.check(r) : null;
        if (again != null && again.good()) {
          // Another run sharing the directory replaced it with a good file meanwhile.
          reusedCounts.put(r, again.snapshots());
          continue;
        }
        replaced.put(r, new RestartSummary.ReplacedFile(c.file().toString(), c.problem(), aside == null ? "" : aside.toString()));
      }
      todo.add(r);
    }
    // A run of one restart has nothing to stack: it trains alone, the reference path. With more, the batched mode
    // stacks whichever are left to train (one or all), so a resumed run trains them exactly as a fresh one.
    if (trainer.restartMode() == RestartMode.BATCHED && restarts > 1) {
      return runStacked(trainer, store, target, restarts, epochs, logEvery, todo, replaced, reusedCounts, cores);
    }
    int parallel = parallelRestarts(todo.size(), cores);
    // Intra-op threads per restart follow from the configured restarts, not from how many are left to train, and
    // are set on each training thread itself (PyTorch keeps the setting per thread), so that a resumed run trains
    // its remaining restarts exactly as a fresh run would. (Under MKL_CBWR=AUTO,STRICT the thread count does not
    // change the numbers anyway; without it, it can.)
    int threads = trainer.intraOpThreads() > 0 ? trainer.intraOpThreads() : threadsPerRestart(restarts, cores);
    List<RestartSummary> out = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "dvgs-training");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<RestartSummary>> futures = new ArrayList<>();
      TrainingProgress progress = new TrainingProgress(restarts, todo.size(), epochs, logEvery);
      for (int r : todo) {
        futures.add(pool.submit(() -> {
          Engines.threads(threads);
          return trainOne(trainer, store, target, r, progress, replaced.get(r));
        }));
      }
      int next = 0;
      for (int r = 0; r < restarts; r++) {
        if (next < todo.size() && todo.get(next) == r) {
          out.add(await(futures.get(next++)));
        } else {
          LOG.info("restart {}: reusing {} snapshots in {}", r, reusedCounts.get(r), store.directory());
          out.add(RestartSummary.reused(r, reusedCounts.get(r)));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Result(out, restarts - todo.size());
  }

  private static Result runStacked(
      TargetTrainer trainer, SnapshotStore store, DenseRows target, int restarts, int epochs, int logEvery, List<Integer> todo,
      Map<Integer, RestartSummary.ReplacedFile> replaced, Map<Integer, Long> reusedCounts, int cores) {
    Map<Integer, RestartSummary> trained = new LinkedHashMap<>();
    if (!todo.isEmpty()) {
      // One training thread for the whole stack, with every core as its intra-op threads (one thread "at once").
      int threads = trainer.intraOpThreads() > 0 ? trainer.intraOpThreads() : threadsPerRestart(1, cores);
      ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dvgs-training");
        t.setDaemon(true);
        return t;
      });
      try {
        Future<List<RestartSummary>> f = pool.submit(() -> {
          Engines.threads(threads);
          return trainStacked(trainer, store, target, restarts, epochs, logEvery, todo, replaced);
        });
        for (RestartSummary s : await(f)) {
          trained.put(s.restart(), s);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    List<RestartSummary> out = new ArrayList<>();
    for (int r = 0; r < restarts; r++) {
      if (trained.containsKey(r)) {
        out.add(trained.get(r));
      } else {
        LOG.info("restart {}: reusing {} snapshots in {}", r, reusedCounts.get(r), store.directory());
        out.add(RestartSummary.reused(r, reusedCounts.get(r)));
      }
    }
    return new Result(out, restarts - todo.size());
  }

  private static List<RestartSummary> trainStacked(
      TargetTrainer trainer, SnapshotStore store, DenseRows target, int restarts, int epochs, int logEvery, List<Integer> todo,
      Map<Integer, RestartSummary.ReplacedFile> replaced) {
    List<SnapshotStore.Writer> writers = new ArrayList<>();
    try {
      List<java.util.function.Consumer<org.dvgs.model.Snapshot>> sinks = new ArrayList<>();
      for (int r : todo) {
        SnapshotStore.Writer w = store.writer(r);
        writers.add(w);
        sinks.add(w::accept);
      }
      TrainingProgress progress = new TrainingProgress(restarts, todo.size(), epochs, logEvery);
      TargetTrainer.RestartResult[] res =
          trainer.trainStacked(todo.stream().mapToInt(Integer::intValue).toArray(), target, sinks, progress);
      List<RestartSummary> out = new ArrayList<>();
      for (int j = 0; j < todo.size(); j++) {
        SnapshotStore.Writer w = writers.get(j);
        SnapshotStore.Commit commit = w.commit();
        int r = todo.get(j);
        out.add(new RestartSummary(r, false, w.count(), commit == SnapshotStore.Commit.KEPT_EXISTING ? Boolean.TRUE : null,
            replaced.get(r), res[j].iterations(), res[j].firstLoss(), res[j].lastLoss(), res[j].seconds(),
            res[j].classFallbacks() > 0 ? res[j].classFallbacks() : null));
      }
      return out;
    } finally {
      // An uncommitted file (training failed) is removed; a committed one is left alone.
      for (SnapshotStore.Writer w : writers) {
        w.close();
      }
    }
  }

  /**
   * Training threads for {@code todo} restarts on {@code cores} cores: one per core, or one per restart when there
   * are fewer than twice as many restarts as cores and they do not fill whole rounds. Three restarts on two cores
   * then train side by side in about 1.5 restart-times instead of two rounds of which the second leaves a core idle;
   * restarts are independent (each has its own seed and network), so the snapshots do not depend on this.
   */
  static int parallelRestarts(int todo, int cores) {
    return todo < 2 * cores && todo % cores != 0 ? todo : Math.max(1, Math.min(todo, cores));
  }

  /** Intra-op threads of each training thread: the cores shared by the restarts that can train at once. */
  static int threadsPerRestart(int restarts, int cores) {
    return Math.max(1, cores / Math.max(1, Math.min(restarts, cores)));
  }

  private static RestartSummary trainOne(
      TargetTrainer trainer, SnapshotStore store, DenseRows target, int r, TrainingProgress progress, RestartSummary.ReplacedFile replaced) {
    try (SnapshotStore.Writer w = store.writer(r)) {
      TargetTrainer.RestartResult res = trainer.train(r, target, w::accept, progress);
      SnapshotStore.Commit commit = w.commit();
      // KEPT_EXISTING: another run with the same fingerprint published this restart first; both runs score its file.
      return new RestartSummary(r, false, w.count(), commit == SnapshotStore.Commit.KEPT_EXISTING ? Boolean.TRUE : null, replaced,
          res.iterations(), res.firstLoss(), res.lastLoss(), res.seconds(), res.classFallbacks() > 0 ? res.classFallbacks() : null);
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
