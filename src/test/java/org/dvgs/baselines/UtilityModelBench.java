package org.dvgs.baselines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.BaselinesConfig.UtilityMetric;
import org.dvgs.config.Task;
import org.dvgs.core.Auroc;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;

/**
 * Times the logistic utility model's solver, Breeze's L-BFGS ({@link BreezeLbfgs}), in the settings it can take,
 * against the former hand-written L-BFGS ({@link HandWrittenLbfgs}) and against Breeze built per call as first
 * measured ({@link BreezeLbfgsPerCall}) (BENCHMARKS.md, "Utility model solver"): a cold fit on every source
 * row and a leave-one-out style sequence of warm-started fits, on the baselines tests' problems and on an
 * Adult-sized one (1,000 source rows x 108 features, 400 target rows, as the Adult protocol). With {@code spark} as the first argument it also fits the
 * Adult-sized problem with Spark ML's {@code LogisticRegression} (Breeze's L-BFGS inside) on the same objective and
 * compares the optimum found. Not a test: run it with {@code java -cp <test class path> ...UtilityModelBench}.
 */
public final class UtilityModelBench {
  private UtilityModelBench() {}

  record Case(String name, Problems.Problem problem, UtilityMetric metric, double l2, double tolerance) {}

  public static void main(String[] args) {
    List<Case> cases = List.of(
        new Case("loo-test 80x5, 3 classes", Problems.classification(80, 60, 5, 3, 0.2, 31), UtilityMetric.AUROC, 1.0, 1e-9),
        new Case("tmc-test 6x2, 2 classes", Problems.classification(6, 40, 2, 2, 0.2, 5), UtilityMetric.AUROC, 1.0, 1e-10),
        new Case("budget-test 400x20, 2 classes", Problems.classification(400, 100, 20, 2, 0.2, 2), UtilityMetric.ACCURACY, 1.0, 1e-4),
        new Case("adult-size 1000x108, accuracy", Problems.classification(1000, 400, 108, 2, 0.2, 7), UtilityMetric.ACCURACY, 1.0, 1e-4),
        new Case("adult-size 1000x108, auroc", Problems.classification(1000, 400, 108, 2, 0.2, 7), UtilityMetric.AUROC, 1.0, 1e-4));
    // Both solvers on every problem, interleaved so that they see the same machine load.
    for (Case c : cases) {
      for (String solver : SOLVERS) {
        run(c, solver);
      }
    }
    Case prefixes = new Case("tmc budget-test 300x10, prefixes", Problems.classification(300, 100, 10, 2, 0.2, 9),
        UtilityMetric.ACCURACY, 1.0, 1e-4);
    for (String solver : SOLVERS) {
      prefixes(prefixes, solver);
    }
    for (String solver : SOLVERS) {
      tight(cases.get(4), solver);
    }
    if (args.length > 0 && args[0].equals("spark")) {
      spark(cases.get(4));
    }
  }

  /** The solvers compared, each run from the same fitter: one minimiser per fitter from its supplier. */
  private static final Map<String, Supplier<UtilityModel.Minimiser>> SOLVER_MAKERS = new LinkedHashMap<>();

  static {
    SOLVER_MAKERS.put("hand-written", HandWrittenLbfgs::new);
    SOLVER_MAKERS.put("breeze-percall", () -> BreezeLbfgsPerCall.MINIMISER);
    SOLVER_MAKERS.put("breeze-reused", () -> new BreezeLbfgs(7, false, false));
    SOLVER_MAKERS.put("breeze-scaled", () -> new BreezeLbfgs(7, true, false));
    SOLVER_MAKERS.put("breeze-m3", () -> new BreezeLbfgs(3, true, false));
    SOLVER_MAKERS.put("breeze", BreezeLbfgs::new);
  }

  private static final List<String> SOLVERS = List.copyOf(SOLVER_MAKERS.keySet());

  private static UtilityModel model(Case c) {
    return model(c, "hand-written");
  }

