package org.dvgs.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded generated data sets: Gaussian class clusters for classification, with optional label flips recorded in
 * a {@code corrupted} column. Used by the demo and by tests; the rows are a pure function of the arguments.
 */
public final class SyntheticData {
  private SyntheticData() {}

  /** Schema: {@code id string, features array<float>, label int, corrupted boolean}. */
  public static StructType schema() {
    return DataTypes.createStructType(
        List.of(
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false),
            DataTypes.createStructField("corrupted", DataTypes.BooleanType, false)));
  }

  /**
   * Class-cluster rows: each class has a centre drawn once from {@code N(0, spread^2 I)}, and a row is its
   * centre plus {@code N(0, I)} noise.
   *
   * @param prefix id prefix ("t" for target rows, "s" for source rows)
   * @param flipFraction fraction of rows (exactly {@code round(f n)}, chosen at random) whose label is flipped
   */
  public static List<Row> classification(long seed, String prefix, int rows, int classes, int width, double spread, double flipFraction) {
    SplittableRandom centres = new SplittableRandom(seed);
    float[][] c = new float[classes][width];
    for (int k = 0; k < classes; k++) {
      for (int j = 0; j < width; j++) {
        c[k][j] = (float) (spread * centres.nextGaussian());
      }
    }
    SplittableRandom r = new SplittableRandom(seed * 31 + prefix.hashCode());
    int flips = (int) Math.round(flipFraction * rows);
    boolean[] flip = new boolean[rows];
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    for (int i = rows - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int i = 0; i < flips; i++) {
      flip[order[i]] = true;
    }
    List<Row> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      int y = r.nextInt(classes);
      Float[] x = new Float[width];
      for (int j = 0; j < width; j++) {
        x[j] = (float) (c[y][j] + r.nextGaussian());
      }
      int label = y;
      if (flip[i]) {
        label = (y + 1 + r.nextInt(classes - 1)) % classes;
      }
      out.add(RowFactory.create(prefix + i, x, label, flip[i]));
    }
    return out;
  }

  /** Writes rows as Parquet and returns the path. */
  public static String write(SparkSession spark, List<Row> rows, String path, int partitions) {
    Dataset<Row> df = spark.createDataFrame(rows, schema()).repartition(partitions);
    df.write().mode(SaveMode.Overwrite).parquet(path);
    return path;
  }
}
