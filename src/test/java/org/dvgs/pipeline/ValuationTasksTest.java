package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.core.Auroc;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** Regression and autoencoder valuations find their corrupted rows; ML vector feature columns are read. */
class ValuationTasksTest {
  static final SparkSession SPARK = SharedSpark.get();
  static final StructType SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("id", DataTypes.StringType, false),
      DataTypes.createStructField("v", new VectorUDT(), false),
      DataTypes.createStructField("y", DataTypes.DoubleType, false)));

  /** Rows on a 2-D linear manifold in 8-D with a linear target; {@code bad} rows get heavy noise on x or y. */
  static String write(Path dir, String name, int n, double badFraction, boolean noisyTarget, Map<String, Boolean> truth, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      double[] x = new double[8];
      for (int j = 0; j < 8; j++) {
        x[j] = a * Math.cos(j) + b * Math.sin(j) + 0.05 * r.nextGaussian();
      }
      double y = 2 * a - b;
      boolean bad = i < badFraction * n;
      if (bad && noisyTarget) {
        y = -y + 3 * r.nextGaussian();
      } else if (bad) {
        for (int j = 0; j < 8; j++) {
          x[j] += 2.5 * r.nextGaussian();
        }
      }
      rows.add(RowFactory.create(name + i, Vectors.dense(x), y));
      if (truth != null) {
        truth.put(name + i, bad);
      }
    }
    String p = dir.resolve(name).toString();
    SPARK.createDataFrame(rows, SCHEMA).repartition(2).write().mode(SaveMode.Overwrite).parquet(p);
    return p;
  }

  static double auroc(ValuationJob.Outcome o, Map<String, Boolean> truth) {
    List<Row> v = o.values().collectAsList();
    double[] s = new double[v.size()];
    boolean[] p = new boolean[v.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = -v.get(i).getDouble(1);
      p[i] = truth.get(v.get(i).getString(0));
    }
    return Auroc.of(s, p);
  }

  static ValuationJob.Outcome run(Path dir, String source, String target, String task, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.features.column=v", "input.target.features.column=v",
        "model.task=" + task, "model.hidden=" + (task.equals("autoencoder") ? "[16, 2, 16]" : "[16]"),
        "training.batch-size=50", "training.epochs=30", "training.learning-rate=0.01", "training.snapshot-every=5",
        "output.path=\"" + dir.resolve("out-" + task) + "\""));
    o.addAll(List.of(more));
    return ValuationJob.run(SPARK, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
  }

  @Test
  void regressorFindsCorruptedTargets() {
    Path dir = SharedSpark.tempDir("regressor");
    Map<String, Boolean> truth = new HashMap<>();
    String target = write(dir, "t", 200, 0, true, null, 1);
    String source = write(dir, "s", 600, 0.2, true, truth, 2);
    ValuationJob.Outcome o = run(dir, source, target, "regressor", "input.source.label-column=y", "input.target.label-column=y");
    assertEquals("regressor", o.manifest().model().task());
    double a = auroc(o, truth);
    assertTrue(a > 0.85, "regressor AUROC " + a);
  }

  @Test
  void autoencoderFindsNoisyRowsWithoutLabels() {
    Path dir = SharedSpark.tempDir("autoencoder");
    Map<String, Boolean> truth = new HashMap<>();
    String target = write(dir, "t", 200, 0, false, null, 3);
    String source = write(dir, "s", 600, 0.2, false, truth, 4);
    ValuationJob.Outcome o = run(dir, source, target, "autoencoder");
    assertEquals(600L, o.values().count());
    double a = auroc(o, truth);
    assertTrue(a > 0.85, "autoencoder AUROC " + a);
  }
}
