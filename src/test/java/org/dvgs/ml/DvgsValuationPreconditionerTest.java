package org.dvgs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dvgs.config.ConfigValidationException;
import org.junit.jupiter.api.Test;

/** The estimator's {@code preconditioner} parameter mirrors {@code dvgs.scoring.preconditioner}. */
class DvgsValuationPreconditionerTest {
  @Test
  void defaultsToAutoWhichFollowsTheOptimizer() {
    DvgsValuation v = new DvgsValuation();
    assertEquals("auto", v.getPreconditioner());
    // auto resolves to none with SGD, so the optimizer alone can change (no conflict with the default).
    DvgsValuation sgd = new DvgsValuation().setOptimizer("sgd");
    assertEquals("sgd", sgd.getOptimizer());
    assertEquals("auto", sgd.getPreconditioner());
    assertEquals("none", sgd.setPreconditioner("none").getPreconditioner());
    assertEquals("auto", sgd.setPreconditioner("auto").getPreconditioner());
  }

  @Test
  void refusesAdamWithSgd() {
    DvgsValuation v = new DvgsValuation();
    assertEquals("adam", v.setPreconditioner("adam").getPreconditioner());
    String m = assertThrows(ConfigValidationException.class, () -> v.setOptimizer("sgd")).getMessage();
    assertTrue(m.contains("dvgs.scoring.preconditioner"), m);
    assertEquals("adam", v.getOptimizer());
    DvgsValuation sgd = new DvgsValuation().setOptimizer("sgd");
    m = assertThrows(ConfigValidationException.class, () -> sgd.setPreconditioner("adam")).getMessage();
    assertTrue(m.contains("dvgs.scoring.preconditioner = adam needs"), m);
    assertEquals("auto", sgd.getPreconditioner());
    assertThrows(IllegalArgumentException.class, () -> new DvgsValuation().setPreconditioner("rmsprop"));
  }
}