  private static UtilityModel model(Case c, String solver) {
    DenseRows src = SourceRows.of(c.problem().source()).rows();
    UtilityModel m = UtilityModel.of(src, c.problem().target(), Task.CLASSIFIER, c.problem().numClasses(),
        new BaselinesConfig.Utility(c.metric(), c.l2(), 100, c.tolerance()));
    return m.withMinimiser(SOLVER_MAKERS.get(solver));
  }

  private static void run(Case c, String solver) {
    UtilityModel m = model(c, solver);
    int n = m.size();
    int reps = n >= 1000 ? 5 : 50;
    double[] cold = new double[reps];
    double u = 0;
    long coldIter = 0;
    for (int r = 0; r < reps + 2; r++) {
      UtilityModel.Fitter f = m.fitter();
      f.setAllBut(-1);
      long t0 = System.nanoTime();
      u = f.fit();
      long t = System.nanoTime() - t0;
      if (r >= 2) {
        cold[r - 2] = t / 1e6;
        coldIter = f.iterations();
      }
    }
    UtilityModel.Fitter base = m.fitter();
    base.setAllBut(-1);
    base.fit();
    double[] start = base.weights();
    String obj = c.problem().numClasses() == 2
        ? String.format("%.12f", objective(c.problem().source(), c.problem().width(),
            Arrays.copyOfRange(start, 1 + (int) start[0], start.length), c.l2()))
        : "-";
    int loo = Math.min(n, 100);
    UtilityModel.Fitter f = m.fitter();
    long t0 = System.nanoTime();
    double sum = 0;
    for (int row = 0; row < loo; row++) {
      f.startFrom(start);
      f.setAllBut(row);
      sum += f.fit();
    }
    double looMs = (System.nanoTime() - t0) / 1e6;
    Arrays.sort(cold);
    System.out.printf("%-32s %-12s objective %s, cold fit: median %.3f ms (min %.3f, max %.3f; %d solver iterations), U(all) = %.17g;"
            + " %d warm leave-one-out fits: %.1f ms, %.3f ms/fit, %.1f iterations/fit, %.1f evaluations/fit, sum of U = %.17g%n",
        c.name(), solver, obj, cold[reps / 2], cold[0], cold[reps - 1], coldIter, u, loo, looMs, looMs / loo,
        (double) f.iterations() / loo, (double) f.evaluations / loo, sum);
  }

