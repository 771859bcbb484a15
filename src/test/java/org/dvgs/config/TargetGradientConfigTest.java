package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code dvgs.scoring.target-gradient}: parsed, defaulted, and refused at start-up where it cannot apply. */
class TargetGradientConfigTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  static String error(String... overrides) {
    return assertThrows(ConfigValidationException.class, () -> of(overrides)).getMessage();
  }

  @Test
  void defaultIsTheBatchGradient() {
    assertEquals(TargetGradient.BATCH, of().scoring().targetGradient());
    assertEquals(TargetGradient.WITHIN_CLASS, of("scoring.target-gradient=within-class").scoring().targetGradient());
    assertEquals(TargetGradient.BATCH, of("scoring.target-gradient=batch", "model.task=regressor").scoring().targetGradient());
  }

  @Test
  void withinClassNeedsAClassifier() {
    for (String task : new String[] {"regressor", "autoencoder"}) {
      String m = error("scoring.target-gradient=within-class", "model.task=" + task);
      assertTrue(m.contains("dvgs.scoring.target-gradient = within-class needs class labels (dvgs.model.task = classifier), got dvgs.model.task = " + task), m);
    }
    // Copies made with with(..) are checked too.
    DvgsConfig ok = of("scoring.target-gradient=within-class");
    String m = assertThrows(ConfigValidationException.class, () -> ok.with(java.util.Map.of("model.task", "autoencoder"))).getMessage();
    assertTrue(m.contains("dvgs.scoring.target-gradient"), m);
  }

  @Test
  void unknownValuesNameTheKey() {
    String m = error("scoring.target-gradient=per-class");
    assertTrue(m.contains("dvgs.scoring.target-gradient = \"per-class\" is not one of [batch, within-class]"), m);
    assertTrue(error("scoring.target-gradients=batch").contains("dvgs.scoring.target-gradients"));
  }
}
