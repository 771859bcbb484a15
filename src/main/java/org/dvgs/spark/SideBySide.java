package org.dvgs.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs pieces of driver-side work (each typically a few Spark jobs) on a few threads made for the call, and returns
 * their results in the order given. The threads are made by the calling thread, so they inherit its Spark local
 * properties (job group, description, scheduler pool: Spark copies them into a thread when it is made), and every
 * job stays attributed to the caller's group.
 *
 * <p>Every piece runs to its end; the first failure, in the order given, is then thrown as itself (a runtime
 * exception keeps its type, so an input error stays one), with the later ones suppressed on it.
 */
public final class SideBySide {
  private SideBySide() {}

  /**
   * Runs {@code work} with at most {@code threads} at once (on the calling thread itself when 1).
   *
   * @param what a short name of the work, for its threads' names ({@code dvgs-<what>}) and an interruption's message
   * @return each piece's result, in the order of {@code work}
   */
  public static <T> List<T> run(List<? extends Callable<T>> work, int threads, String what) {
    List<T> out = new ArrayList<>();
    if (threads <= 1 || work.size() <= 1) {
      for (Callable<T> c : work) {
        try {
          out.add(c.call());
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, work.size()), r -> {
      Thread t = new Thread(r, "dvgs-" + what);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<T>> running = new ArrayList<>();
      for (Callable<T> c : work) {
        running.add(pool.submit(c));
      }
      RuntimeException failed = null;
      for (Future<T> f : running) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
          if (failed == null) {
            failed = cause;
          } else if (failed != cause) {
            failed.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while running " + what, e);
        }
      }
      if (failed != null) {
        throw failed;
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