  /**
   * One TMC permutation without truncation: a warm fit on every prefix of a seeded permutation, as a TMC task runs
   * them (mostly small subsets); three permutations after a warm-up one, the median reported.
   */
  private static void prefixes(Case c, String solver) {
    UtilityModel m = model(c, solver);
    int n = m.size();
    double[] ms = new double[3];
    long iter = 0;
    long evals = 0;
    double sum = 0;
    for (int r = 0; r < ms.length + 1; r++) {
      int[] perm = new int[n];
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(r);
      for (int i = n - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      UtilityModel.Fitter f = m.fitter();
      long t0 = System.nanoTime();
      double s = 0;
      for (int i = 0; i < n; i++) {
        f.add(perm[i]);
        s += f.fit();
      }
      if (r > 0) {
        ms[r - 1] = (System.nanoTime() - t0) / 1e6;
        iter = f.iterations();
        evals = f.evaluations;
        sum = s;
      }
    }
    Arrays.sort(ms);
    System.out.printf("%-32s %-12s %d prefix fits: median %.1f ms per permutation (min %.1f, max %.1f), %.3f ms/fit,"
        + " %.1f iterations/fit, %.1f evaluations/fit, sum of U = %.17g%n", c.name(), solver, n, ms[1], ms[0], ms[2], ms[1] / n,
        (double) iter / n, (double) evals / n, sum);
  }

  /** A solver at tolerance 1e-9: the optimum, to compare the other solvers against. */
  private static void tight(Case c, String solver) {
    Case t = new Case(c.name(), c.problem(), c.metric(), c.l2(), 1e-9);
    UtilityModel.Fitter f = model(t, solver).fitter();
    f.setAllBut(-1);
    long t0 = System.nanoTime();
    double u = f.fit();
    double ms = (System.nanoTime() - t0) / 1e6;
    double[] saved = f.weights();
    double[] w = Arrays.copyOfRange(saved, 1 + (int) saved[0], saved.length);
    System.out.printf("%-32s %-12s tolerance 1e-9: %.3f ms, %d iterations, objective %.12f, U(all) = %.6f%n", c.name(), solver, ms,
        f.iterations(), objective(c.problem().source(), c.problem().width(), w, c.l2()), u);
  }

  /** Spark ML's logistic regression (Breeze L-BFGS) on the same objective: regParam = l2 / rows. */
  private static void spark(Case c) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("utility-bench")
        .config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    List<CanonicalRow> src = c.problem().source();
    int d = c.problem().width();
    List<Row> rows = new ArrayList<>();
    for (CanonicalRow r : src) {
      double[] x = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = r.features()[j];
      }
      rows.add(RowFactory.create((double) r.label(), Vectors.dense(x)));
    }
    Dataset<Row> df = spark.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("label", DataTypes.DoubleType, false),
        DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)))).cache();
    df.count();
    int k = src.size();
    UtilityModel m = model(c);
    UtilityModel.Fitter own = m.fitter();
    own.setAllBut(-1);
    double ownU = own.fit();
    double[] saved = own.weights();
    double[] ownW = Arrays.copyOfRange(saved, 1 + (int) saved[0], saved.length);
    for (double tol : new double[] {1e-6, 1e-9}) {
      LogisticRegression lr = new LogisticRegression().setRegParam(c.l2() / k).setElasticNetParam(0)
          .setStandardization(false).setFitIntercept(true).setMaxIter(100).setTol(tol);
      double[] ms = new double[5];
      LogisticRegressionModel fitted = null;
      for (int r = 0; r < ms.length + 1; r++) {
        long t0 = System.nanoTime();
        fitted = lr.fit(df);
        if (r > 0) {
          ms[r - 1] = (System.nanoTime() - t0) / 1e6;
        }
      }
      Arrays.sort(ms);
      double[] w = new double[d + 1];
      System.arraycopy(fitted.coefficients().toArray(), 0, w, 0, d);
      w[d] = fitted.intercept();
      double maxDiff = 0;
      for (int j = 0; j <= d; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(w[j] - ownW[j]));
      }
      System.out.printf("spark-ml LogisticRegression tol %.0e: median %.1f ms (min %.1f, max %.1f; %d iterations),"
              + " objective %.12f vs hand-written %.12f, max |w diff| %.2e, target AUROC %.6f vs %.6f%n",
          tol, ms[2], ms[0], ms[4], fitted.summary().totalIterations(), objective(src, d, w, c.l2()),
          objective(src, d, ownW, c.l2()), maxDiff, auroc(c.problem().target(), w), ownU);
    }
    spark.stop();
  }

  /** (1/k)(sum of logistic losses + l2/2 |w|^2), the intercept unpenalised: the utility model's objective. */
  private static double objective(List<CanonicalRow> src, int d, double[] w, double l2) {
    double loss = 0;
    for (CanonicalRow r : src) {
      double z = w[d];
      for (int j = 0; j < d; j++) {
        z += w[j] * r.features()[j];
      }
      loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - r.label() * z;
    }
    double reg = 0;
    for (int j = 0; j < d; j++) {
      reg += w[j] * w[j];
    }
    return (loss + 0.5 * l2 * reg) / src.size();
  }

  private static double auroc(DenseRows target, double[] w) {
    int d = target.width();
    double[] s = new double[target.rows()];
    boolean[] pos = new boolean[target.rows()];
    for (int i = 0; i < s.length; i++) {
      double z = w[d];
      for (int j = 0; j < d; j++) {
        z += w[j] * target.features()[i * d + j];
      }
      s[i] = z;
      pos[i] = target.labels()[i] == 1f;
    }
    return Auroc.of(s, pos);
  }
}
