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

/** The table and distributed AUROC against the exact one (whose own tests are in {@code core.AurocTest}). */
class AurocTest {
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
    double exact = org.dvgs.core.Auroc.of(s, p);
    assertEquals(exact, Auroc.ofTable(df), 1e-12);
    assertEquals(exact, Auroc.distributed(df), 1e-9);
  }
}
