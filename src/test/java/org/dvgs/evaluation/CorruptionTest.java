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
import org.dvgs.config.ConfigValidationException;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

class CorruptionTest {
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
    for (CanonicalRow r : Corruption.labels(seed, sample, f).apply(rdd, 4).collect()) {
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
    // A config that does not suit the input: the user's error (exit status 2), not an internal one.
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> apply(2, 1, 5000, 0.2));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("dvgs.evaluation.source-sample-size = 5000 but the source has only 2000 valid rows"), e.getMessage());
  }

  static JavaRDD<CanonicalRow> source(int n, int partitions, int width) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    List<CanonicalRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = new float[width];
      java.util.Arrays.fill(x, i % 5);
      out.add(new CanonicalRow("r" + i, x, i * 1.5, null, false, false));
    }
    return jsc.parallelize(out, partitions);
  }

  @Test
  void regressionTargetsArePassedOnInACycleAmongTheCorruptedRows() {
    Map<String, CanonicalRow> byId = new HashMap<>();
    Map<String, CanonicalRow> other = new HashMap<>();
    Corruption c = Corruption.labels(3, 0, 0.3);
    for (CanonicalRow r : c.apply(source(500, 3, 2), 0).collect()) {
      byId.put(r.id(), r);
    }
    for (CanonicalRow r : Corruption.labels(3, 0, 0.3).apply(source(500, 6, 2), 0).collect()) {
      other.put(r.id(), r);
    }
    assertEquals(500, byId.size());
    assertEquals(150, c.flipped());
    java.util.List<Double> before = new ArrayList<>();
    java.util.List<Double> after = new ArrayList<>();
    Corruption.Truth truth = c.truth();
    for (CanonicalRow r : byId.values()) {
      double original = Integer.parseInt(r.id().substring(1)) * 1.5;
      assertEquals(truth.labelFlipped(r.id()), r.corrupted(), r.id());
      if (r.corrupted()) {
        // Distinct original targets, so every corrupted row gets a different one.
        assertNotEquals(original, r.label(), 0.0, r.id());
        before.add(original);
        after.add(r.label());
      } else {
        assertEquals(original, r.label(), 0.0);
      }
      assertEquals(r.label(), other.get(r.id()).label(), 0.0, "independent of partitioning");
    }
    java.util.Collections.sort(before);
    java.util.Collections.sort(after);
    assertEquals(before, after, "the corrupted targets are a permutation of the originals");
  }

  @Test
  void featureNoiseHasRecordedPerRowRatesAndIsDeterministic() {
    Corruption c = new Corruption(9, 400, 0.0, 0.5, 0.5);
    JavaRDD<CanonicalRow> sampled = c.apply(source(1000, 4, 50), 0);
    List<CanonicalRow> noisy = c.afterScaling(sampled).collect();
    Corruption c2 = new Corruption(9, 400, 0.0, 0.5, 0.5);
    List<CanonicalRow> again = c2.afterScaling(c2.apply(source(1000, 2, 50), 0)).collect();
    assertEquals(400, noisy.size());
    assertEquals(200, c.noisy());
    Corruption.Truth truth = c.truth();
    Map<String, CanonicalRow> second = new HashMap<>();
    for (CanonicalRow r : again) {
      second.put(r.id(), r);
    }
    int withNoise = 0;
    for (CanonicalRow r : noisy) {
      double rate = truth.noiseRate(r.id());
      float clean = Integer.parseInt(r.id().substring(1)) % 5;
      double ss = 0;
      for (float v : r.features()) {
        ss += (v - clean) * (v - clean);
      }
      double sd = Math.sqrt(ss / r.features().length);
      if (rate > 0) {
        withNoise++;
        org.junit.jupiter.api.Assertions.assertTrue(r.corrupted());
        org.junit.jupiter.api.Assertions.assertTrue(rate < 0.5);
        // The empirical spread of 50 N(0, rate^2) draws is within 40% of the rate.
        assertEquals(rate, sd, 0.4 * rate + 1e-6, r.id());
      } else {
        assertEquals(0.0, sd, 0.0);
        org.junit.jupiter.api.Assertions.assertFalse(r.corrupted());
      }
      org.junit.jupiter.api.Assertions.assertArrayEquals(r.features(), second.get(r.id()).features(), r.id());
    }
    assertEquals(200, withNoise);
  }

  @Test
  void remainderIsDisjointFromTheSampleAndSized() {
    Corruption c = Corruption.labels(4, 300, 0.2);
    JavaRDD<CanonicalRow> valid = source(1000, 3, 1);
    java.util.Set<String> sampled = new java.util.HashSet<>();
    for (CanonicalRow r : c.apply(valid, 0).collect()) {
      sampled.add(r.id());
    }
    List<CanonicalRow> rest = c.remainder(valid, 0).collect();
    assertEquals(700, rest.size());
    for (CanonicalRow r : rest) {
      org.junit.jupiter.api.Assertions.assertFalse(sampled.contains(r.id()));
    }
    assertEquals(250, c.remainder(valid, 250).count());
  }
}
