package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code dvgs.training.restart-mode}: parsed, defaulted to parallel, anything else refused. */
class RestartModeConfigTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  @Test
  void defaultIsParallelAndBatchedParses() {
    assertEquals(RestartMode.PARALLEL, of().training().restartMode());
    assertEquals(RestartMode.BATCHED, of("training.restart-mode=batched").training().restartMode());
    assertEquals(RestartMode.PARALLEL, of("training.restart-mode=parallel").training().restartMode());
  }

  @Test
  void unknownModeIsRefused() {
    assertThrows(ConfigValidationException.class, () -> of("training.restart-mode=stacked"));
  }
}
