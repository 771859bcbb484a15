package org.dvgs.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Binary snapshot format. Format 1 (batch gradient only): a header {@code "DVGSSNP1", layer count, widths}, then
 * snapshots one after another, each {@code restart:int, iteration:long, loss:double} followed by weights and
 * biases of every layer, then the target gradient in the same layout. Format 2 (with per-class gradients, written
 * only for within-class scoring): header {@code "DVGSSNP2", layer count, widths, classes:int}; each snapshot as in
 * format 1, followed per class by a presence byte (1 = the batch had rows of that class) and, when present, that
 * class's gradient in the same layout. Floats are little-endian. Files without class gradients stay in format 1, so
 * snapshots written before format 2 existed are still read and reused.
 */
public final class SnapshotCodec {
  private static final long MAGIC_PREFIX = 0x44564753534e5000L; // "DVGSSNP" + version digit
  private static final long MAGIC = MAGIC_PREFIX | '1';
  private static final long MAGIC_CLASSES = MAGIC_PREFIX | '2';

  private SnapshotCodec() {}

  /** Writes a format-1 header (batch gradient only). */
  public static void writeHeader(DataOutputStream out, NetworkSpec spec) throws IOException {
    writeHeader(out, spec, 0);
  }

  /**
   * Writes the header of a file whose snapshots each carry {@code classGradients} per-class gradients (0 = none:
   * format 1; otherwise format 2).
   */
  public static void writeHeader(DataOutputStream out, NetworkSpec spec, int classGradients) throws IOException {
    out.writeLong(classGradients == 0 ? MAGIC : MAGIC_CLASSES);
    out.writeInt(spec.widths().length);
    for (int w : spec.widths()) {
      out.writeInt(w);
    }
    if (classGradients > 0) {
      out.writeInt(classGradients);
    }
  }

  /** Reads and checks the header of a file without per-class gradients. */
  public static void readHeader(DataInputStream in, NetworkSpec spec, String where) throws IOException {
    readHeader(in, spec, 0, where);
  }

  /**
   * Reads and checks the header against the expected network and number of per-class gradients per snapshot.
   *
   * @throws IOException naming {@code where} when the file is not a snapshot file, holds another network, was
   *     written in an unknown format version, or does (not) carry the expected class gradients
   */
  public static void readHeader(DataInputStream in, NetworkSpec spec, int classGradients, String where) throws IOException {
    long magic = in.readLong();
    if ((magic & ~0xffL) != MAGIC_PREFIX) {
      throw new IOException(where + " is not a dvgs snapshot file");
    }
    if (magic != MAGIC && magic != MAGIC_CLASSES) {
      throw new IOException(
          where + " is in snapshot format " + (char) (magic & 0xff) + ", which this version of dvgs-spark cannot read "
              + "(it reads formats 1 and 2); delete the directory to train again");
    }
    int n = in.readInt();
    int[] widths = spec.widths();
    boolean ok = n == widths.length;
    for (int i = 0; i < n; i++) {
      int w = in.readInt();
      ok &= i < widths.length && widths[i] == w;
    }
    if (!ok) {
      throw new IOException(where + " holds snapshots of another network than " + spec);
    }
    int classes = magic == MAGIC_CLASSES ? in.readInt() : 0;
    if (classes != classGradients) {
      throw new IOException(
          where + " holds snapshots with " + (classes == 0 ? "no" : String.valueOf(classes)) + " per-class target gradients, expected "
              + (classGradients == 0 ? "none" : String.valueOf(classGradients))
              + " (dvgs.scoring.target-gradient differs from the run that wrote it)");
    }
  }

  /** Writes one snapshot; its class gradients, if any, must match the header written. */
  public static void write(DataOutputStream out, Snapshot s) throws IOException {
    out.writeInt(s.restart());
    out.writeLong(s.iteration());
    out.writeDouble(s.targetLoss());
    writeSet(out, s.parameters());
    writeSet(out, s.targetGradient());
    if (s.hasClassGradients()) {
      for (ParameterSet g : s.classGradients()) {
        out.writeByte(g == null ? 0 : 1);
        if (g != null) {
          writeSet(out, g);
        }
      }
    }
  }

  /** Reads the next snapshot of a file without class gradients, or returns null at a clean end of file. */
  public static Snapshot read(DataInputStream in, NetworkSpec spec) throws IOException {
    return read(in, spec, 0);
  }

  /**
   * Reads the next snapshot, or returns null at a clean end of file.
   *
   * @param classGradients per-class gradients per snapshot, as in the header (0 = none)
   */
  public static Snapshot read(DataInputStream in, NetworkSpec spec, int classGradients) throws IOException {
    int restart;
    try {
      restart = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    long iteration = in.readLong();
    double loss = in.readDouble();
    ParameterSet params = readSet(in, spec);
    ParameterSet grad = readSet(in, spec);
    ParameterSet[] perClass = null;
    if (classGradients > 0) {
      perClass = new ParameterSet[classGradients];
      for (int c = 0; c < classGradients; c++) {
        byte present = in.readByte();
        if (present != 0 && present != 1) {
          throw new IOException("bad class-gradient marker " + present + " at restart " + restart + ", iteration " + iteration);
        }
        perClass[c] = present == 1 ? readSet(in, spec) : null;
      }
    }
    return new Snapshot(restart, iteration, loss, params, grad, perClass);
  }

  private static void writeSet(DataOutputStream out, ParameterSet p) throws IOException {
    for (int l = 0; l < p.layers(); l++) {
      writeFloats(out, p.weights()[l]);
      writeFloats(out, p.biases()[l]);
    }
  }

  private static ParameterSet readSet(DataInputStream in, NetworkSpec spec) throws IOException {
    int layers = spec.layers();
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = readFloats(in, spec.width(l + 1) * spec.width(l));
      b[l] = readFloats(in, spec.width(l + 1));
    }
    return new ParameterSet(w, b);
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(v);
    out.write(buf.array());
  }

  private static float[] readFloats(DataInputStream in, int n) throws IOException {
    byte[] bytes = new byte[4 * n];
    in.readFully(bytes);
    float[] v = new float[n];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
