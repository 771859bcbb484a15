package org.dvgs.baselines;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;

/**
 * The whole source set on the driver, in sample-id order, for methods whose cost is many model fits on subsets of
 * it (leave-one-out, TMC Data Shapley, DVRL). Those methods scale with the number of rows times the number of fits,
 * so they are meant for the sizes the paper compares on (about a thousand rows); {@link #collect} refuses sources
 * above {@code dvgs.evaluation.baselines.max-rows} instead of running for days.
 *
 * @param rows features and labels, row {@code i} being {@code ids[i]}
 * @param ids sample ids, ascending
 * @param corrupted ground truth per row
 */
public record SourceRows(DenseRows rows, String[] ids, boolean[] corrupted) {

  /** Row count. */
  public int size() {
    return ids.length;
  }

  /**
   * Collects the valid source rows.
   *
   * @param method the method asking, for the error message
   * @param maxRows {@code dvgs.evaluation.baselines.max-rows}
   */
  public static SourceRows collect(JavaRDD<CanonicalRow> source, String method, int maxRows) {
    long n = source.count();
    if (n > maxRows) {
      throw new ConfigValidationException(
          "method " + method + " would value " + n + " source rows, more than dvgs.evaluation.baselines.max-rows = " + maxRows
              + "; its cost grows with rows x fits, so sample the source (dvgs.evaluation.source-sample-size) or raise the limit");
    }
    List<CanonicalRow> list = new ArrayList<>(source.collect());
    list.sort(Comparator.comparing(CanonicalRow::id));
    return of(list);
  }

  /** Rows already on the driver, in the given order. */
  public static SourceRows of(List<CanonicalRow> list) {
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no source rows to value");
    }
    int width = list.get(0).features().length;
    float[] f = new float[list.size() * width];
    float[] y = new float[list.size()];
    String[] ids = new String[list.size()];
    boolean[] corrupted = new boolean[list.size()];
    for (int i = 0; i < list.size(); i++) {
      CanonicalRow r = list.get(i);
      System.arraycopy(r.features(), 0, f, i * width, width);
      y[i] = Double.isNaN(r.label()) ? 0f : (float) r.label();
      ids[i] = r.id();
      corrupted[i] = r.corrupted();
    }
    return new SourceRows(new DenseRows(f, y, list.size(), width), ids, corrupted);
  }

  /** One value per row (in this object's order) as {@link SampleValue}s. */
  public List<SampleValue> values(double[] value, double[] std, int[] estimates) {
    List<SampleValue> out = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      out.add(new SampleValue(ids[i], value[i], std == null ? Double.NaN : std[i], estimates == null ? 1 : estimates[i], corrupted[i]));
    }
    return out;
  }
}
