package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.EvaluationConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** label-flip-mode = pairs: the rows uniform mode flips, each sent to its one partner class. */
class PairFlipTest {
  private static Map<String, CanonicalRow> apply(Corruption c, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    JavaRDD<CanonicalRow> rdd = jsc.parallelize(CorruptionTest.rows(2000), partitions);
    Map<String, CanonicalRow> m = new HashMap<>();
    for (CanonicalRow r : c.apply(rdd, 4).collect()) {
      m.put(r.id(), r);
    }
    return m;
  }

  @Test
  void everyFlippedRowGetsTheNextClassAndTheSameRowsAreFlipped() {
    Map<String, CanonicalRow> pairs = apply(new Corruption(5, 800, 0.25, 0, 1, true), 3);
    Map<String, CanonicalRow> uniform = apply(new Corruption(5, 800, 0.25, 0, 1, false), 5);
    assertEquals(uniform.keySet(), pairs.keySet());
    int flipped = 0;
    for (CanonicalRow r : pairs.values()) {
      int original = Integer.parseInt(r.id().substring(1)) % 4;
      assertEquals(uniform.get(r.id()).corrupted(), r.corrupted(), r.id());
      if (r.corrupted()) {
        flipped++;
        assertEquals((original + 1) % 4, (int) r.label(), r.id());
      } else {
        assertEquals(original, (int) r.label(), r.id());
      }
    }
    assertEquals(200, flipped);
  }

  @Test
  void uniformIsTheDefaultAndTheFiveArgumentCorruptionBitForBit() {
    EvaluationConfig ev = TestConfigs.of().evaluation();
    assertEquals(EvaluationConfig.LabelFlipMode.UNIFORM, ev.labelFlipMode());
    Map<String, CanonicalRow> before = apply(Corruption.labels(7, 0, 0.3), 2);
    Map<String, CanonicalRow> now = apply(new Corruption(7, 0, 0.3, 0, 1, ev.labelFlipMode() == EvaluationConfig.LabelFlipMode.PAIRS), 4);
    for (CanonicalRow r : before.values()) {
      assertEquals(Double.doubleToRawLongBits(r.label()), Double.doubleToRawLongBits(now.get(r.id()).label()), r.id());
      assertEquals(r.corrupted(), now.get(r.id()).corrupted());
    }
  }

  @Test
  void pairsIsRefusedForARegressor() {
    org.dvgs.config.DvgsConfig cfg = TestConfigs.of("model.task=regressor", "evaluation.label-flip-mode=pairs");
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> cfg.evaluation().checkFor(cfg.model()));
    assertEquals(true, e.getMessage().contains("label-flip-mode = pairs"), e.getMessage());
    List<CanonicalRow> rows = CorruptionTest.rows(50);
    JavaRDD<CanonicalRow> rdd = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()).parallelize(rows, 2);
    assertThrows(ConfigValidationException.class, () -> new Corruption(1, 0, 0.2, 0, 1, true).apply(rdd, 0).count());
  }
}
