package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.dvgs.io.CanonicalRow;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

class LabelCorruptionTest {
  static List<CanonicalRow> rows(int n) {
    List<CanonicalRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new CanonicalRow("r" + i, new float[] {i}, i % 4, null, false, false));
    }
    return out;
  }

  static Map<String, CanonicalRow> apply(int partitions, long seed, int sample, double f) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    JavaRDD<CanonicalRow> rdd = jsc.parallelize(rows(2000), partitions);
    Map<String, CanonicalRow> m = new HashMap<>();
    for (CanonicalRow r : new LabelCorruption(seed, sample, f).apply(rdd, 4).collect()) {
      m.put(r.id(), r);
    }
    return m;
  }

  @Test
  void flipsExactlyTheFractionToOtherClassesIndependentOfPartitioning() {
    Map<String, CanonicalRow> a = apply(1, 5, 800, 0.25);
    Map<String, CanonicalRow> b = apply(7, 5, 800, 0.25);
    assertEquals(800, a.size());
    assertEquals(a.keySet(), b.keySet());
    int flipped = 0;
    for (CanonicalRow r : a.values()) {
      int original = Integer.parseInt(r.id().substring(1)) % 4;
      if (r.corrupted()) {
        flipped++;
        assertNotEquals(original, (int) r.label(), r.id());
      } else {
        assertEquals(original, (int) r.label(), r.id());
      }
      assertEquals(r.label(), b.get(r.id()).label(), 0.0);
      assertEquals(r.corrupted(), b.get(r.id()).corrupted());
    }
    assertEquals(200, flipped);
    // Flipped labels are spread over the other classes, not always "next class".
    java.util.Set<Integer> shifts = new java.util.HashSet<>();
    for (CanonicalRow r : a.values()) {
      if (r.corrupted()) {
        shifts.add(((int) r.label() - Integer.parseInt(r.id().substring(1)) % 4 + 4) % 4);
      }
    }
    assertEquals(3, shifts.size());
  }

  @Test
  void sampleLargerThanSourceIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> apply(2, 1, 5000, 0.2));
    assertEquals(true, e.getMessage().contains("dvgs.evaluation.source-sample-size"));
  }
}
