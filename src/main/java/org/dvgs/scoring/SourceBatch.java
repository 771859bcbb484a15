package org.dvgs.scoring;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.dvgs.io.CanonicalRow;
import org.dvgs.io.Mix;

/**
 * A batch of valid source rows packed into flat arrays; the unit persisted across snapshot blocks and scored in
 * one engine call.
 *
 * @param ids sample ids
 * @param keys per-row keys (hash of the id) for dropout masks
 * @param features {@code rows * width} floats
 * @param labels per-row labels
 * @param corrupted per-row ground truth flags set by experiments
 * @param width feature width
 */
public record SourceBatch(String[] ids, long[] keys, float[] features, float[] labels, boolean[] corrupted, int width)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public int rows() {
    return ids.length;
  }

  /** Packs a partition's rows into batches of at most {@code batchSize}. */
  public static final class Pack implements FlatMapFunction<Iterator<CanonicalRow>, SourceBatch> {
    private static final long serialVersionUID = 1L;
    private final int batchSize;
    private final int width;

    public Pack(int batchSize, int width) {
      this.batchSize = batchSize;
      this.width = width;
    }

    @Override
    public Iterator<SourceBatch> call(Iterator<CanonicalRow> rows) {
      List<SourceBatch> out = new ArrayList<>();
      List<CanonicalRow> buf = new ArrayList<>(batchSize);
      while (rows.hasNext()) {
        buf.add(rows.next());
        if (buf.size() == batchSize) {
          out.add(pack(buf));
          buf.clear();
        }
      }
      if (!buf.isEmpty()) {
        out.add(pack(buf));
      }
      return out.iterator();
    }

    private SourceBatch pack(List<CanonicalRow> rows) {
      int n = rows.size();
      String[] ids = new String[n];
      long[] keys = new long[n];
      float[] x = new float[n * width];
      float[] y = new float[n];
      boolean[] bad = new boolean[n];
      for (int i = 0; i < n; i++) {
        CanonicalRow r = rows.get(i);
        ids[i] = r.id();
        keys[i] = Mix.hash(r.id());
        System.arraycopy(r.features(), 0, x, i * width, width);
        y[i] = Double.isNaN(r.label()) ? 0f : (float) r.label();
        bad[i] = r.corrupted();
      }
      return new SourceBatch(ids, keys, x, y, bad, width);
    }
  }
}
