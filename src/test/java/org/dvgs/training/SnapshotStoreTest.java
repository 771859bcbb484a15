package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.Task;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Snapshot;
import org.dvgs.model.SnapshotCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint store: files verify before use, a damaged one is moved aside (never deleted), files of earlier
 * formats are read, and writers that share a directory never replace or half-read each other's files.
 */
class SnapshotStoreTest {
  static final NetworkSpec SPEC = new NetworkSpec(Task.CLASSIFIER, new int[] {3, 4, 2}, ActivationKind.RELU, 0.0, false, 2);
  static final Configuration HADOOP = new Configuration();

  @TempDir
  Path root;

  static Snapshot snap(int restart, int i) {
    return new Snapshot(restart, i, 1.0 / (i + 1), ParameterSet.initial(SPEC, 100L * restart + i), ParameterSet.initial(SPEC, 7L * i + 1));
  }

  SnapshotStore store(long expected) {
    return new SnapshotStore(HADOOP, root.toString(), "fp", SPEC, 0, expected);
  }

  static void write(SnapshotStore store, int restart, int n) {
    try (SnapshotStore.Writer w = store.writer(restart)) {
      for (int i = 0; i < n; i++) {
        w.accept(snap(restart, i));
      }
      assertEquals(SnapshotStore.Commit.PUBLISHED, w.commit());
    }
  }

  List<String> names() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root.resolve("fp"))) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    out.sort(null);
    return out;
  }

  @Test
  void writtenFilesVerifyAndReadBack() throws IOException {
    SnapshotStore store = store(3);
    write(store, 0, 3);
    SnapshotStore.Check c = store.check(0);
    assertTrue(c.good(), String.valueOf(c));
    assertEquals(3, c.snapshots());
    assertEquals(SnapshotCodec.FORMAT, c.format());
    Iterator<Snapshot> it = store.read(0);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(snap(0, i).parameters().weights()[1], it.next().parameters().weights()[1]);
    }
    assertFalse(it.hasNext());
    assertEquals(SnapshotStore.State.MISSING, store.check(1).state());
    assertEquals(List.of("restart-00000.snap"), names(), "no temporary or side files left");
  }

  @Test
  void damagedFilesAreNamedMovedAsideAndNeverUsed() throws IOException {
    SnapshotStore store = store(3);
    write(store, 0, 3);
    Path file = root.resolve("fp").resolve("restart-00000.snap");
    byte[] good = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(good, good.length - 2));

    SnapshotStore.Check c = store.check(0);
    assertEquals(SnapshotStore.State.CORRUPT, c.state());
    assertTrue(c.problem().startsWith(file.toUri().getPath()) || c.problem().contains(file.toString()), c.problem());
    assertTrue(c.problem().contains("truncated"), c.problem());
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store.read(0).forEachRemaining(s -> { }));
    assertTrue(e.getMessage().contains("restart 0") && e.getMessage().contains("restart-00000.snap"), e.getMessage());

    org.apache.hadoop.fs.Path aside = store.quarantine(c);
    assertNotNull(aside);
    assertTrue(aside.getName().startsWith("restart-00000.snap.corrupt-"), aside.toString());
    assertEquals(good.length - 2, Files.size(Path.of(aside.toUri().getPath())), "moved, not changed");
    assertFalse(store.has(0));
    write(store, 0, 3);
    assertTrue(store.check(0).good());
  }

  @Test
  void earlierFormatIsReadAndItsSnapshotCountChecked() throws IOException {
    Files.createDirectories(root.resolve("fp"));
    Path file = root.resolve("fp").resolve("restart-00000.snap");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      SnapshotCodec.writeHeader(out, SPEC);
      SnapshotCodec.write(out, snap(0, 0));
      SnapshotCodec.write(out, snap(0, 1));
    }
    Files.write(file, bytes.toByteArray());
    SnapshotStore.Check two = store(2).check(0);
    assertTrue(two.good(), String.valueOf(two));
    assertEquals(1, two.format());
    SnapshotStore.Check three = store(3).check(0);
    assertEquals(SnapshotStore.State.CORRUPT, three.state(), "a snapshot missing at the end of a file without trailer");
    assertTrue(three.problem().contains("holds 2 snapshots, but a restart of these training settings has 3 (truncated)"), three.problem());
    assertTrue(store(-1).check(0).good(), "without a known count there is only the structure to check");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store(3).read(0).forEachRemaining(s -> { }));
    assertTrue(e.getMessage().contains("holds 2 snapshots"), e.getMessage());
  }

  @Test
  void concurrentWritersOfOneRestartKeepTheFirstPublishedFile() throws IOException {
    SnapshotStore a = store(3);
    SnapshotStore b = store(3);
    try (SnapshotStore.Writer wa = a.writer(0); SnapshotStore.Writer wb = b.writer(0)) {
      for (int i = 0; i < 3; i++) {
        wa.accept(snap(0, i));
        wb.accept(snap(0, i));
      }
      assertEquals(2, names().stream().filter(n -> n.startsWith("_tmp-restart-00000-")).count(), "each writer has its own file");
      assertEquals(SnapshotStore.Commit.PUBLISHED, wa.commit());
      byte[] first = Files.readAllBytes(root.resolve("fp").resolve("restart-00000.snap"));
      assertEquals(SnapshotStore.Commit.KEPT_EXISTING, wb.commit());
      assertArrayEquals(first, Files.readAllBytes(root.resolve("fp").resolve("restart-00000.snap")), "never replaced");
    }
    assertEquals(List.of("restart-00000.snap"), names());

    // A writer finding a damaged file under the final name moves it aside and publishes its own.
    Path file = root.resolve("fp").resolve("restart-00000.snap");
    byte[] good = Files.readAllBytes(file);
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 1;
    Files.write(file, flipped);
    try (SnapshotStore.Writer w = a.writer(0)) {
      for (int i = 0; i < 3; i++) {
        w.accept(snap(0, i));
      }
      assertEquals(SnapshotStore.Commit.PUBLISHED, w.commit());
    }
    assertArrayEquals(good, Files.readAllBytes(file));
    assertEquals(1, names().stream().filter(n -> n.startsWith("restart-00000.snap.corrupt-")).count(), names().toString());
  }

  @Test
  void descriptionIsWrittenOnceAndNotReplaced() throws IOException {
    SnapshotStore s = store(1);
    s.describe("{\"a\": 1}");
    s.describe("{\"a\": 2}");
    assertEquals("{\"a\": 1}", Files.readString(root.resolve("fp").resolve("fingerprint.json")));
    assertEquals(List.of("fingerprint.json"), names());
  }
}
