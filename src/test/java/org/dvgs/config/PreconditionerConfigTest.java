package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dvgs.scoring.preconditioner}: parsed, defaulted to auto (resolved for the optimizer), and adam refused with SGD. */
class PreconditionerConfigTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  @Test
  void explicitValuesAreKept() {
    assertEquals(Preconditioner.ADAM, of("scoring.preconditioner=adam").scoring().preconditioner());
    assertEquals(Preconditioner.NONE, of("scoring.preconditioner=none").scoring().preconditioner());
    assertEquals(Preconditioner.NONE, of("scoring.preconditioner=none", "training.optimizer=sgd").scoring().preconditioner());
  }

  @Test
  void autoIsTheDefaultAndFollowsTheOptimizer() {
    assertEquals("auto", of().resolved().getString("scoring.preconditioner"));
    assertEquals(OptimizerKind.ADAM, of().training().optimizer());
    assertEquals(Preconditioner.ADAM, of().scoring().preconditioner());
    // An SGD run needs no scoring key of its own.
    assertEquals(Preconditioner.NONE, of("training.optimizer=sgd").scoring().preconditioner());
    assertEquals(Preconditioner.NONE, of("scoring.preconditioner=auto", "training.optimizer=sgd").scoring().preconditioner());
    // A copy with another optimizer resolves auto again, from the setting as written.
    DvgsConfig adam = of();
    assertEquals(Preconditioner.NONE, adam.with(Map.of("training.optimizer", "sgd")).scoring().preconditioner());
    assertEquals(Preconditioner.ADAM, of("training.optimizer=sgd").with(Map.of("training.optimizer", "adam")).scoring().preconditioner());
    // The paper preset pins the Euclidean metric whatever the optimizer.
    assertEquals(Preconditioner.NONE, of("preset=paper").scoring().preconditioner());
  }

  @Test
  void resolvingLeavesEveryOtherSettingAlone() {
    DvgsConfig c = of("scoring.similarity=dot", "scoring.batch-size=77", "scoring.checkpoint-batch=3", "scoring.layers=[0]");
    ScoringConfig auto = c.scoring().resolvedFor(c.training());
    assertEquals(c.scoring(), auto);
    ScoringConfig declared = new ScoringConfig(c.scoring().similarity(), c.scoring().method(), c.scoring().layers(), c.scoring().batchSize(),
        c.scoring().trainModeDropout(), c.scoring().blockMemoryMb(), c.scoring().partitions(), c.scoring().intraOpThreads(),
        c.scoring().storageLevel(), c.scoring().targetGradient(), c.scoring().progressIntervalS(), Preconditioner.AUTO, c.scoring().checkpointBatch());
    ScoringConfig sgd = declared.resolvedFor(of("training.optimizer=sgd").training());
    assertEquals(Preconditioner.NONE, sgd.preconditioner());
    assertEquals(new ScoringConfig(c.scoring().similarity(), c.scoring().method(), c.scoring().layers(), c.scoring().batchSize(),
        c.scoring().trainModeDropout(), c.scoring().blockMemoryMb(), c.scoring().partitions(), c.scoring().intraOpThreads(),
        c.scoring().storageLevel(), c.scoring().targetGradient(), c.scoring().progressIntervalS(), Preconditioner.NONE, c.scoring().checkpointBatch()), sgd);
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
    assertTrue(m.contains("dvgs.scoring.preconditioner = \"rmsprop\" is not one of [none, adam, auto]"), m);
  }
}
