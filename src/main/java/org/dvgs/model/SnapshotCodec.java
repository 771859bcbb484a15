package org.dvgs.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Binary snapshot format: a header with the network widths, then snapshots one after another, each
 * {@code restart:int, iteration:long, loss:double} followed by weights and biases of every layer, then the target
 * gradient in the same layout, then the number of class gradients (0 when none) and each in the same layout.
 * Floats are little-endian. Files of the first format (without class gradients) are refused with a message
 * asking to delete them; snapshots are a cache that a run recomputes.
 */
public final class SnapshotCodec {
  private static final long MAGIC = 0x44564753534e5032L; // "DVGSSNP2"
  private static final long MAGIC_V1 = 0x44564753534e5031L; // "DVGSSNP1"

  private SnapshotCodec() {}

  public static void writeHeader(DataOutputStream out, NetworkSpec spec) throws IOException {
    out.writeLong(MAGIC);
    out.writeInt(spec.widths().length);
    for (int w : spec.widths()) {
      out.writeInt(w);
    }
  }

  /** Reads and checks the header against the expected network. */
  public static void readHeader(DataInputStream in, NetworkSpec spec, String where) throws IOException {
    long magic = in.readLong();
    if (magic == MAGIC_V1) {
      throw new IOException(where + " holds snapshots in an older format; delete it (or its checkpoint directory) to retrain");
    }
    if (magic != MAGIC) {
      throw new IOException(where + " is not a dvgs snapshot file");
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
  }

  public static void write(DataOutputStream out, Snapshot s) throws IOException {
    out.writeInt(s.restart());
    out.writeLong(s.iteration());
    out.writeDouble(s.targetLoss());
    writeSet(out, s.parameters());
    writeSet(out, s.targetGradient());
    ParameterSet[] cg = s.classGradients();
    out.writeInt(cg == null ? 0 : cg.length);
    if (cg != null) {
      for (ParameterSet g : cg) {
        writeSet(out, g);
      }
    }
  }

  /** Reads the next snapshot, or returns null at a clean end of file. */
  public static Snapshot read(DataInputStream in, NetworkSpec spec) throws IOException {
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
    int classes = in.readInt();
    if (classes < 0 || classes > spec.width(spec.layers())) {
      throw new IOException("corrupt snapshot: " + classes + " class gradients for an output of width " + spec.width(spec.layers()));
    }
    ParameterSet[] cg = classes == 0 ? null : new ParameterSet[classes];
    for (int c = 0; c < classes; c++) {
      cg[c] = readSet(in, spec);
    }
    return new Snapshot(restart, iteration, loss, params, grad, cg);
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
