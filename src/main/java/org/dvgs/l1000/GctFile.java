package org.dvgs.l1000;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dvgs.core.InputException;
import org.dvgs.io.Printable;

/**
 * A GCT text file (versions 1.2 and 1.3): genes as lines, samples as columns. It is parsed on the driver in one
 * pass and held transposed (samples x genes); GCT is the small-file text format, large matrices come as GCTX.
 *
 * <p>1.2: {@code #1.2}, {@code <genes> <samples>}, a header {@code Name Description <sample ids>}, then one line per
 * gene {@code <id> <description> <values>}. 1.3: {@code #1.3}, {@code <genes> <samples> <gene fields> <sample
 * fields>}, a header {@code id <gene field names> <sample ids>}, one line per sample field
 * {@code <name> <fillers> <values>}, then one line per gene {@code <id> <gene fields> <values>}. Fields are
 * tab-separated. {@code NaN}, {@code NA}, an empty cell or {@code -666} is a missing value (NaN); anything else that
 * is not a number is an error naming the file, line and sample.
 *
 * @param name file name for messages
 * @param version "1.2" or "1.3"
 * @param rowIds gene ids
 * @param rowMeta gene metadata fields (1.2: {@code Description})
 * @param columnIds sample ids
 * @param columnMeta sample metadata fields (1.3), values as text, "-666" as null
 * @param values samples x genes, row-major by sample
 */
