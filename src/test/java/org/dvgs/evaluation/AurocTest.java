package org.dvgs.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

class AurocTest {
  @Test
  void handComputedWithoutTies() {
    // Positives at scores 0.9, 0.4; negatives at 0.8, 0.3, 0.1: pairs won 1+1+1 (0.9) + 0+1+1 (0.4) = 5 of 6.
    assertEquals(5.0 / 6, Auroc.of(new double[] {0.9, 0.8, 0.4, 0.3, 0.1}, new boolean[] {true, false, true, false, false}), 1e-12);
  }

  @Test
  void tiesCountHalf() {
    // One positive tied with one negative at 0.5, another positive above all: (1 + 1) + (0.5 + 1) = 3.5 of 4.
    assertEquals(3.5 / 4, Auroc.of(new double[] {0.9, 0.5, 0.5, 0.1}, new boolean[] {true, true, false, false}), 1e-12);
    // All tied: chance.
    assertEquals(0.5, Auroc.of(new double[] {1, 1, 1, 1}, new boolean[] {true, false, true, false}), 1e-12);
  }

  @Test
  void degenerateIsNaN() {
    assertTrue(Double.isNaN(Auroc.of(new double[] {1, 2}, new boolean[] {true, true})));
  }

  @Test
  void tableAndDistributedAgreeWithExact() {
    List<Row> rows = new ArrayList<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    double[] s = new double[500];
    boolean[] p = new boolean[500];
    for (int i = 0; i < 500; i++) {
      boolean c = r.nextDouble() < 0.2;
      double v = Math.round((c ? -0.3 : 0.2) * 10 + r.nextGaussian() * 5) / 10.0; // coarse values: many ties
      rows.add(RowFactory.create(v, c));
      s[i] = -v;
      p[i] = c;
    }
    Dataset<Row> df = SharedSpark.get().createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("value", DataTypes.DoubleType, false),
        DataTypes.createStructField("corrupted", DataTypes.BooleanType, false))));
    double exact = Auroc.of(s, p);
    assertEquals(exact, Auroc.ofTable(df), 1e-12);
    assertEquals(exact, Auroc.distributed(df), 1e-9);
  }
}
