package org.dvgs.model;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Binary snapshot format.
 *
 * <p>Format 4, written by this version ({@link Writer}) for snapshots that carry Adam's preconditioner weights
 * (preconditioned scoring): format 3 below with a header {@code "DVGSSNP4", layer count, widths, classes:int,
 * contents:int} (bit 0 of contents = preconditioner weights present; no other bit is defined), and every record
 * followed by those weights in the parameter layout. Snapshots without preconditioner weights are still written in
 * format 3, byte for byte as before, so that their files stay readable by earlier versions.
 *
 * <p>Format 3, written by this version ({@link Writer}) for snapshots without preconditioner weights: a header {@code "DVGSSNP3", layer count, widths,
 * classes:int} (0 = batch gradient only), then each snapshot as a tag byte {@code 'R'} followed by the snapshot
 * record, and last a trailer: tag {@code 'E'}, {@code "DVGSEND3"}, the number of snapshots ({@code long}) and the
 * CRC32C of every byte before it ({@code int}). Nothing may follow the trailer. A truncated file (no trailer), a
 * flipped byte (checksum), a count that does not match or appended bytes are each reported naming the file.
 *
 * <p>A snapshot record: {@code restart:int, iteration:long, loss:double} followed by weights and biases of every
 * layer, then the target gradient in the same layout, then, when the header has classes, per class a presence
 * byte (1 = the batch had rows of that class) and, when present, that class's gradient in the same layout. Floats
 * are little-endian.
 *
 * <p>Formats 1 and 2, written by earlier versions, are still read ({@link Reader}): the same header without the
 * classes field ({@code "DVGSSNP1"}) or with it ({@code "DVGSSNP2"}, class gradients), records without tags and no
 * trailer, so they carry no checksum: only their structure can be checked (a record cut short, a bad class marker,
 * restarts or iterations out of order). The static {@code writeHeader}/{@code write}/{@code readHeader}/{@code read}
 * methods are that older layout.
 */
public final class SnapshotCodec {
  private static final long MAGIC_PREFIX = 0x44564753534e5000L; // "DVGSSNP" + version digit
  private static final long MAGIC = MAGIC_PREFIX | '1';
  private static final long MAGIC_CLASSES = MAGIC_PREFIX | '2';
  private static final long MAGIC_CHECKED = MAGIC_PREFIX | '3';
  private static final long MAGIC_CONTENTS = MAGIC_PREFIX | '4';
  /** Bit of the format-4 contents field: every record carries preconditioner weights. */
  private static final int CONTENTS_PRECONDITIONER = 1;
  private static final long END_MAGIC = 0x44564753454e4433L; // "DVGSEND3"
  private static final int RECORD = 'R';
  private static final int END = 'E';
  /** The format {@link Writer} writes for snapshots without preconditioner weights. */
  public static final int FORMAT = 3;
  /** The format {@link Writer} writes for snapshots with preconditioner weights. */
  public static final int FORMAT_PRECONDITIONED = 4;

  private SnapshotCodec() {}

  /** Writes a format-1 header (batch gradient only; the layout of earlier versions, without checksum). */
  public static void writeHeader(DataOutputStream out, NetworkSpec spec) throws IOException {
    writeHeader(out, spec, 0);
  }

  /**
   * Writes the header of a file in the layout of earlier versions, whose snapshots each carry {@code classGradients}
   * per-class gradients (0 = none: format 1; otherwise format 2). {@link Writer} writes the current format.
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

  /** Reads and checks the format-1 header of a file without per-class gradients. */
  public static void readHeader(DataInputStream in, NetworkSpec spec, String where) throws IOException {
    readHeader(in, spec, 0, where);
  }

