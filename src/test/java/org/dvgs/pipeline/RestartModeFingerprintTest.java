package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.dvgs.config.DvgsConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** The restart mode is not part of the checkpoint fingerprint, so either mode reuses the other's snapshots. */
class RestartModeFingerprintTest {
  @Test
  void fingerprintIgnoresTheRestartModeOnly() {
    DenseRows target = new DenseRows(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, new float[] {0, 1, 0, 1}, 4, 2);
    DvgsConfig parallel = TestConfigs.of("training.restarts=3", "training.restart-mode=parallel");
    DvgsConfig batched = TestConfigs.of("training.restarts=3", "training.restart-mode=batched");
    DvgsConfig otherSeed = TestConfigs.of("training.restarts=3", "training.restart-mode=batched", "seed=8");
    NetworkSpec spec = NetworkSpec.of(parallel.model(), 2, 2);
    assertEquals(TrainingStep.fingerprint(parallel, spec, target), TrainingStep.fingerprint(batched, spec, target));
    // The comparison can fail: a setting that is part of it moves the fingerprint.
    assertNotEquals(TrainingStep.fingerprint(parallel, spec, target), TrainingStep.fingerprint(otherSeed, spec, target));
  }
}