public record GctFile(
    String name,
    String version,
    String[] rowIds,
    Map<String, String[]> rowMeta,
    String[] columnIds,
    Map<String, String[]> columnMeta,
    float[] values) {

  /** Reads a GCT file from a local path or Hadoop URI. */
  public static GctFile read(String path, Configuration hadoop) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(hadoop == null ? new Configuration() : hadoop);
      if (!fs.isFile(p)) {
        throw new InputException("GCT file " + path + " does not exist or is not a file");
      }
      long size = fs.getFileStatus(p).getLen();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
        return parse(path, in, size);
      }
    } catch (IOException e) {
      throw new InputException("GCT file " + path + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Parses GCT text of unknown size (the dimensions line is then not checked against the size; see below). */
  public static GctFile parse(String name, BufferedReader in) throws IOException {
    return parse(name, in, Long.MAX_VALUE);
  }

  /**
   * Parses GCT text.
   *
   * @param size the text's size in bytes: the dimensions on line 2 are checked against it before anything is
   *     allocated, so that a header claiming more than the file can hold is an error, not an OutOfMemoryError
   */
  public static GctFile parse(String name, BufferedReader in, long size) throws IOException {
    int lineNo = 0;
    String line = in.readLine();
    lineNo++;
    if (line == null) {
      throw new InputException("GCT file " + name + " is empty");
    }
    String version = line.strip();
    if (!version.equals("#1.2") && !version.equals("#1.3")) {
      throw new InputException("GCT file " + name + ", line 1: expected '#1.2' or '#1.3', found '" + abbreviate(line) + "'");
    }
    boolean v13 = version.equals("#1.3");
    line = in.readLine();
    lineNo++;
    if (line == null) {
      throw new InputException("GCT file " + name + " ends after line 1; expected the dimensions line");
    }
    String[] dims = line.strip().split("\\s+");
    int need = v13 ? 4 : 2;
    if (dims.length < need) {
      throw new InputException("GCT file " + name + ", line 2: expected " + need + " dimensions, found '" + abbreviate(line) + "'");
    }
    long[] d = new long[need];
    for (int i = 0; i < need; i++) {
      try {
        d[i] = Long.parseLong(dims[i]);
      } catch (NumberFormatException e) {
        throw new InputException("GCT file " + name + ", line 2: dimension " + (i + 1) + " '" + abbreviate(dims[i]) + "' is not a whole number");
      }
      if (d[i] < 0) {
        throw new InputException("GCT file " + name + ", line 2: dimension " + (i + 1) + " is negative (" + d[i] + ")");
      }
    }
    long genes = d[0];
    long samples = d[1];
    checkFits(name, genes, samples, v13 ? d[2] : 1, v13 ? d[3] : 0, size);
    int rowFields = v13 ? (int) d[2] : 1;
    int colFields = v13 ? (int) d[3] : 0;
    if (genes * samples > Integer.MAX_VALUE - 8 || genes > Integer.MAX_VALUE || samples > Integer.MAX_VALUE) {
      throw new InputException("GCT file " + name + ", line 2: " + genes + " x " + samples + " values are too many for a GCT text file; convert it to GCTX");
    }
    int nGenes = (int) genes;
    int nSamples = (int) samples;

    line = in.readLine();
    lineNo++;
    int width = 1 + rowFields + nSamples;
    String[] header = fields(name, line, lineNo, width, "the header");
    String[] rowFieldNames = new String[rowFields];
    System.arraycopy(header, 1, rowFieldNames, 0, rowFields);
    String[] columnIds = new String[nSamples];
    System.arraycopy(header, 1 + rowFields, columnIds, 0, nSamples);

    Map<String, String[]> columnMeta = new LinkedHashMap<>();
    for (int f = 0; f < colFields; f++) {
      line = in.readLine();
      lineNo++;
      String[] cells = fields(name, line, lineNo, width, "sample metadata line " + (f + 1));
      String[] vals = new String[nSamples];
      for (int j = 0; j < nSamples; j++) {
        String c = cells[1 + rowFields + j];
        vals[j] = c.equals("-666") ? null : c;
      }
      columnMeta.put(cells[0], vals);
    }

    String[] rowIds = new String[nGenes];
    List<String[]> rowMetaValues = new ArrayList<>();
    for (int f = 0; f < rowFields; f++) {
      rowMetaValues.add(new String[nGenes]);
    }
    float[] values = new float[nGenes * nSamples];
    for (int g = 0; g < nGenes; g++) {
      line = in.readLine();
      lineNo++;
      if (line == null) {
        throw new InputException("GCT file " + name + " ends after " + g + " gene lines; line 2 says " + nGenes);
      }
      String[] cells = fields(name, line, lineNo, width, "gene line " + (g + 1));
      rowIds[g] = cells[0];
      for (int f = 0; f < rowFields; f++) {
        String c = cells[1 + f];
        rowMetaValues.get(f)[g] = c.equals("-666") ? null : c;
      }
      for (int j = 0; j < nSamples; j++) {
        values[j * nGenes + g] = number(name, lineNo, columnIds[j], cells[1 + rowFields + j]);
      }
    }
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (!line.isBlank()) {
        throw new InputException("GCT file " + name + ", line " + lineNo + ": more gene lines than the " + nGenes + " line 2 declares");
      }
    }
    Map<String, String[]> rowMeta = new LinkedHashMap<>();
    for (int f = 0; f < rowFields; f++) {
      rowMeta.put(rowFieldNames[f], rowMetaValues.get(f));
    }
    return new GctFile(name, version.substring(1), rowIds, rowMeta, columnIds, columnMeta, values);
  }

  /**
   * Checks the dimensions on line 2 against the file size: the header, every sample metadata line and every gene
   * line hold {@code 1 + geneFields + samples} tab-separated fields, so each takes at least that many bytes minus
   * one (its tabs and line break).
   */
  private static void checkFits(String name, long genes, long samples, long geneFields, long sampleFields, long size) {
    long width = 1 + geneFields + samples; // each at most 2^63 - 1, so no overflow here
    long lines = 1 + sampleFields + genes;
    long need;
    try {
      need = Math.multiplyExact(Math.max(0, width - 1), lines);
    } catch (ArithmeticException e) {
      need = Long.MAX_VALUE;
    }
    boolean tooWide = width - 1 > Integer.MAX_VALUE - 8 || sampleFields > Integer.MAX_VALUE - 8 || geneFields > Integer.MAX_VALUE - 8;
    if (need > size || tooWide) {
      throw new InputException(
          "GCT file " + name + ", line 2: " + genes + " genes x " + samples + " samples" + (geneFields != 1 || sampleFields != 0
              ? " (" + geneFields + " gene fields, " + sampleFields + " sample fields)" : "")
              + " need at least " + (need == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(need)) + " bytes, but the file has "
              + (size == Long.MAX_VALUE ? "fewer" : String.valueOf(size)) + " (wrong dimensions or a truncated file?)");
    }
  }

  /** Genes. */
  public int genes() {
    return rowIds.length;
  }

  /** Samples. */
  public int samples() {
    return columnIds.length;
  }

  private static String[] fields(String name, String line, int lineNo, int width, String what) {
    if (line == null) {
      throw new InputException("GCT file " + name + " ends before " + what + " (line " + lineNo + ")");
    }
    String[] cells = line.split("\t", -1);
    if (cells.length == width + 1 && cells[width].isEmpty()) {
      cells = java.util.Arrays.copyOf(cells, width); // a trailing tab
    }
    if (cells.length != width) {
      throw new InputException(
          "GCT file " + name + ", line " + lineNo + " (" + what + "): expected " + width + " tab-separated fields, found " + cells.length);
    }
    return cells;
  }

  private static float number(String name, int lineNo, String sample, String cell) {
    String c = cell.strip();
    if (c.isEmpty() || c.equalsIgnoreCase("nan") || c.equalsIgnoreCase("na") || c.equals("-666")) {
      return Float.NaN;
    }
    try {
      return Float.parseFloat(c);
    } catch (NumberFormatException e) {
      throw new InputException("GCT file " + name + ", line " + lineNo + ", sample '" + Printable.of(sample) + "': '" + abbreviate(cell) + "' is not a number");
    }
  }

  /** Text from the file, escaped (a binary file read as GCT prints readably) and cut to 60 characters. */
  private static String abbreviate(String s) {
    return Printable.of(s.length() > 60 ? s.substring(0, 60) + "..." : s);
  }
}
