package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.RestartMode;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.DenseRows;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training stage in both restart modes over one snapshot store: the batched mode writes the same files (names,
 * counts, format) the parallel mode reuses and the other way round, its snapshots equal the parallel mode's to float
 * round-off, and a resumed batched run retrains a missing restart to the same bytes as the fresh run.
 */
class TrainingStageModesTest {
  static final NetworkSpec SPEC = new NetworkSpec(Task.CLASSIFIER, new int[] {7, 12, 3}, ActivationKind.MISH, 0.3, true, 3);
  static final Configuration HADOOP = new Configuration();

  @TempDir
  Path root;

  static TargetTrainer trainer(RestartMode mode) {
    TrainingConfig tc = new TrainingConfig(OptimizerKind.ADAM, 1e-2, 0, 0, 16, 3, 3, 1, "", 0, 0, mode);
    return new TargetTrainer(SPEC, tc, true, 17, Device.cpu(), true, true);
  }

  SnapshotStore store(String fingerprint) {
    return new SnapshotStore(HADOOP, root.toString(), fingerprint, SPEC, 3, true, 9);
  }

  static List<List<Snapshot>> read(SnapshotStore store, int restarts) {
    List<List<Snapshot>> out = new ArrayList<>();
    for (int r = 0; r < restarts; r++) {
      out.add(new ArrayList<>());
    }
    Iterator<Snapshot> it = store.readAll(restarts);
    while (it.hasNext()) {
      Snapshot s = it.next();
      out.get(s.restart()).add(s);
    }
    return out;
  }

  @Test
  void batchedFilesAreReusedByParallelAndEqualItsOwnToRoundOff() throws IOException {
    DenseRows data = StackedRestartsTest.data(45, 7, 3, Task.CLASSIFIER);
    SnapshotStore batched = store("fp-a");
    TrainingStage.Result first = TrainingStage.run(trainer(RestartMode.BATCHED), batched, data, 3, 3, 0);
    assertEquals(0, first.reused());
    assertEquals(3, first.restarts().size());
    for (int r = 0; r < 3; r++) {
      assertEquals(9, first.restarts().get(r).snapshots());
      assertEquals(9L, first.restarts().get(r).iterations());
    }
    // The other mode over the same store trains nothing: the files are the ones it would have written.
    TrainingStage.Result again = TrainingStage.run(trainer(RestartMode.PARALLEL), batched, data, 3, 3, 0);
    assertEquals(3, again.reused());

    SnapshotStore parallel = store("fp-b");
    assertEquals(0, TrainingStage.run(trainer(RestartMode.PARALLEL), parallel, data, 3, 3, 0).reused());
    assertEquals(3, TrainingStage.run(trainer(RestartMode.BATCHED), parallel, data, 3, 3, 0).reused());
    assertEquals(names(root.resolve("fp-b")), names(root.resolve("fp-a")));
    List<List<Snapshot>> a = read(batched, 3);
    List<List<Snapshot>> b = read(parallel, 3);
    TargetTrainer.RestartResult[] res = new TargetTrainer.RestartResult[3];
    for (int r = 0; r < 3; r++) {
      res[r] = new TargetTrainer.RestartResult(r, 9, 9, 0, 0, 0, 0);
    }
    double worst = StackedRestartsTest.compare(new StackedRestartsTest.Run(a, res), new StackedRestartsTest.Run(b, res), false);
    assertTrue(worst <= StackedRestartsTest.TOL, "batched files differ from parallel ones by " + worst);
  }

  @Test
  void aResumedBatchedRunRetrainsAMissingRestartToTheSameBytes() throws IOException {
    DenseRows data = StackedRestartsTest.data(45, 7, 3, Task.CLASSIFIER);
    SnapshotStore store = store("fp");
    TrainingStage.run(trainer(RestartMode.BATCHED), store, data, 3, 3, 0);
    Path file = root.resolve("fp").resolve("restart-00001.snap");
    byte[] fresh = Files.readAllBytes(file);
    Files.delete(file);
    TrainingStage.Result resumed = TrainingStage.run(trainer(RestartMode.BATCHED), store, data, 3, 3, 0);
    assertEquals(2, resumed.reused());
    assertArrayEquals(fresh, Files.readAllBytes(file), "restart 1 trained alone in its stack, bit for bit as among all three");
  }

  @Test
  void parallelRestartsTrainedAtOnceEqualEachTrainedAlone() throws IOException {
    DenseRows data = StackedRestartsTest.data(45, 7, 3, Task.CLASSIFIER);
    SnapshotStore store = store("fp-p");
    // Three restarts train on three threads at once on a machine of two or four cores, on two (one per core) on one
    // of three or more; the resumed run below trains each alone.
    TrainingStage.run(trainer(RestartMode.PARALLEL), store, data, 3, 3, 0);
    for (int r = 0; r < 3; r++) {
      Path file = root.resolve("fp-p").resolve(String.format("restart-%05d.snap", r));
      byte[] together = Files.readAllBytes(file);
      Files.delete(file);
      TrainingStage.Result alone = TrainingStage.run(trainer(RestartMode.PARALLEL), store, data, 3, 3, 0);
      assertEquals(2, alone.reused());
      assertArrayEquals(together, Files.readAllBytes(file), "restart " + r + " trained alone, bit for bit as beside the others");
    }
  }

  @Test
  void restartsThatDoNotFillWholeRoundsTrainSideBySide() {
    assertEquals(1, TrainingStage.parallelRestarts(1, 2));
    assertEquals(2, TrainingStage.parallelRestarts(2, 2));
    assertEquals(3, TrainingStage.parallelRestarts(3, 2), "three on two cores: side by side, not 2 + 1");
    assertEquals(2, TrainingStage.parallelRestarts(4, 2), "whole rounds: one per core");
    assertEquals(2, TrainingStage.parallelRestarts(5, 2), "five or more on two cores: one per core");
    assertEquals(3, TrainingStage.parallelRestarts(3, 4));
    assertEquals(6, TrainingStage.parallelRestarts(6, 4));
    assertEquals(4, TrainingStage.parallelRestarts(8, 4));
    assertEquals(4, TrainingStage.parallelRestarts(9, 4));
    assertEquals(1, TrainingStage.parallelRestarts(3, 1));
    assertEquals(1, TrainingStage.parallelRestarts(0, 2));
  }

  static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("restart-")).sorted().toList();
    }
  }
}
