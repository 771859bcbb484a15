package org.dvgs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Snapshot format 4 (snapshots with Adam's preconditioner weights) and its neighbours: it round-trips and is
 * checked like format 3, format-3 files (bytes laid out here by hand, as earlier versions wrote them) still read,
 * unpreconditioned snapshots are still written as exactly those bytes, and a file without the weights is refused
 * where they are expected (and the other way round), naming the file and the key.
 */
class PreconditionedSnapshotFormatTest {
  static final NetworkSpec SPEC = SnapshotCodecTest.SPEC;
  static final String WHERE = "ckpt/restart-00000.snap";

  static Snapshot snap(int i, boolean classes, boolean weights) {
    ParameterSet[] perClass = classes ? new ParameterSet[] {SnapshotCodecTest.set(10 * i + 2), null} : null;
    return new Snapshot(0, 2L * i, 0.5 / (i + 1), SnapshotCodecTest.set(10 * i), SnapshotCodecTest.set(10 * i + 1), perClass,
        weights ? SnapshotCodecTest.set(10 * i + 5) : null);
  }

  static byte[] written(int classes, boolean weights, Snapshot... snaps) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (SnapshotCodec.Writer w = new SnapshotCodec.Writer(bytes, SPEC, classes, weights)) {
      for (Snapshot s : snaps) {
        w.write(s);
      }
      w.finish();
    }
    return bytes.toByteArray();
  }

  static SnapshotCodec.Reader reader(byte[] bytes, int classes, boolean weights) throws IOException {
    return new SnapshotCodec.Reader(new ByteArrayInputStream(bytes), SPEC, classes, weights, WHERE);
  }

  /** Format 3 as earlier versions wrote it, laid out independently of the codec. */
  static byte[] format3ByHand(Snapshot... snaps) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write("DVGSSNP3".getBytes(StandardCharsets.US_ASCII));
    out.writeInt(SPEC.widths().length);
    for (int w : SPEC.widths()) {
      out.writeInt(w);
    }
    out.writeInt(0);
    for (Snapshot s : snaps) {
      out.writeByte('R');
      out.writeInt(s.restart());
      out.writeLong(s.iteration());
      out.writeDouble(s.targetLoss());
      for (ParameterSet p : new ParameterSet[] {s.parameters(), s.targetGradient()}) {
        for (int l = 0; l < p.layers(); l++) {
          for (float[] v : new float[][] {p.weights()[l], p.biases()[l]}) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            out.write(b.array());
          }
        }
      }
    }
    out.writeByte('E');
    out.write("DVGSEND3".getBytes(StandardCharsets.US_ASCII));
    out.writeLong(snaps.length);
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void format4RoundTripsWithWeights() throws IOException {
    for (int classes : new int[] {0, 2}) {
      Snapshot[] snaps = {snap(0, classes > 0, true), snap(1, classes > 0, true), snap(2, classes > 0, true)};
      byte[] bytes = written(classes, true, snaps);
      assertEquals("DVGSSNP4", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
      try (SnapshotCodec.Reader r = reader(bytes, classes, true)) {
        assertEquals(4, r.format());
        assertTrue(r.checksummed());
        for (Snapshot s : snaps) {
          Snapshot got = r.next();
          assertEquals(s.iteration(), got.iteration());
          SnapshotCodecTest.assertSameValues(s.parameters(), got.parameters());
          SnapshotCodecTest.assertSameValues(s.targetGradient(), got.targetGradient());
          SnapshotCodecTest.assertSameValues(s.preconditioner(), got.preconditioner());
          if (classes > 0) {
            SnapshotCodecTest.assertSameValues(s.classGradients()[0], got.classGradients()[0]);
            assertNull(got.classGradients()[1]);
          }
        }
        assertNull(r.next());
      }
      try (SnapshotCodec.Reader r = reader(bytes, classes, true)) {
        assertEquals(3, r.verify());
      }
      // A flipped byte inside the last snapshot's weights fails the checksum; a cut file is truncated.
      byte[] flipped = bytes.clone();
      flipped[bytes.length - 40] ^= 0x10;
      String m = assertThrows(IOException.class, () -> {
        try (SnapshotCodec.Reader r = reader(flipped, classes, true)) {
          r.verify();
        }
      }).getMessage();
      assertTrue(m.startsWith(WHERE) && m.contains("checksum mismatch"), m);
      byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 60);
      m = assertThrows(IOException.class, () -> {
        try (SnapshotCodec.Reader r = reader(cut, classes, true)) {
          r.verify();
        }
      }).getMessage();
      assertTrue(m.startsWith(WHERE) && m.contains("truncated"), m);
    }
  }

  @Test
  void format3FilesStillReadAndUnpreconditionedSnapshotsAreStillWrittenAsFormat3() throws IOException {
    Snapshot[] snaps = {snap(0, false, false), snap(1, false, false)};
    byte[] old = format3ByHand(snaps);
    assertArrayEquals(old, written(0, false, snaps), "unpreconditioned snapshots are written byte for byte as before");
    try (SnapshotCodec.Reader r = reader(old, 0, false)) {
      assertEquals(3, r.format());
      for (Snapshot s : snaps) {
        Snapshot got = r.next();
        SnapshotCodecTest.assertSameValues(s.parameters(), got.parameters());
        SnapshotCodecTest.assertSameValues(s.targetGradient(), got.targetGradient());
        assertNull(got.preconditioner());
      }
      assertNull(r.next());
    }
  }

  @Test
  void aFileWithoutWeightsIsRefusedWhereTheyAreExpected() throws IOException {
    byte[] old = format3ByHand(snap(0, false, false));
    String m = assertThrows(IOException.class, () -> reader(old, 0, true)).getMessage();
    assertTrue(m.startsWith(WHERE + " holds snapshots without Adam's preconditioner weights, expected them"), m);
    assertTrue(m.contains("dvgs.scoring.preconditioner") && m.contains("format 3"), m);
    byte[] fresh = written(0, true, snap(0, false, true));
    m = assertThrows(IOException.class, () -> reader(fresh, 0, false)).getMessage();
    assertTrue(m.startsWith(WHERE + " holds snapshots with Adam's preconditioner weights, expected none"), m);
    // An unknown content flag is damage, not a mismatch.
    byte[] flags = fresh.clone();
    int at = 8 + 4 + 4 * SPEC.widths().length + 4;
    flags[at] = 0x40;
    m = assertThrows(IOException.class, () -> reader(flags, 0, true)).getMessage();
    assertTrue(m.contains("unknown content flags"), m);
  }

  @Test
  void theWriterRefusesSnapshotsThatDoNotMatchItsHeader() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> written(0, true, snap(0, false, false)));
    assertThrows(IllegalArgumentException.class, () -> written(0, false, snap(0, false, true)));
  }
}
