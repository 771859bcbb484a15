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
 * gradient in the same layout. Floats are little-endian.
 */
public final class SnapshotCodec {
  private static final long MAGIC = 0x44564753534e5031L; // "DVGSSNP1"

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
    if (in.readLong() != MAGIC) {
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
    return new Snapshot(restart, iteration, loss, readSet(in, spec), readSet(in, spec));
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
