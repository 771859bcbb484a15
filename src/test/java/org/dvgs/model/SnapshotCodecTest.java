package org.dvgs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.Task;
import org.junit.jupiter.api.Test;

/**
 * The persisted snapshot format: the current format round-trips with its count and checksum, truncated, flipped
 * and extended files are each detected and named, files of the earlier formats are still read, and mismatches are
 * clear errors.
 */
class SnapshotCodecTest {
  static final NetworkSpec SPEC = new NetworkSpec(Task.CLASSIFIER, new int[] {3, 4, 2}, ActivationKind.RELU, 0.0, false, 2);

  static ParameterSet set(long seed) {
    return ParameterSet.initial(SPEC, seed);
  }

  static byte[] file(int classes, Snapshot... snaps) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      SnapshotCodec.writeHeader(out, SPEC, classes);
      for (Snapshot s : snaps) {
        SnapshotCodec.write(out, s);
      }
    }
    return bytes.toByteArray();
  }

  static void assertSameValues(ParameterSet a, ParameterSet b) {
    for (int l = 0; l < a.layers(); l++) {
      assertArrayEquals(a.weights()[l], b.weights()[l]);
      assertArrayEquals(a.biases()[l], b.biases()[l]);
    }
  }

  static byte[] checked(int classes, Snapshot... snaps) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (SnapshotCodec.Writer w = new SnapshotCodec.Writer(bytes, SPEC, classes)) {
      for (Snapshot s : snaps) {
        w.write(s);
      }
      w.finish();
    }
    return bytes.toByteArray();
  }

  static Snapshot[] restart(int restart, int n, boolean classes) {
    Snapshot[] out = new Snapshot[n];
    for (int i = 0; i < n; i++) {
      out[i] = classes
          ? new Snapshot(restart, 3L * i, 1.0 / (i + 1), set(10 * i), set(10 * i + 1), new ParameterSet[] {set(10 * i + 2), i % 2 == 0 ? null : set(10 * i + 3)})
          : new Snapshot(restart, 3L * i, 1.0 / (i + 1), set(10 * i), set(10 * i + 1));
    }
    return out;
  }

  static SnapshotCodec.Reader reader(byte[] bytes, int classes) throws IOException {
    return new SnapshotCodec.Reader(new ByteArrayInputStream(bytes), SPEC, classes, "ckpt/restart-00001.snap");
  }

  /** The message of reading {@code bytes} to the end (with and without keeping the snapshots), or null if it reads. */
  static String problem(byte[] bytes, int classes) {
    String kept;
    try (SnapshotCodec.Reader r = reader(bytes, classes)) {
      while (r.next() != null) {
        // read all
      }
      kept = null;
    } catch (IOException e) {
      kept = e.getMessage();
    }
    String verified;
    try (SnapshotCodec.Reader r = reader(bytes, classes)) {
      r.verify();
      verified = null;
    } catch (IOException e) {
      verified = e.getMessage();
    }
    assertEquals(kept, verified, "reading and verifying find the same problem");
    return kept;
  }

  @Test
  void currentFormatRoundTripsWithCountAndChecksum() throws IOException {
    for (int classes : new int[] {0, 2}) {
      Snapshot[] snaps = restart(1, 4, classes > 0);
      byte[] bytes = checked(classes, snaps);
      assertEquals(0x44564753534e5033L, ByteBuffer.wrap(bytes).getLong(), "\"DVGSSNP3\"");
      try (SnapshotCodec.Reader r = reader(bytes, classes)) {
        assertEquals(3, r.format());
        assertTrue(r.checksummed());
        for (Snapshot s : snaps) {
          Snapshot back = r.next();
          assertEquals(s.iteration(), back.iteration());
          assertEquals(s.targetLoss(), back.targetLoss());
          assertSameValues(s.parameters(), back.parameters());
          assertSameValues(s.targetGradient(), back.targetGradient());
          if (classes > 0) {
            assertSameValues(s.gradientForClass(0), back.gradientForClass(0));
            assertSameValues(s.gradientForClass(1), back.gradientForClass(1));
            assertEquals(s.classGradients()[1] == null, back.classGradients()[1] == null);
          }
        }
        assertNull(r.next());
        assertEquals(4, r.count());
        assertEquals(1, r.restart());
      }
      try (SnapshotCodec.Reader r = reader(bytes, classes)) {
        assertEquals(4, r.verify());
      }
    }
    try (SnapshotCodec.Reader r = reader(checked(0), 0)) {
      assertNull(r.next(), "a restart without snapshots is a valid, empty file");
    }
  }

  @Test
  void truncatedFlippedAndExtendedFilesAreDetectedAndNamed() throws IOException {
    for (int classes : new int[] {0, 2}) {
      byte[] good = checked(classes, restart(1, 3, classes > 0));
      assertNull(problem(good, classes));
      for (int cut : new int[] {1, 3, 4, 8, 12, 21, 22, 100, good.length / 2, good.length - 9}) {
        String p = problem(Arrays.copyOf(good, good.length - cut), classes);
        assertTrue(p != null && p.startsWith("ckpt/restart-00001.snap") && p.contains("truncated"), "cut " + cut + ": " + p);
      }
      for (int at : new int[] {good.length / 2, good.length / 3, 60, good.length - 5, good.length - 14}) {
        byte[] flipped = good.clone();
        flipped[at] ^= 0x10;
        String p = problem(flipped, classes);
        assertTrue(p != null && p.startsWith("ckpt/restart-00001.snap") && p.contains("corrupt"), "flip at " + at + ": " + p);
      }
      byte[] middle = good.clone();
      middle[good.length / 2] ^= 0x01;
      assertTrue(problem(middle, classes).contains("checksum mismatch"), problem(middle, classes));
      for (int extra : new int[] {1, 7, 500}) {
        byte[] longer = Arrays.copyOf(good, good.length + extra);
        longer[good.length] = (byte) 0x5a;
        String p = problem(longer, classes);
        assertTrue(p != null && p.contains("bytes after its trailer"), "appended " + extra + ": " + p);
      }
      byte[] header = Arrays.copyOf(good, 10);
      assertTrue(problem(header, classes).contains("shorter than a snapshot file header"), problem(header, classes));
    }
  }

  @Test
  void earlierFormatsAreStillReadWithoutChecksum() throws IOException {
    Snapshot[] snaps = restart(0, 3, false);
    byte[] v1 = file(0, snaps);
    try (SnapshotCodec.Reader r = reader(v1, 0)) {
      assertEquals(1, r.format());
      assertFalse(r.checksummed());
      for (Snapshot s : snaps) {
        assertSameValues(s.parameters(), r.next().parameters());
      }
      assertNull(r.next());
      assertEquals(3, r.count());
    }
    Snapshot[] withClasses = restart(2, 2, true);
    byte[] v2 = file(2, withClasses);
    try (SnapshotCodec.Reader r = reader(v2, 2)) {
      assertEquals(2, r.format());
      assertNull(r.next().classGradients()[1], "class 1 absent at the first snapshot");
      assertSameValues(withClasses[1].classGradients()[1], r.next().classGradients()[1]);
      assertNull(r.next());
    }
    // Without a checksum, a cut inside a snapshot is still found; a cut at a snapshot boundary only by the count.
    for (int cut : new int[] {1, 3, 5, 40}) {
      String p = problem(Arrays.copyOf(v1, v1.length - cut), 0);
      assertTrue(p != null && p.contains("ends inside snapshot 3 (truncated)"), "cut " + cut + ": " + p);
    }
    byte[] garbage = Arrays.copyOf(v1, v1.length + 30);
    assertTrue(problem(garbage, 0).contains("ends inside snapshot 4"), problem(garbage, 0));
    try (SnapshotCodec.Reader r = reader(file(0, snaps[0], snaps[1]), 0)) {
      assertEquals(2, r.verify(), "a whole snapshot missing: only a known count can tell");
    }
    assertTrue(problem(file(0, snaps[1], snaps[0]), 0).contains("has iteration 0 after iteration 3"));
  }

  @Test
  void classGradientsRoundTripIncludingAbsentClasses() throws IOException {
    Snapshot a = new Snapshot(1, 7, 0.5, set(1), set(2), new ParameterSet[] {set(3), null});
    Snapshot b = new Snapshot(1, 8, 0.25, set(4), set(5), new ParameterSet[] {set(6), set(7)});
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(file(2, a, b)));
    SnapshotCodec.readHeader(in, SPEC, 2, "f");
    Snapshot ra = SnapshotCodec.read(in, SPEC, 2);
    Snapshot rb = SnapshotCodec.read(in, SPEC, 2);
    assertNull(SnapshotCodec.read(in, SPEC, 2));
    assertEquals(7, ra.iteration());
    assertSameValues(a.targetGradient(), ra.targetGradient());
    assertSameValues(set(3), ra.classGradients()[0]);
    assertNull(ra.classGradients()[1]);
    // The absent class falls back to the batch gradient: the values written as it (set(2)), drawn afresh here.
    assertSameValues(set(2), ra.gradientForClass(1));
    assertSameValues(set(3), ra.gradientForClass(0));
    assertSameValues(set(7), rb.classGradients()[1]);
  }

  @Test
  void batchOnlyFilesKeepFormatOne() throws IOException {
    Snapshot a = new Snapshot(0, 0, 1.0, set(1), set(2));
    byte[] bytes = file(0, a);
    assertEquals(0x44564753534e5031L, ByteBuffer.wrap(bytes).getLong(), "\"DVGSSNP1\", readable by earlier versions");
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    SnapshotCodec.readHeader(in, SPEC, "f");
    Snapshot r = SnapshotCodec.read(in, SPEC);
    assertNull(r.classGradients());
    assertSameValues(a.parameters(), r.parameters());
    assertEquals(0x44564753534e5032L, ByteBuffer.wrap(file(2)).getLong());
  }

  @Test
  void mismatchesAreClearErrors() throws IOException {
    byte[] plain = file(0, new Snapshot(0, 0, 1.0, set(1), set(2)));
    IOException e = assertThrows(IOException.class,
        () -> SnapshotCodec.readHeader(new DataInputStream(new ByteArrayInputStream(plain)), SPEC, 2, "restart-00000.snap"));
    assertTrue(e.getMessage().contains("restart-00000.snap holds snapshots with no per-class target gradients, expected 2"), e.getMessage());
    assertTrue(e.getMessage().contains("dvgs.scoring.target-gradient"), e.getMessage());

    byte[] perClass = file(2);
    e = assertThrows(IOException.class, () -> SnapshotCodec.readHeader(new DataInputStream(new ByteArrayInputStream(perClass)), SPEC, "g"));
    assertTrue(e.getMessage().contains("g holds snapshots with 2 per-class target gradients, expected none"), e.getMessage());

    byte[] future = plain.clone();
    future[7] = '9';
    e = assertThrows(IOException.class, () -> SnapshotCodec.readHeader(new DataInputStream(new ByteArrayInputStream(future)), SPEC, "h"));
    assertTrue(e.getMessage().contains("h is in snapshot format 9"), e.getMessage());

    byte[] other = plain.clone();
    other[0] = 'X';
    e = assertThrows(IOException.class, () -> SnapshotCodec.readHeader(new DataInputStream(new ByteArrayInputStream(other)), SPEC, "i"));
    assertTrue(e.getMessage().contains("i is not a dvgs snapshot file"), e.getMessage());
  }
}
