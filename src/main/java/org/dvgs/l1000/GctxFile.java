package org.dvgs.l1000;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dvgs.core.InputException;
import org.dvgs.io.Printable;

/**
 * One GCTX file (the HDF5 layout CMap uses for L1000 matrices), read with the pure-Java jhdf library.
 *
 * <p>Layout: {@code /0/DATA/0/matrix} holds the values transposed, one HDF5 row per sample (a GCT column) and one
 * HDF5 column per gene (a GCT row); {@code /0/META/ROW/*} and {@code /0/META/COL/*} hold 1-D metadata datasets,
 * {@code id} among them. Strings are fixed-length bytes; they are decoded as UTF-8 when valid and as Latin-1
 * otherwise (CMap files hold Latin-1 "µM" in {@code pert_idose} while declaring ASCII). The value {@code -666}
 * marks a missing number: it becomes NaN in the matrix and null in numeric metadata.
 *
 * <p>Opening checks the layout (paths, ranks, lengths); ids and metadata are read by range, and the matrix by
 * blocks of samples (hyperslabs), so that executors can each read their own block of a file of any size. Every
 * problem, including a truncated or malformed file, is an {@link InputException} naming the file and the dataset.
 */
public final class GctxFile implements AutoCloseable {
  /** The matrix dataset. */
  public static final String MATRIX = "/0/DATA/0/matrix";
  /** Row (gene) metadata group. */
  public static final String ROW_META = "/0/META/ROW";
  /** Column (sample) metadata group. */
  public static final String COL_META = "/0/META/COL";
  /** CMap's marker for a missing number. */
  public static final double MISSING = -666;
  /**
   * The most a compressed dataset can expand: deflate cannot exceed about 1032 to 1 (shuffle and fletcher32 do not
   * shrink data, LZF and LZ4 compress far less), so a shape needing more bytes than this many times the stored bytes
   * is not what the file holds.
   */
  static final long MAX_EXPANSION = 1100;

  /** The kind of values a metadata field holds. */
  public enum Kind {
    STRING, LONG, DOUBLE
  }

  /**
   * A metadata field.
   *
   * @param name dataset name under the metadata group
   * @param kind value kind
   */
  public record Field(String name, Kind kind) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final String name;
  private final HdfFile hdf;
  private final Dataset matrix;
  private final int samples;
  private final int genes;
  private final long size;
  private final Map<String, Dataset> rowFields = new LinkedHashMap<>();
  private final Map<String, Dataset> colFields = new LinkedHashMap<>();

  private GctxFile(String name, HdfFile hdf) {
    this.name = name;
    this.hdf = hdf;
    this.matrix = dataset(MATRIX);
    int[] dims = guard(MATRIX, matrix::getDimensions);
    if (dims.length != 2) {
      throw error(MATRIX, "has rank " + dims.length + ", expected 2 (samples x genes)");
    }
    DataType t = guard(MATRIX, matrix::getDataType);
    if (!(t instanceof FloatingPoint) && !(t instanceof FixedPoint)) {
      throw error(MATRIX, "holds " + t.getClass().getSimpleName() + " values, expected numbers");
    }
    this.samples = dims[0];
    this.genes = dims[1];
    this.size = guard("/ (file size)", hdf::size);
    checkStorage(MATRIX, matrix);
    collect(ROW_META, genes, "genes (matrix dimension 1)", rowFields);
    collect(COL_META, samples, "samples (matrix dimension 0)", colFields);
  }

