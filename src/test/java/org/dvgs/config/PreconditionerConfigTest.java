package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dvgs.scoring.preconditioner}: parsed, defaulted to none, and refused with SGD. */
class PreconditionerConfigTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  @Test
  void defaultIsNone() {
    assertEquals(Preconditioner.NONE, of().scoring().preconditioner());
    assertEquals(Preconditioner.ADAM, of("scoring.preconditioner=adam").scoring().preconditioner());
    assertEquals(Preconditioner.NONE, of("scoring.preconditioner=none", "training.optimizer=sgd").scoring().preconditioner());
  }

  @Test
  void adamNeedsTheAdamOptimizer() {
    String m = assertThrows(ConfigValidationException.class, () -> of("scoring.preconditioner=adam", "training.optimizer=sgd")).getMessage();
    assertTrue(m.contains("dvgs.scoring.preconditioner = adam needs Adam's second moment (dvgs.training.optimizer = adam), got "
        + "dvgs.training.optimizer = sgd"), m);
    DvgsConfig ok = of("scoring.preconditioner=adam");
    m = assertThrows(ConfigValidationException.class, () -> ok.with(Map.of("training.optimizer", "sgd"))).getMessage();
    assertTrue(m.contains("dvgs.scoring.preconditioner"), m);
  }

  @Test
  void unknownValueNamesTheKey() {
    String m = assertThrows(ConfigValidationException.class, () -> of("scoring.preconditioner=rmsprop")).getMessage();
    assertTrue(m.contains("dvgs.scoring.preconditioner = \"rmsprop\" is not one of [none, adam]"), m);
  }
}
