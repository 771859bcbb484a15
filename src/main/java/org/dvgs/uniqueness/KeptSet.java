package org.dvgs.uniqueness;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows kept as unique so far: their ids and unit projected gradients, with the greedy rule and nearest-row
 * search. Cosine similarity of unit vectors is their dot product; a zero gradient has similarity 0 to everything.
 */
public final class KeptSet implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The most similar kept row.
   *
   * @param index position in the kept set, -1 when there is none
   * @param similarity its cosine similarity (-infinity when there is none)
   */
  public record Nearest(int index, double similarity) {}

  private final int k;
  private final List<String> ids = new ArrayList<>();
  private float[] vectors;

  public KeptSet(int k) {
    this.k = k;
    this.vectors = new float[Math.max(1, k) * 16];
  }

  public int size() {
    return ids.size();
  }

  public String id(int i) {
    return ids.get(i);
  }

  public List<String> ids() {
    return List.copyOf(ids);
  }

  /** An independent copy (what gets broadcast: the driver keeps adding to its own). */
  public KeptSet copy() {
    KeptSet c = new KeptSet(k);
    c.ids.addAll(ids);
    c.vectors = java.util.Arrays.copyOf(vectors, Math.max(ids.size() * k, 1));
    return c;
  }

  public void add(ProjectedRow r) {
    int n = ids.size();
    if ((n + 1) * k > vectors.length) {
      vectors = java.util.Arrays.copyOf(vectors, Math.max((n + 1) * k, vectors.length * 2));
    }
    System.arraycopy(r.unit(), 0, vectors, n * k, k);
    ids.add(r.id());
  }

  /** The kept row most similar to {@code unit}, skipping the kept row named {@code self} (may be null). */
  public Nearest nearest(float[] unit, String self) {
    int best = -1;
    double bestSim = Double.NEGATIVE_INFINITY;
    int n = ids.size();
    for (int i = 0; i < n; i++) {
      double s = similarity(i, unit);
      if (s > bestSim && (self == null || !self.equals(ids.get(i)))) {
        best = i;
        bestSim = s;
      }
    }
    return new Nearest(best, best < 0 ? Double.NEGATIVE_INFINITY : Math.min(1.0, bestSim));
  }

  /** Whether {@code unit} is a duplicate: similarity {@code >= threshold} to some kept row. */
  public boolean covers(float[] unit, double threshold) {
    int n = ids.size();
    for (int i = 0; i < n; i++) {
      if (similarity(i, unit) >= threshold) {
        return true;
      }
    }
    return false;
  }

  /** Cosine similarity of kept row {@code i} and a unit vector: their dot product. */
  private double similarity(int i, float[] unit) {
    int off = i * k;
    double s = 0;
    for (int j = 0; j < k; j++) {
      s += unit[j] * vectors[off + j];
    }
    return s;
  }

  /**
   * The sequential greedy rule over {@code rows} in the given order: a row joins this set when it is not covered by
   * any row already in it (including rows this call added).
   *
   * @return the rows added, in order
   */
  public List<ProjectedRow> greedy(Iterable<ProjectedRow> rows, double threshold) {
    List<ProjectedRow> added = new ArrayList<>();
    for (ProjectedRow r : rows) {
      if (!covers(r.unit(), threshold)) {
        add(r);
        added.add(r);
      }
    }
    return added;
  }
}