  /**
   * Reads and checks a format-1 or format-2 header against the expected network and number of per-class gradients
   * per snapshot ({@link Reader} reads every format).
   *
   * @throws IOException naming {@code where} when the file is not a snapshot file, holds another network, was
   *     written in an unknown format version, or does (not) carry the expected class gradients
   */
  public static void readHeader(DataInputStream in, NetworkSpec spec, int classGradients, String where) throws IOException {
    long magic = readMagic(in, where);
    if (magic == MAGIC_CHECKED || magic == MAGIC_CONTENTS) {
      throw new IOException(where + " is in snapshot format " + (char) (magic & 0xff) + "; read it with SnapshotCodec.Reader");
    }
    readLayout(in, spec, classGradients, false, magic, where);
  }

  private static long readMagic(DataInputStream in, String where) throws IOException {
    long magic;
    try {
      magic = in.readLong();
    } catch (EOFException e) {
      throw new IOException(where + " is shorter than a snapshot file header (truncated)");
    }
    if ((magic & ~0xffL) != MAGIC_PREFIX) {
      throw new IOException(where + " is not a dvgs snapshot file");
    }
    if (magic != MAGIC && magic != MAGIC_CLASSES && magic != MAGIC_CHECKED && magic != MAGIC_CONTENTS) {
      throw new UnknownFormatException(
          where + " is in snapshot format " + (char) (magic & 0xff) + ", which this version of dvgs-spark cannot read "
              + "(it reads formats 1 to 4); delete the directory to train again");
    }
    return magic;
  }

  private static void readLayout(DataInputStream in, NetworkSpec spec, int classGradients, boolean preconditioner, long magic, String where)
      throws IOException {
    int n = in.readInt();
    int[] widths = spec.widths();
    boolean ok = n == widths.length;
    for (int i = 0; ok && i < n; i++) {
      ok = widths[i] == in.readInt();
    }
    if (!ok) {
      throw new IOException(where + " holds snapshots of another network than " + spec);
    }
    int classes = magic == MAGIC ? 0 : in.readInt();
    if (classes != classGradients) {
      throw new IOException(
          where + " holds snapshots with " + (classes == 0 ? "no" : String.valueOf(classes)) + " per-class target gradients, expected "
              + (classGradients == 0 ? "none" : String.valueOf(classGradients))
              + " (dvgs.scoring.target-gradient differs from the run that wrote it)");
    }
    int contents = magic == MAGIC_CONTENTS ? in.readInt() : 0;
    if ((contents & ~CONTENTS_PRECONDITIONER) != 0) {
      throw new IOException(where + " has unknown content flags 0x" + Integer.toHexString(contents) + " in its header (corrupt)");
    }
    boolean has = (contents & CONTENTS_PRECONDITIONER) != 0;
    if (has != preconditioner) {
      throw new IOException(
          where + (has ? " holds snapshots with" : " holds snapshots without") + " Adam's preconditioner weights, expected "
              + (preconditioner ? "them" : "none") + " (dvgs.scoring.preconditioner differs from the run that wrote it"
              + (preconditioner && magic != MAGIC_CONTENTS ? ", or an earlier dvgs-spark wrote it in format " + (char) (magic & 0xff) : "")
              + "); preconditioned scoring never uses snapshots without them");
    }
  }

  /** Writes one snapshot in the format 1/2 layout; its class gradients, if any, must match the header written. */
  public static void write(DataOutputStream out, Snapshot s) throws IOException {
    writeRecord(out, s);
  }

  /** Reads the next snapshot of a format-1 file, or returns null at a clean end of file. */
  public static Snapshot read(DataInputStream in, NetworkSpec spec) throws IOException {
    return read(in, spec, 0);
  }

