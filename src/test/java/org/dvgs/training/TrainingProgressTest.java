package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The training progress line: when it is written and what it says, on a clock the test moves. */
class TrainingProgressTest {
  static final long SECOND = 1_000_000_000L;

  @Test
  void linesByTimeAndAtTheEndOfEachRestartWithAnEtaOverAllRestarts() {
    AtomicLong now = new AtomicLong(0);
    List<String> lines = new ArrayList<>();
    // Two restarts trained at once, 5 epochs of 20 iterations each.
    TrainingProgress p = new TrainingProgress(3, 2, 5, 0, now::get, lines::add);
    for (int it = 1; it <= 100; it++) {
      now.addAndGet(SECOND / 2); // 0.5 s per iteration, the two restarts interleaved
      p.update(0, (it - 1) / 20, it, 100, 1.0 / it);
      p.update(2, (it - 1) / 20, it, 100, 2.0 / it);
    }
    // 50 s in all: a line every 10 s at most, plus one when each restart ends.
    assertEquals(6, lines.size(), lines.toString());
    String first = lines.get(0);
    assertTrue(first.startsWith("training restart 1/3 epoch 1/5 iteration 20/100 loss 0.0500"), first);
    // At 10 s, 39 of the 200 iterations are done (the second restart's 20th comes next): 161 more take ~41 s.
    assertTrue(first.endsWith("| 20% of 200 iterations, 10 s elapsed, ETA 41 s"), first);
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("training restart 3/3 epoch 5/5 iteration 100/100"), last);
    assertTrue(last.endsWith("100% of 200 iterations, 50 s elapsed, ETA 0 s"), last);
  }

  @Test
  void everyNIterationsWhenAsked() {
    AtomicLong now = new AtomicLong(0);
    List<String> lines = new ArrayList<>();
    TrainingProgress p = new TrainingProgress(1, 1, 1, 10, now::get, lines::add);
    for (int it = 1; it <= 30; it++) {
      p.update(0, 0, it, 30, 0.5);
    }
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("iteration 10/30"), lines.get(0));
  }
}
