package org.dvgs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.Task;
import org.junit.jupiter.api.Test;

/** The persisted snapshot format: both versions round-trip, and mismatches are clear errors. */
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
