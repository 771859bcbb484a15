package org.dvgs.baselines;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.io.LoadedInputs;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;

/** Small synthetic valuation problems: a linear signal plus noise, source rows with zero-padded ids. */
final class Problems {
  private Problems() {}

  /** A problem: source rows (in id order), the target, and the task's class count (0 for a regressor). */
  record Problem(List<CanonicalRow> source, DenseRows target, int numClasses) {
    int width() {
      return target.width();
    }

    /** The source as the driver-side rows the methods collect, in id order. */
    SourceRows rows() {
      return SourceRows.of(source);
    }

    /** A method context over these inputs with the given {@code key=value} overrides of the defaults. */
    MethodContext context(long seed, int partitions, String... overrides) {
      List<String> o = new ArrayList<>(List.of(overrides));
      o.add("model.task=" + (numClasses > 0 ? "classifier" : "regressor"));
      DvgsConfig cfg = TestConfigs.of(o.toArray(new String[0]));
      JavaRDD<CanonicalRow> rdd = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()).parallelize(source, partitions);
      LoadedInputs in = new LoadedInputs(target, rdd, null, width(), numClasses, null, null);
      return new MethodContext(in, null, cfg.model(), cfg.training(), cfg.evaluation().baselines(), seed, null);
    }
  }

  /** Regression: y = x . beta + noise. */
  static Problem regression(int sourceRows, int targetRows, int width, double noise, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] beta = new double[width];
    for (int j = 0; j < width; j++) {
      beta[j] = rnd.nextDouble() * 2 - 1;
    }
    List<CanonicalRow> src = new ArrayList<>();
    for (int i = 0; i < sourceRows; i++) {
      float[] x = features(rnd, width);
      src.add(new CanonicalRow(String.format("s%04d", i), x, dot(beta, x) + noise * gaussian(rnd), null, i % 3 == 0, false));
    }
    float[] tf = new float[targetRows * width];
    float[] ty = new float[targetRows];
    for (int i = 0; i < targetRows; i++) {
      float[] x = features(rnd, width);
      System.arraycopy(x, 0, tf, i * width, width);
      ty[i] = (float) (dot(beta, x) + noise * gaussian(rnd));
    }
    return new Problem(src, new DenseRows(tf, ty, targetRows, width), 0);
  }

  /** Classification: class = argmax of noisy linear scores; {@code flip} of the source rows get another class. */
  static Problem classification(int sourceRows, int targetRows, int width, int classes, double flip, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] beta = new double[classes][width];
    for (double[] b : beta) {
      for (int j = 0; j < width; j++) {
        b[j] = rnd.nextDouble() * 2 - 1;
      }
    }
    List<CanonicalRow> src = new ArrayList<>();
    for (int i = 0; i < sourceRows; i++) {
      float[] x = features(rnd, width);
      int c = argmax(beta, x, rnd);
      boolean flipped = rnd.nextDouble() < flip;
      if (flipped) {
        c = (c + 1 + rnd.nextInt(classes - 1)) % classes;
      }
      src.add(new CanonicalRow(String.format("s%04d", i), x, c, null, flipped, false));
    }
    float[] tf = new float[targetRows * width];
    float[] ty = new float[targetRows];
    for (int i = 0; i < targetRows; i++) {
      float[] x = features(rnd, width);
      System.arraycopy(x, 0, tf, i * width, width);
      ty[i] = argmax(beta, x, rnd);
    }
    return new Problem(src, new DenseRows(tf, ty, targetRows, width), classes);
  }

  private static int argmax(double[][] beta, float[] x, SplittableRandom rnd) {
    int best = 0;
    double top = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < beta.length; c++) {
      double s = dot(beta[c], x) + 0.3 * gaussian(rnd);
      if (s > top) {
        top = s;
        best = c;
      }
    }
    return best;
  }

  private static float[] features(SplittableRandom rnd, int width) {
    float[] x = new float[width];
    for (int j = 0; j < width; j++) {
      x[j] = (float) gaussian(rnd);
    }
    return x;
  }

  private static double dot(double[] b, float[] x) {
    double s = 0;
    for (int j = 0; j < b.length; j++) {
      s += b[j] * x[j];
    }
    return s;
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
