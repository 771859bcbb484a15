package org.dvgs.uniqueness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The distributed greedy against the sequential greedy, on random unit vectors. */
class UniqueSelectionTest {
  static final JavaSparkContext JSC = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());

  /** Unit vectors around a few random centres (spread = noise level), ids r0..r(n-1). */
  static List<ProjectedRow> rows(int n, int k, int centres, double spread, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] c = new double[centres][k];
    for (double[] v : c) {
      for (int j = 0; j < k; j++) {
        v[j] = r.nextGaussian();
      }
    }
    List<ProjectedRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] y = new float[k];
      double[] ctr = c[r.nextInt(centres)];
      for (int j = 0; j < k; j++) {
        y[j] = (float) (ctr[j] + spread * r.nextGaussian());
      }
      String id = "r" + i;
      out.add(ProjectedRow.of(id, ProjectRows.order(seed, id), i % 3, y, 0, k));
    }
    return out;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  static List<String> sequential(List<ProjectedRow> rows, double threshold) {
    List<ProjectedRow> sorted = new ArrayList<>(rows);
    sorted.sort(ProjectedRow.ORDER);
    List<String> ids = new ArrayList<>();
    for (ProjectedRow r : new KeptSet(rows.get(0).unit().length).greedy(sorted, threshold)) {
      ids.add(r.id());
    }
    return ids;
  }

  static UniqueSelection.Result run(List<ProjectedRow> rows, int partitions, double threshold) {
    JavaRDD<ProjectedRow> rdd = JSC.parallelize(rows, partitions).persist(StorageLevel.MEMORY_ONLY());
    return UniqueSelection.run(JSC, rdd, rows.get(0).unit().length, threshold, StorageLevel.MEMORY_ONLY());
  }

  @Test
  void onePartitionEqualsTheSequentialGreedyInSelectionOrder() {
    List<ProjectedRow> rows = rows(400, 8, 6, 0.6, 1);
    UniqueSelection.Result r = run(rows, 1, 0.5);
    assertEquals(sequential(rows, 0.5), r.kept().ids());
    assertEquals(1, r.pools().size());
  }

  /**
   * With several partitions the result is a valid sequential greedy result: kept rows pairwise below the threshold,
   * every other row at or above it to some kept row, and re-running the sequential greedy with kept rows first (in
   * the order they were added) reproduces it; its size stays close to the selection-order greedy's.
   */
  @ParameterizedTest
  @CsvSource({"4, 0.5, 8, 0.6", "7, 0.3, 8, 0.9", "3, 0.9, 3, 0.3", "5, 0.95, 4, 0.2", "6, 0.0, 6, 1.0"})
  void severalPartitionsGiveAValidGreedyResult(int partitions, double threshold, int k, double spread) {
    List<ProjectedRow> rows = rows(600, k, 5, spread, partitions);
    UniqueSelection.Result r = run(rows, partitions, threshold);
    List<String> kept = r.kept().ids();
    Map<String, ProjectedRow> byId = new HashMap<>();
    for (ProjectedRow p : rows) {
      byId.put(p.id(), p);
    }
    for (int i = 0; i < kept.size(); i++) {
      for (int j = i + 1; j < kept.size(); j++) {
        double s = dot(byId.get(kept.get(i)).unit(), byId.get(kept.get(j)).unit());
        assertTrue(s < threshold, kept.get(i) + " and " + kept.get(j) + " both kept at similarity " + s);
      }
    }
    Set<String> keptSet = new HashSet<>(kept);
    List<ProjectedRow> reorder = new ArrayList<>();
    for (String id : kept) {
      reorder.add(byId.get(id));
    }
    for (ProjectedRow p : rows) {
      if (!keptSet.contains(p.id())) {
        reorder.add(p);
      }
    }
    List<String> again = new ArrayList<>();
    for (ProjectedRow p : new KeptSet(k).greedy(reorder, threshold)) {
      again.add(p.id());
    }
    assertEquals(kept, again);
    int seq = sequential(rows, threshold).size();
    assertTrue(Math.abs(kept.size() - seq) <= Math.max(2, 0.25 * seq), "distributed " + kept.size() + " vs sequential " + seq);

    // Every row's assignment: kept flag and nearest kept row by brute force.
    List<UniqueSelection.Assignment> as = r.assignments().collect();
    assertEquals(rows.size(), as.size());
    for (UniqueSelection.Assignment a : as) {
      assertEquals(keptSet.contains(a.row().id()), a.kept());
      double best = Double.NEGATIVE_INFINITY;
      String bestId = null;
      for (String id : kept) {
        if (a.kept() && id.equals(a.row().id())) {
          continue;
        }
        double s = dot(a.row().unit(), byId.get(id).unit());
        if (s > best) {
          best = s;
          bestId = id;
        }
      }
      if (bestId == null) {
        assertNull(a.nearestId());
        continue;
      }
      assertEquals(best, a.nearestSimilarity(), 1e-9);
      assertEquals(bestId, a.nearestId());
      if (!a.kept()) {
        assertTrue(a.nearestSimilarity() >= threshold, a.row().id() + " dropped with nearest similarity " + a.nearestSimilarity());
      }
    }
  }

  /** Rows a partition drops for a candidate the merge then drops come back in a later round. */
  @Test
  void orphansAreSelectedInLaterRounds() {
    boolean sawSecondRound = false;
    for (int seed = 0; seed < 6 && !sawSecondRound; seed++) {
      List<ProjectedRow> rows = rows(300, 3, 50, 0.0, 100 + seed);
      UniqueSelection.Result r = run(rows, 6, 0.8);
      sawSecondRound = r.pools().size() > 1;
      for (UniqueSelection.Assignment a : r.assignments().collect()) {
        assertTrue(a.kept() || a.nearestSimilarity() >= 0.8);
      }
    }
    assertTrue(sawSecondRound, "no data set needed a second round");
  }

  @Test
  void deterministic() {
    List<ProjectedRow> rows = rows(500, 6, 4, 0.7, 9);
    assertEquals(run(rows, 4, 0.4).kept().ids(), run(rows, 4, 0.4).kept().ids());
  }
}