  /**
   * Opens a GCTX file: a local path, a {@code file:} URI, or any Hadoop file system URI.
   *
   * @throws InputException when the file is missing, not HDF5, or not laid out as a GCTX file
   */
  public static GctxFile open(String path, Configuration hadoop) {
    HdfFile h;
    try {
      Path p = new Path(path);
      URI uri = p.toUri();
      if (uri.getScheme() == null || uri.getScheme().equals("file")) {
        java.nio.file.Path local = java.nio.file.Path.of(uri.getPath());
        if (!java.nio.file.Files.isRegularFile(local)) {
          throw new InputException("GCTX file " + path + " does not exist or is not a file");
        }
        h = new HdfFile(local);
      } else {
        FileSystem fs = p.getFileSystem(hadoop == null ? new Configuration() : hadoop);
        long size = fs.getFileStatus(p).getLen();
        h = new HdfFile(new HadoopChannel(fs.open(p), size), uri);
      }
    } catch (InputException e) {
      throw e;
    } catch (IOException e) {
      throw new InputException("GCTX file " + path + " cannot be opened: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new InputException("GCTX file " + path + " is not a readable HDF5 file: " + describe(e), e);
    }
    try {
      return new GctxFile(path, h);
    } catch (RuntimeException e) {
      h.close();
      throw e instanceof InputException ie ? ie : new InputException("GCTX file " + path + " is malformed: " + describe(e), e);
    }
  }

  /** The file's name as given, for messages. */
  public String name() {
    return name;
  }

  /** Samples (GCT columns, HDF5 matrix rows). */
  public int samples() {
    return samples;
  }

  /** Genes (GCT rows, HDF5 matrix columns). */
  public int genes() {
    return genes;
  }

  /** The root {@code version} attribute (e.g. {@code GCTX1.0}), or "" when absent. */
  public String version() {
    return guard("/ (attribute version)", () -> {
      Attribute a = hdf.getAttribute("version");
      if (a == null) {
        return "";
      }
      Object d = a.getData();
      if (d != null && d.getClass().isArray() && Array.getLength(d) > 0) {
        d = Array.get(d, 0);
      }
      return d == null ? "" : String.valueOf(d).trim();
    });
  }

  /** Gene ids, in matrix order. */
  public String[] rowIds() {
    return strings(ROW_META + "/id", rowFields.get("id"), 0, genes);
  }

  /** Row (gene) metadata fields other than {@code id}. */
  public List<Field> rowFields() {
    return fields(ROW_META, rowFields);
  }

  /** Column (sample) metadata fields other than {@code id}. */
  public List<Field> columnFields() {
    return fields(COL_META, colFields);
  }

  /** Values of a row metadata field for every gene, as strings (numbers without a trailing ".0"); missing as null. */
  public String[] rowFieldAsStrings(String field) {
    Dataset d = rowFields.get(field);
    if (d == null) {
      throw new InputException("GCTX file " + name + " has no row metadata field '" + Printable.of(field) + "' (fields: " + Printable.names(rowFields.keySet()) + ")");
    }
    Field f = field(ROW_META, field, d);
    Object[] v = values(ROW_META + "/" + field, d, f.kind(), 0, genes);
    String[] s = new String[v.length];
    for (int i = 0; i < v.length; i++) {
      s[i] = v[i] == null ? null : v[i] instanceof Double x && x == Math.rint(x) && !Double.isInfinite(x) ? String.valueOf(x.longValue()) : String.valueOf(v[i]);
    }
    return s;
  }

  /** Sample ids {@code [offset, offset + count)}. */
  public String[] columnIds(int offset, int count) {
    checkRange(offset, count);
    return strings(COL_META + "/id", colFields.get("id"), offset, count);
  }

  /** Values of a column metadata field for samples {@code [offset, offset + count)}: String, Long or Double, null when missing. */
  public Object[] columnField(Field f, int offset, int count) {
    checkRange(offset, count);
    Dataset d = colFields.get(f.name());
    if (d == null) {
      throw new InputException("GCTX file " + name + " has no column metadata field '" + f.name() + "'");
    }
    return values(COL_META + "/" + f.name(), d, f.kind(), offset, count);
  }

  /**
   * Reads samples {@code [offset, offset + count)} of the matrix (one hyperslab) and keeps the genes at
   * {@code geneIndex}, in that order. Missing values ({@code -666}) and non-finite values become NaN.
   */
  public float[][] block(int offset, int count, int[] geneIndex) {
    checkRange(offset, count);
    String where = MATRIX + " samples [" + offset + ", " + (offset + count) + ")";
    return guard(where, () -> {
      Object data = matrix.getData(new long[] {offset, 0}, new int[] {count, genes});
      float[][] out = new float[count][geneIndex.length];
      for (int i = 0; i < count; i++) {
        Object row = Array.get(data, i);
        float[] o = out[i];
        if (row instanceof double[] dr) {
          for (int j = 0; j < geneIndex.length; j++) {
            double v = dr[geneIndex[j]];
            o[j] = v == MISSING ? Float.NaN : (float) v;
          }
        } else if (row instanceof float[] fr) {
          for (int j = 0; j < geneIndex.length; j++) {
            float v = fr[geneIndex[j]];
            o[j] = v == (float) MISSING ? Float.NaN : v;
          }
        } else {
          for (int j = 0; j < geneIndex.length; j++) {
            double v = ((Number) Array.get(row, geneIndex[j])).doubleValue();
            o[j] = v == MISSING ? Float.NaN : (float) v;
          }
        }
      }
      return out;
    });
  }

  @Override
  public void close() {
    try {
      hdf.close();
    } catch (RuntimeException e) {
      // Closing a file we only read cannot lose data; a failure here must not hide the real error.
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private void checkRange(int offset, int count) {
    if (offset < 0 || count < 0 || (long) offset + count > samples) {
      throw new IllegalArgumentException("samples [" + offset + ", " + ((long) offset + count) + ") outside [0, " + samples + ") of " + name);
    }
  }

  private Dataset dataset(String path) {
    Node n = guard(path, () -> {
      try {
        return hdf.getByPath(path);
      } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
        return null;
      }
    });
    if (n == null) {
      throw error(path, "is missing (not a GCTX file?)");
    }
    if (!(n instanceof Dataset d)) {
      throw error(path, "is a " + n.getType() + ", expected a dataset");
    }
    return d;
  }

  private void collect(String group, int length, String what, Map<String, Dataset> into) {
    Node g = guard(group, () -> {
      try {
        return hdf.getByPath(group);
      } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
        return null;
      }
    });
    if (!(g instanceof Group grp)) {
      throw error(group, g == null ? "is missing (not a GCTX file?)" : "is not a group");
    }
    Map<String, Node> children = guard(group, grp::getChildren);
    for (Map.Entry<String, Node> e : children.entrySet()) {
      String path = group + "/" + e.getKey();
      if (!(e.getValue() instanceof Dataset d)) {
        continue;
      }
      int[] dims = guard(path, d::getDimensions);
      if (dims.length != 1 && !(dims.length == 2 && dims[1] == 1)) {
        throw error(path, "has rank " + dims.length + ", expected a 1-D metadata dataset");
      }
      if (dims[0] != length) {
        throw error(path, "has " + dims[0] + " entries but the matrix has " + length + " " + what);
      }
      field(group, e.getKey(), d); // checks the type
      checkStorage(path, d);
      into.put(e.getKey(), d);
    }
    if (!into.containsKey("id")) {
      throw error(group + "/id", "is missing (not a GCTX file?)");
    }
    if (field(group, "id", into.get("id")).kind() != Kind.STRING && !(into.get("id").getDataType() instanceof FixedPoint)) {
      throw error(group + "/id", "holds " + into.get("id").getDataType().getClass().getSimpleName() + " values, expected strings or integers");
    }
  }

  /**
   * Checks a dataset's shape against the bytes it stores and the file's size, before anything is read: every read
   * (ids, metadata, blocks of the matrix) is then bounded by what the file holds. A shape larger than the stored
   * bytes means a truncated file, a corrupt dataspace or missing chunks (whose values would read as fill values); a
   * chunk index that cannot be read means a corrupt file, and is reported here on the driver rather than by the
   * first executor that reads the matrix.
   */
  private void checkStorage(String path, Dataset d) {
    long[] dims = guard(path, d::getDimensionsAsLong);
    long bytes;
    try {
      long elements = 1;
      for (long n : dims) {
        if (n < 0) {
          throw error(path, "has a negative dimension " + n);
        }
        elements = Math.multiplyExact(elements, n);
      }
      bytes = Math.multiplyExact(elements, (long) guard(path, d::getDataType).getSize());
    } catch (ArithmeticException e) {
      throw error(path, "has a shape " + java.util.Arrays.toString(dims) + " too large for any file");
    }
    long stored = guard(path + " (storage)", d::getStorageInBytes);
    boolean filtered = !guard(path + " (filters)", d::getFilters).isEmpty();
    if (stored > size) {
      throw error(path, "claims " + stored + " bytes of storage, more than the file's " + size + " bytes (truncated or malformed file?)");
    }
    if (!filtered && bytes > stored) {
      throw error(path, "has shape " + java.util.Arrays.toString(dims) + " (" + bytes + " bytes) but stores only " + stored
          + " bytes (truncated file, corrupt shape or missing chunks?)");
    }
    if (filtered && bytes / MAX_EXPANSION > stored) {
      throw error(path, "has shape " + java.util.Arrays.toString(dims) + " (" + bytes + " bytes), more than its " + stored
          + " compressed bytes can hold (corrupt shape or missing chunks?)");
    }
  }

  private List<Field> fields(String group, Map<String, Dataset> map) {
    List<Field> out = new ArrayList<>();
    for (Map.Entry<String, Dataset> e : map.entrySet()) {
      if (!e.getKey().equals("id")) {
        out.add(field(group, e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  private Field field(String group, String fieldName, Dataset d) {
    DataType t = guard(group + "/" + fieldName, d::getDataType);
    if (t instanceof StringData || d.isVariableLength()) {
      return new Field(fieldName, Kind.STRING);
    }
    if (t instanceof FixedPoint) {
      return new Field(fieldName, Kind.LONG);
    }
    if (t instanceof FloatingPoint) {
      return new Field(fieldName, Kind.DOUBLE);
    }
    throw error(group + "/" + fieldName, "holds " + t.getClass().getSimpleName() + " values, expected strings or numbers");
  }

  private Object[] values(String path, Dataset d, Kind kind, int offset, int count) {
    if (kind == Kind.STRING) {
      String[] s = strings(path, d, offset, count);
      return s;
    }
    return guard(path + " [" + offset + ", " + (offset + count) + ")", () -> {
      Object data = slice(d, offset, count);
      Object[] out = new Object[count];
      for (int i = 0; i < count; i++) {
        Object v = Array.get(data, i);
        if (v != null && v.getClass().isArray()) {
          v = Array.get(v, 0);
        }
        double x = ((Number) v).doubleValue();
        if (x == MISSING || Double.isNaN(x)) {
          out[i] = null;
        } else if (kind == Kind.LONG) {
          out[i] = ((Number) v).longValue();
        } else {
          out[i] = x;
        }
      }
      return out;
    });
  }

  private static Object slice(Dataset d, int offset, int count) {
    int[] dims = d.getDimensions();
    if (count == 0) {
      return new Object[0];
    }
    return dims.length == 1 ? d.getData(new long[] {offset}, new int[] {count}) : d.getData(new long[] {offset, 0}, new int[] {count, 1});
  }

  private String[] strings(String path, Dataset d, int offset, int count) {
    return guard(path + " [" + offset + ", " + (offset + count) + ")", () -> {
      String[] out = new String[count];
      if (count == 0) {
        return out;
      }
      DataType t = d.getDataType();
      if (t instanceof StringData && !d.isVariableLength() && d instanceof DatasetBase base) {
        int size = t.getSize();
        int[] dims = d.getDimensions();
        ByteBuffer buf = dims.length == 1
            ? base.getSliceDataBuffer(new long[] {offset}, new int[] {count})
            : base.getSliceDataBuffer(new long[] {offset, 0}, new int[] {count, 1});
        if ((long) buf.remaining() < (long) size * count) {
          throw new InputException("GCTX file " + name + ": " + path + " holds " + buf.remaining() + " bytes, expected " + (long) size * count);
        }
        byte[] cell = new byte[size];
        for (int i = 0; i < count; i++) {
          buf.get(cell);
          out[i] = decode(cell, ((StringData) t).getPaddingType() == StringData.PaddingType.SPACE_PADDED);
        }
        return out;
      }
      Object data = slice(d, offset, count);
      for (int i = 0; i < count; i++) {
        Object v = Array.get(data, i);
        if (v != null && v.getClass().isArray()) {
          v = Array.get(v, 0);
        }
        if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)) {
          out[i] = String.valueOf(n.longValue());
        } else {
          out[i] = v == null ? null : String.valueOf(v);
        }
      }
      return out;
    });
  }

  /** Fixed-length bytes up to the first NUL: UTF-8 when valid, Latin-1 otherwise. */
  static String decode(byte[] cell, boolean spacePadded) {
    int n = 0;
    while (n < cell.length && cell[n] != 0) {
      n++;
    }
    if (spacePadded) {
      while (n > 0 && cell[n - 1] == ' ') {
        n--;
      }
    }
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) {
      ascii = cell[i] >= 0;
    }
    if (ascii) {
      return new String(cell, 0, n, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(cell, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      return new String(cell, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  private InputException error(String path, String what) {
    return new InputException("GCTX file " + name + ": " + path + " " + what);
  }

  private interface Read<T> {
    T get();
  }

  /**
   * Runs a read, turning the library's failures into an error naming the file and dataset: a malformed file makes it
   * fail in many ways (its own exceptions, buffer under-runs, negative sizes), all meaning the same to the user.
   * Errors (out of memory, stack overflow) are not input errors and pass: the shapes checked at open bound every
   * read by the file's size.
   */
  private <T> T guard(String path, Read<T> read) {
    try {
      return read.get();
    } catch (InputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InputException("GCTX file " + name + ": cannot read " + path + " (truncated or malformed file?): " + describe(e), e);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m));
  }

  /** Positioned reads of a Hadoop stream, as the channel jhdf reads from. */
  private static final class HadoopChannel implements SeekableByteChannel {
    private final FSDataInputStream in;
    private final long size;
    private long position;
    private boolean open = true;

    HadoopChannel(FSDataInputStream in, long size) {
      this.in = in;
      this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (!open) {
        throw new ClosedChannelException();
      }
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), size - position);
      byte[] tmp = new byte[n];
      in.readFully(position, tmp, 0, n);
      dst.put(tmp);
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new NonWritableChannelException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long p) {
      position = p;
      return this;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public SeekableByteChannel truncate(long s) {
      throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() throws IOException {
      open = false;
      in.close();
    }
  }
}
