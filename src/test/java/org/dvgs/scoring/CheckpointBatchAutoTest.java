package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.ScoringConfig;
import org.dvgs.config.Task;
import org.dvgs.model.NetworkSpec;
import org.dvgs.pipeline.TrainingStep;
import org.junit.jupiter.api.Test;

/**
 * {@code dvgs.scoring.checkpoint-batch = auto}: parsed, the default, and resolved from the network and the configured
 * batch size alone (as many snapshots per pass as fit {@link ScoringOptions#AUTO_PASS_BYTES} of intermediates, one at
 * a time where fewer than two fit); explicit values are kept as they are.
 */
class CheckpointBatchAutoTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  static NetworkSpec autoencoder(int width, int... hidden) {
    int[] widths = new int[hidden.length + 2];
    widths[0] = width;
    System.arraycopy(hidden, 0, widths, 1, hidden.length);
    widths[widths.length - 1] = width;
    return new NetworkSpec(Task.AUTOENCODER, widths, ActivationKind.RELU, 0, false, 0, BlockOrder.NORM_ACT_DROPOUT);
  }

  @Test
  void autoIsTheDefaultAndNumbersAreKept() {
    assertEquals(ScoringConfig.CHECKPOINT_BATCH_AUTO, of().scoring().checkpointBatch());
    assertEquals(ScoringConfig.CHECKPOINT_BATCH_AUTO, of("scoring.checkpoint-batch=auto").scoring().checkpointBatch());
    assertEquals(ScoringConfig.CHECKPOINT_BATCH_AUTO, of("scoring.checkpoint-batch=AUTO").scoring().checkpointBatch());
    assertEquals(0, of("scoring.checkpoint-batch=0").scoring().checkpointBatch());
    assertEquals(1, of("scoring.checkpoint-batch=1").scoring().checkpointBatch());
    assertEquals(7, of("scoring.checkpoint-batch=7").scoring().checkpointBatch());
    assertEquals("auto", ScoringOptions.checkpointBatchName(ScoringConfig.CHECKPOINT_BATCH_AUTO));
    assertEquals("7", ScoringOptions.checkpointBatchName(7));
  }

  @Test
  void anythingElseIsAnErrorNamingTheKey() {
    for (String bad : new String[] {"fast", "-1", "2.5", "\"\""}) {
      String m = assertThrows(ConfigValidationException.class, () -> of("scoring.checkpoint-batch=" + bad), bad).getMessage();
      assertTrue(m.contains("dvgs.scoring.checkpoint-batch"), m);
    }
  }

  @Test
  void explicitSettingsAreNotResolved() {
    NetworkSpec big = autoencoder(978, 512, 256, 32, 256, 512);
    NetworkSpec small = autoencoder(32, 16);
    for (int k : new int[] {0, 1, 2, 9}) {
      assertEquals(k, ScoringOptions.resolveCheckpointBatch(k, big, 4096));
      assertEquals(k, ScoringOptions.resolveCheckpointBatch(k, small, 8));
    }
  }

  @Test
  void autoStacksAsManySnapshotsAsFitOnePassAndNeverOne() {
    for (NetworkSpec spec : List.of(autoencoder(978, 16), autoencoder(978, 512, 256, 32, 256, 512), autoencoder(64, 32, 8, 32),
        new NetworkSpec(Task.CLASSIFIER, new int[] {108, 100, 100, 2}, ActivationKind.MISH, 0.5, true, 2, BlockOrder.NORM_ACT_DROPOUT))) {
      long perRow = SnapshotScorer.bytesPerRowAndSnapshot(spec);
      // The largest batch at which two snapshots' intermediates fit one pass: stacked; one row more: one at a time.
      int two = (int) (ScoringOptions.AUTO_PASS_BYTES / (2 * perRow));
      if (two >= SnapshotScorer.MIN_BATCH_ROWS) {
        assertEquals(2, resolve(spec, two), spec + " at " + two);
        for (int batch : new int[] {SnapshotScorer.MIN_BATCH_ROWS, Math.max(SnapshotScorer.MIN_BATCH_ROWS, two / 3)}) {
          int k = resolve(spec, batch);
          assertTrue(k >= 2, spec + " at " + batch + ": " + k);
          assertTrue(k * perRow * batch <= ScoringOptions.AUTO_PASS_BYTES && (k + 1) * perRow * batch > ScoringOptions.AUTO_PASS_BYTES,
              spec + " at " + batch + ": " + k + " snapshots are as many as fit");
        }
        assertEquals(resolve(spec, SnapshotScorer.MIN_BATCH_ROWS), resolve(spec, 1), spec + ": a batch below "
            + SnapshotScorer.MIN_BATCH_ROWS + " rows is scored padded to it");
      }
      assertEquals(1, resolve(spec, two + 1), spec + " at " + (two + 1));
      assertEquals(1, resolve(spec, 100_000), spec + " at 100,000 rows");
    }
  }

  private static int resolve(NetworkSpec spec, int batch) {
    return ScoringOptions.resolveCheckpointBatch(ScoringConfig.CHECKPOINT_BATCH_AUTO, spec, batch);
  }

  @Test
  void aRunResolvesAutoFromItsConfiguredBatchSize() {
    NetworkSpec ae = autoencoder(978, 512, 256, 32, 256, 512);
    long perRow = SnapshotScorer.bytesPerRowAndSnapshot(ae);
    int two = (int) (ScoringOptions.AUTO_PASS_BYTES / (2 * perRow));
    ScoringOptions stacked = TrainingStep.scoringOptions(of("scoring.batch-size=" + two), ae);
    assertEquals(2, stacked.checkpointBatch());
    assertTrue(stacked.checkpointBatched());
    ScoringOptions one = TrainingStep.scoringOptions(of("scoring.batch-size=" + (two + 1)), ae);
    assertEquals(1, one.checkpointBatch());
    assertEquals(false, one.checkpointBatched());
    assertEquals(4, TrainingStep.scoringOptions(of("scoring.checkpoint-batch=4", "scoring.batch-size=" + (two + 1)), ae).checkpointBatch());
    assertEquals(0, TrainingStep.scoringOptions(of("scoring.checkpoint-batch=0", "scoring.batch-size=" + (two + 1)), ae).checkpointBatch());
  }
}