  /**
   * Reads the next snapshot of a format-1 or format-2 file, or returns null at a clean end of file.
   *
   * @param classGradients per-class gradients per snapshot, as in the header (0 = none)
   * @throws EOFException when the file ends inside a snapshot
   */
  public static Snapshot read(DataInputStream in, NetworkSpec spec, int classGradients) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    return readRecord(in, spec, classGradients, false, first, null);
  }

  /** Reads a record whose first byte was {@code first}; with a {@code scratch} buffer, skips the floats (null result). */
  private static Snapshot readRecord(
      DataInputStream in, NetworkSpec spec, int classGradients, boolean preconditioner, int first, byte[][] scratch) throws IOException {
    int restart = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
    long iteration = in.readLong();
    double loss = in.readDouble();
    ParameterSet params = readSet(in, spec, scratch);
    ParameterSet grad = readSet(in, spec, scratch);
    ParameterSet[] perClass = null;
    if (classGradients > 0) {
      perClass = new ParameterSet[classGradients];
      for (int c = 0; c < classGradients; c++) {
        byte present = in.readByte();
        if (present != 0 && present != 1) {
          throw new IOException("bad class-gradient marker " + present + " at restart " + restart + ", iteration " + iteration + " (corrupt)");
        }
        perClass[c] = present == 1 ? readSet(in, spec, scratch) : null;
      }
    }
    ParameterSet weights = preconditioner ? readSet(in, spec, scratch) : null;
    if (scratch != null) {
      // Skipped floats: only the position in the file is kept, for the checks that follow.
      return new Snapshot(restart, iteration, loss, null, null, null);
    }
    return new Snapshot(restart, iteration, loss, params, grad, perClass, weights);
  }

  private static void writeRecord(DataOutputStream out, Snapshot s) throws IOException {
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
    if (s.hasPreconditioner()) {
      // Only format-4 files (whose header says so) get here with weights: Writer checks it.
      writeSet(out, s.preconditioner());
    }
  }

  /** A snapshot file in a format this version does not know (written by a later version): not a damaged file. */
  public static final class UnknownFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    UnknownFormatException(String message) {
      super(message);
    }
  }

  /**
   * Writes a snapshot file in the current format: header on construction, one {@link #write} per snapshot, and
   * {@link #finish()} for the trailer (count and checksum). A file without its trailer is read as truncated.
   */
  public static final class Writer implements Closeable {
    private final CheckedOutputStream checked;
    private final DataOutputStream out;
    private final int classGradients;
    private final boolean preconditioner;
    private long count;
    private boolean finished;

    /**
     * Starts a format-3 file on {@code raw} (buffer it: the writer issues small writes), for snapshots without
     * preconditioner weights.
     *
     * @param classGradients per-class gradients every snapshot carries (0 = none)
     */
    public Writer(OutputStream raw, NetworkSpec spec, int classGradients) throws IOException {
      this(raw, spec, classGradients, false);
    }

    /**
     * Starts a file on {@code raw} (buffer it): format 4 when every snapshot carries preconditioner weights, else
     * format 3.
     *
     * @param classGradients per-class gradients every snapshot carries (0 = none)
     * @param preconditioner whether every snapshot carries Adam's preconditioner weights
     */
    public Writer(OutputStream raw, NetworkSpec spec, int classGradients, boolean preconditioner) throws IOException {
      this.checked = new CheckedOutputStream(raw, new CRC32C());
      this.out = new DataOutputStream(checked);
      this.classGradients = classGradients;
      this.preconditioner = preconditioner;
      out.writeLong(preconditioner ? MAGIC_CONTENTS : MAGIC_CHECKED);
      out.writeInt(spec.widths().length);
      for (int w : spec.widths()) {
        out.writeInt(w);
      }
      out.writeInt(classGradients);
      if (preconditioner) {
        out.writeInt(CONTENTS_PRECONDITIONER);
      }
    }

    /** Appends one snapshot; its class gradients must match the header. */
    public void write(Snapshot s) throws IOException {
      if (finished) {
        throw new IllegalStateException("snapshot file already finished");
      }
      int carried = s.hasClassGradients() ? s.classGradients().length : 0;
      if (carried != classGradients) {
        throw new IllegalArgumentException("snapshot carries " + carried + " class gradients but the file holds " + classGradients);
      }
      if (s.hasPreconditioner() != preconditioner) {
        throw new IllegalArgumentException("snapshot " + (s.hasPreconditioner() ? "carries" : "lacks") + " preconditioner weights but the file "
            + (preconditioner ? "holds them" : "holds none"));
      }
      out.writeByte(RECORD);
      writeRecord(out, s);
      count++;
    }

    /** Snapshots written so far. */
    public long count() {
      return count;
    }

    /** Writes the trailer (tag, end marker, count, CRC32C of everything before the CRC) and flushes. */
    public void finish() throws IOException {
      if (finished) {
        return;
      }
      out.writeByte(END);
      out.writeLong(END_MAGIC);
      out.writeLong(count);
      out.flush();
      int crc = (int) checked.getChecksum().getValue();
      out.writeInt(crc);
      out.flush();
      finished = true;
    }

    /** Closes the underlying stream (without a trailer unless {@link #finish()} ran). */
    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * Reads a snapshot file of any format this version knows, checking it as it goes: the header against the
   * network, each record's restart and iteration order, and for format 3 the trailer's count and checksum when the
   * last snapshot has been read. Every problem is an {@link IOException} whose message starts with the file name.
   */
  public static final class Reader implements Closeable {
    private final CheckedInputStream checked;
    private final DataInputStream in;
    private final NetworkSpec spec;
    private final int classGradients;
    private final boolean preconditioner;
    private final String where;
    private final int format;
    private long count;
    private int restart = Integer.MIN_VALUE;
    private long lastIteration = Long.MIN_VALUE;
    private boolean done;
    private byte[][] scratch;

    /**
     * Opens a file on {@code raw} (buffer it) and checks its header.
     *
     * @param classGradients per-class gradients expected per snapshot (0 = none)
     * @param where the file's name, for messages
     */
    public Reader(InputStream raw, NetworkSpec spec, int classGradients, String where) throws IOException {
      this(raw, spec, classGradients, false, where);
    }

    /**
     * Opens a file on {@code raw} (buffer it) and checks its header.
     *
     * @param classGradients per-class gradients expected per snapshot (0 = none)
     * @param preconditioner whether every snapshot must carry Adam's preconditioner weights (format 4); a file whose
     *     header says otherwise is refused, naming the file and {@code dvgs.scoring.preconditioner}
     * @param where the file's name, for messages
     */
    public Reader(InputStream raw, NetworkSpec spec, int classGradients, boolean preconditioner, String where) throws IOException {
      this.checked = new CheckedInputStream(raw, new CRC32C());
      this.in = new DataInputStream(checked);
      this.spec = spec;
      this.classGradients = classGradients;
      this.preconditioner = preconditioner;
      this.where = where;
      long magic = readMagic(in, where);
      try {
        readLayout(in, spec, classGradients, preconditioner, magic, where);
      } catch (EOFException e) {
        throw new IOException(where + " is shorter than a snapshot file header (truncated)");
      }
      this.format = (int) (magic & 0xff) - '0';
    }

    /** The file's format (1 to 4). */
    public int format() {
      return format;
    }

    /** Whether the file carries a count and checksum (format 3 and later). */
    public boolean checksummed() {
      return format >= 3;
    }

    /** Snapshots read so far (all of them once {@link #next()} returned null). */
    public long count() {
      return count;
    }

    /** The restart the snapshots belong to (after the first one), or {@link Integer#MIN_VALUE}. */
    public int restart() {
      return restart;
    }

    /** The next snapshot, or null after the last one (with the trailer checked, for format 3). */
    public Snapshot next() throws IOException {
      return advance(null);
    }

    /** Reads the rest of the file without keeping the parameters, checking it as {@link #next()} does. */
    public long verify() throws IOException {
      if (scratch == null) {
        scratch = new byte[1][];
      }
      while (advance(scratch) != null) {
        // Only the checks matter here.
      }
      return count;
    }

    private Snapshot advance(byte[][] skip) throws IOException {
      if (done) {
        return null;
      }
      int first;
      if (format >= 3) {
        int tag = in.read();
        if (tag < 0) {
          throw new IOException(where + " ends after " + count + " snapshots without its trailer (truncated)");
        }
        if (tag == END) {
          readTrailer();
          done = true;
          return null;
        }
        if (tag != RECORD) {
          throw new IOException(where + ": unexpected byte 0x" + Integer.toHexString(tag) + " where snapshot " + (count + 1)
              + " or the trailer should start (corrupt)");
        }
        first = in.read();
        if (first < 0) {
          throw new IOException(where + " ends inside snapshot " + (count + 1) + " (truncated)");
        }
      } else {
        first = in.read();
        if (first < 0) {
          done = true;
          return null;
        }
      }
      Snapshot s;
      try {
        s = readRecord(in, spec, classGradients, preconditioner, first, skip);
      } catch (EOFException e) {
        throw new IOException(where + " ends inside snapshot " + (count + 1) + " (truncated)");
      } catch (IOException e) {
        throw new IOException(where + ", snapshot " + (count + 1) + ": " + e.getMessage(), e);
      }
      if (restart == Integer.MIN_VALUE) {
        restart = s.restart();
      } else if (s.restart() != restart) {
        throw new IOException(where + ": snapshot " + (count + 1) + " belongs to restart " + s.restart() + ", the ones before it to " + restart + " (corrupt)");
      }
      if (s.iteration() <= lastIteration || s.iteration() < 0) {
        throw new IOException(where + ": snapshot " + (count + 1) + " has iteration " + s.iteration() + " after iteration " + lastIteration + " (corrupt)");
      }
      lastIteration = s.iteration();
      count++;
      return s;
    }

    private void readTrailer() throws IOException {
      try {
        long end = in.readLong();
        if (end != END_MAGIC) {
          throw new IOException(where + ": the trailer after snapshot " + count + " is damaged (corrupt)");
        }
        long n = in.readLong();
        long computed = checked.getChecksum().getValue();
        long stored = in.readInt() & 0xffffffffL;
        if (n != count) {
          throw new IOException(where + ": its trailer counts " + n + " snapshots but it holds " + count + " (corrupt)");
        }
        if (stored != computed) {
          throw new IOException(where + ": checksum mismatch (CRC32C stored " + Long.toHexString(stored) + ", computed "
              + Long.toHexString(computed) + "): the file is corrupt");
        }
      } catch (EOFException e) {
        throw new IOException(where + " ends inside its trailer (truncated)");
      }
      if (in.read() >= 0) {
        throw new IOException(where + " has bytes after its trailer (appended or corrupt)");
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static void writeSet(DataOutputStream out, ParameterSet p) throws IOException {
    for (int l = 0; l < p.layers(); l++) {
      writeFloats(out, p.weights()[l]);
      writeFloats(out, p.biases()[l]);
    }
  }

  private static ParameterSet readSet(DataInputStream in, NetworkSpec spec, byte[][] scratch) throws IOException {
    int layers = spec.layers();
    if (scratch != null) {
      for (int l = 0; l < layers; l++) {
        skipFloats(in, spec.width(l + 1) * spec.width(l), scratch);
        skipFloats(in, spec.width(l + 1), scratch);
      }
      return null;
    }
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      w[l] = readFloats(in, spec.width(l + 1) * spec.width(l));
      b[l] = readFloats(in, spec.width(l + 1));
    }
    return new ParameterSet(w, b);
  }

  private static void skipFloats(DataInputStream in, int n, byte[][] scratch) throws IOException {
    long left = 4L * n;
    if (scratch[0] == null) {
      scratch[0] = new byte[1 << 16];
    }
    while (left > 0) {
      int k = (int) Math.min(left, scratch[0].length);
      in.readFully(scratch[0], 0, k);
      left -= k;
    }
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
