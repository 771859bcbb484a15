package org.dvgs.uniqueness;

import java.io.Serializable;
import java.util.Comparator;

/**
 * One sampled row's projected gradient, as the uniqueness selection uses it.
 *
 * @param id sample id
 * @param order position in the selection order: a seeded hash of the id (compared unsigned, ties by id)
 * @param label the row's label (NaN when the task has none)
 * @param unit the projected gradient scaled to unit length (all zeros for a zero gradient)
 * @param norm the projected gradient's length (an estimate of the gradient norm)
 */
public record ProjectedRow(String id, long order, double label, float[] unit, float norm) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The selection order: seeded hash, then id. */
  public static final Comparator<ProjectedRow> ORDER = ProjectedRow::compareOrder;

  private static int compareOrder(ProjectedRow a, ProjectedRow b) {
    int c = Long.compareUnsigned(a.order, b.order);
    return c != 0 ? c : a.id.compareTo(b.id);
  }

  /** The projected gradient as computed ({@code unit * norm}). */
  public float[] projection() {
    float[] p = new float[unit.length];
    for (int j = 0; j < p.length; j++) {
      p[j] = unit[j] * norm;
    }
    return p;
  }

  /** Scales {@code y[offset, offset + k)} to unit length. */
  public static ProjectedRow of(String id, long order, double label, float[] y, int offset, int k) {
    double sq = 0;
    for (int j = 0; j < k; j++) {
      double v = y[offset + j];
      sq += v * v;
    }
    double n = Math.sqrt(sq);
    float[] u = new float[k];
    if (n > 0 && Double.isFinite(n)) {
      for (int j = 0; j < k; j++) {
        u[j] = (float) (y[offset + j] / n);
      }
    }
    return new ProjectedRow(id, order, label, u, (float) n);
  }
}
