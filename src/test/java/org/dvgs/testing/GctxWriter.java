package org.dvgs.testing;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes small GCTX files for tests with jhdf's HDF5 writer: the CMap layout (transposed matrix, row and column
 * metadata groups, fixed-length strings), chunked and deflate-compressed like CMap's own files.
 */
public final class GctxWriter {
  private final float[][] matrix; // samples x genes
  private final String[] rowIds;
  private final String[] colIds;
  private final Map<String, Object> rowMeta = new LinkedHashMap<>();
  private final Map<String, Object> colMeta = new LinkedHashMap<>();
  private boolean withVersion = true;
  private boolean withMatrix = true;

  public GctxWriter(float[][] samplesByGenes, String[] geneIds, String[] sampleIds) {
    this.matrix = samplesByGenes;
    this.rowIds = geneIds;
    this.colIds = sampleIds;
  }

  /** A gene metadata field: String[], int[], long[] or double[]. */
  public GctxWriter rowField(String name, Object values) {
    rowMeta.put(name, values);
    return this;
  }

  /** A sample metadata field: String[], int[], long[] or double[]. */
  public GctxWriter colField(String name, Object values) {
    colMeta.put(name, values);
    return this;
  }

  public GctxWriter withoutMatrix() {
    withMatrix = false;
    return this;
  }

  public GctxWriter withoutVersion() {
    withVersion = false;
    return this;
  }

  public Path write(Path file) {
    try (WritableHdfFile f = HdfFile.write(file)) {
      if (withVersion) {
        f.putAttribute("version", new String[] {"GCTX1.0"});
      }
      WritableGroup top = f.putGroup("0");
      WritableGroup data = top.putGroup("DATA").putGroup("0");
      if (withMatrix) {
        int chunkRows = Math.max(1, Math.min(matrix.length, 7));
        int genes = matrix.length == 0 ? 1 : Math.max(1, matrix[0].length);
        data.putDataset("matrix", matrix,
            DatasetCreationOptions.builder().chunkDimensions(chunkRows, genes).deflate(4).build());
      } else {
        data.putDataset("values", new int[] {0}); // an empty group does not read back with jhdf
      }
      WritableGroup meta = top.putGroup("META");
      WritableGroup row = meta.putGroup("ROW");
      row.putDataset("id", rowIds);
      for (Map.Entry<String, Object> e : rowMeta.entrySet()) {
        row.putDataset(e.getKey(), e.getValue());
      }
      WritableGroup col = meta.putGroup("COL");
      col.putDataset("id", colIds, DatasetCreationOptions.builder().chunkDimensions(Math.max(1, Math.min(colIds.length, 5))).deflate().build());
      for (Map.Entry<String, Object> e : colMeta.entrySet()) {
        col.putDataset(e.getKey(), e.getValue());
      }
    }
    return file;
  }

  /**
   * Replaces every occurrence of {@code from} by {@code to} (same length) in a written file: how tests put bytes
   * jhdf would not write (Latin-1 in an ASCII string) into uncompressed datasets.
   */
  public static void patchBytes(Path file, byte[] from, byte[] to) {
    try {
      byte[] b = java.nio.file.Files.readAllBytes(file);
      int hits = 0;
      for (int i = 0; i + from.length <= b.length; i++) {
        if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
          System.arraycopy(to, 0, b, i, to.length);
          hits++;
        }
      }
      if (hits == 0) {
        throw new IllegalStateException("pattern not found in " + file);
      }
      java.nio.file.Files.write(file, b);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
