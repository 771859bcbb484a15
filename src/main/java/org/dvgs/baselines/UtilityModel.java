package org.dvgs.baselines;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.BaselinesConfig.UtilityMetric;
import org.dvgs.config.Task;
import org.dvgs.core.Auroc;
import org.dvgs.core.Stats;
import org.dvgs.core.DenseRows;
import org.dvgs.core.InputException;

/**
 * The utility U(S) that leave-one-out and TMC Data Shapley measure subsets S of the source with: a model fitted on S
 * and scored on the trusted target set. A classifier fits L2-regularised logistic regression (binary, or multinomial
 * softmax above two classes) by Breeze's L-BFGS ({@link BreezeLbfgs}); a regressor fits ridge regression in closed form. Both are convex, so a
 * fit's result does not depend on where the solver starts beyond its tolerance, and everything is sequential on the
 * JVM (Breeze's vector operations included): the same subset in the same order gives bit-identical utilities on any executor.
 *
 * <p>Subsets a model cannot be fitted on still have a utility: the empty subset scores as chance (accuracy
 * 1/classes, AUROC 0.5, R^2 0, the score of predicting the target mean); a classifier subset holding one class
 * predicts that class for every target row. Classes absent from a subset are never predicted.
 *
 * <p>Instances are immutable and broadcast to executors; each task fits through its own {@link Fitter}.
 */
public final class UtilityModel implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] x;
  private final double[] y;
  private final int n;
  private final int d;
  private final double[] tx;
  private final double[] ty;
  private final int m;
  private final boolean classifier;
  private final int classes;
  private final UtilityMetric metric;
  private final double l2;
  private final int maxIter;
  private final double tolerance;
  /** Makes another minimiser for each logistic fitter, to compare solvers against Breeze's; null: Breeze's. */
  private final transient Supplier<? extends Minimiser> minimisers;
  /** {@code targetIsClass[c][i]}: target row i has class c (classifier only), the AUROC utility's labels. */
  private final boolean[][] targetIsClass;
  /** Squared deviations of the target labels from their mean: R^2's denominator (regressor only). */
  private final double targetSs;

  private UtilityModel(
      double[] x, double[] y, int n, int d, double[] tx, double[] ty, int m, boolean classifier, int classes, UtilityMetric metric,
      double l2, int maxIter, double tolerance, Supplier<? extends Minimiser> minimisers) {
    this.x = x;
    this.y = y;
    this.n = n;
    this.d = d;
    this.tx = tx;
    this.ty = ty;
    this.m = m;
    this.classifier = classifier;
    this.classes = classes;
    this.metric = metric;
    this.l2 = l2;
    this.maxIter = maxIter;
    this.tolerance = tolerance;
    this.minimisers = minimisers;
    this.targetSs = Stats.sumOfSquares(ty);
    this.targetIsClass = new boolean[classes][m];
    for (int i = 0; i < m && classifier; i++) {
      targetIsClass[(int) ty[i]][i] = true;
    }
  }

  /**
   * The utility of subsets of {@code source}, scored on {@code target}.
   *
   * @param task classifier or regressor (an autoencoder has no utility model; start-up refuses it)
   * @param numClasses classes of a classifier (labels are class indices below it); ignored for a regressor
   * @param settings {@code dvgs.evaluation.baselines.utility}
   */
  public static UtilityModel of(DenseRows source, DenseRows target, Task task, int numClasses, BaselinesConfig.Utility settings) {
    if (task == Task.AUTOENCODER) {
      throw new IllegalArgumentException("an autoencoder has no utility model for leave-one-out or TMC Data Shapley");
    }
    if (source.width() != target.width()) {
      throw new IllegalArgumentException("source width " + source.width() + " differs from target width " + target.width());
    }
    if (target.rows() == 0) {
      throw new IllegalArgumentException("the target set is empty: no utility can be measured");
    }
    boolean classifier = task == Task.CLASSIFIER;
    UtilityMetric metric = settings.resolved(task);
    if (classifier == (metric == UtilityMetric.R2)) {
      throw new IllegalArgumentException("utility metric " + metric + " does not suit task " + task);
    }
    if (classifier) {
      if (numClasses < 2) {
        throw new IllegalArgumentException("a classifier utility needs at least 2 classes, got " + numClasses);
      }
      checkClasses(source.labels(), numClasses, "source");
      checkClasses(target.labels(), numClasses, "target");
    } else {
      if (!(Stats.sumOfSquares(toDouble(target.labels())) > 0)) {
        throw new InputException("the target labels are all " + target.labels()[0]
            + ": R^2 on the target set is undefined, so the regressor utility of leave-one-out and TMC Data Shapley cannot be measured");
      }
    }
    return new UtilityModel(
        toDouble(source.features()), toDouble(source.labels()), source.rows(), source.width(), toDouble(target.features()),
        toDouble(target.labels()), target.rows(), classifier, classifier ? numClasses : 0, metric, settings.l2(),
        settings.maxIter(), settings.tolerance(), null);
  }

  /** A differentiable objective over plain arrays: the logistic fit's. */
  interface Objective {
    /** Returns f(w) and writes its gradient into {@code grad} (w's length, to be overwritten). */
    double value(double[] w, double[] grad);
  }

  /**
   * The logistic fit's solver: {@link BreezeLbfgs}, or another one to compare with it (the solver benchmark). One
   * instance per fitter, which calls it for fit after fit; it may keep state from one call to the next (curvature)
   * until {@link #forget}.
   */
  interface Minimiser {
    /**
     * Minimises {@code f} from {@code start} (not modified) until the largest gradient entry is at most {@code
     * tolerance} or {@code maxIter} iterations; returns the point found and adds the iterations to {@code
     * iterations[0]}.
     */
    double[] minimise(Objective f, double[] start, int maxIter, double tolerance, long[] iterations);

    /** The next call starts a new problem (other classes, or a random start): drop anything kept from the last. */
    default void forget() {}
  }

  /** This model with its logistic fits run by minimisers from {@code other} (not kept when serialised). */
  UtilityModel withMinimiser(Supplier<? extends Minimiser> other) {
    return new UtilityModel(x, y, n, d, tx, ty, m, classifier, classes, metric, l2, maxIter, tolerance, other);
  }

  private static void checkClasses(float[] labels, int numClasses, String which) {
    for (int i = 0; i < labels.length; i++) {
      float v = labels[i];
      if (!(v >= 0 && v < numClasses && v == Math.rint(v))) {
        throw new IllegalArgumentException(which + " row " + i + " has label " + v + ", not a class index below " + numClasses);
      }
    }
  }

  private static double[] toDouble(float[] f) {
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  /** Source rows. */
  public int size() {
    return n;
  }

  /** The metric utilities are measured in. */
  public UtilityMetric metric() {
    return metric;
  }

  /** U(empty set): chance. */
  public double emptyUtility() {
    return switch (metric) {
      case ACCURACY -> 1.0 / classes;
      case AUROC -> 0.5;
      default -> 0.0;
    };
  }

  /** A fresh fitter with its own buffers and no warm start; one per task, not thread-safe. */
  public Fitter fitter() {
    return classifier ? new LogisticFitter() : new RidgeFitter();
  }

  /** U of the given rows, fitted from scratch. */
  public double utilityOf(int... rows) {
    Fitter f = fitter();
    for (int r : rows) {
      f.add(r);
    }
    return f.fit();
  }

  /**
   * Fits the model on a working set of source rows and scores it. The working set is built with {@link #add} or
   * {@link #setAllBut}; logistic fits start from the previous fit's weights when the classes present are the same
   * (the next prefix of a permutation, or all rows but one, differ from the last set by one row).
   */
  public abstract class Fitter {
    long fits;
    long iterations;
    /** Objective evaluations over all fits (the solver benchmark's cost measure; 0 for ridge). */
    long evaluations;

    private Fitter() {}

    /** Empties the working set (the warm start is kept). */
    public abstract void clear();

    /** Adds source row {@code row} to the working set. */
    public abstract void add(int row);

    /** Makes the working set every source row except {@code row} ({@code -1}: every row). */
    public abstract void setAllBut(int row);

    /** Fits on the working set and returns its utility on the target set. */
    public abstract double fit();

    /** The current weights (to restart later fits from with {@link #startFrom}); empty for ridge. */
    public abstract double[] weights();

    /** Starts the next fit from {@code w} (from {@link #weights}) if its classes match; ignored by ridge. */
    public abstract void startFrom(double[] w);

    /** Starts the next fit from small random weights drawn from {@code seed}; ignored by ridge. */
    public abstract void startRandom(long seed);

    /** Fits run. */
    public long fits() {
      return fits;
    }

    /** Solver iterations over all fits (0 for ridge). */
    public long iterations() {
      return iterations;
    }
  }

  /** Scores target predictions: {@code prob} is rows x classes (absent classes 0), {@code pred} the predicted class. */
  private double classifierScore(double[] prob, int[] pred) {
    if (metric == UtilityMetric.ACCURACY) {
      int hit = 0;
      for (int i = 0; i < m; i++) {
        if (pred[i] == (int) ty[i]) {
          hit++;
        }
      }
      return (double) hit / m;
    }
    double[][] scores = new double[classes][m];
    for (int i = 0; i < m; i++) {
      for (int c = 0; c < classes; c++) {
        scores[c][i] = prob[i * classes + c];
      }
    }
    double a = classes == 2 ? Auroc.of(scores[1], targetIsClass[1]) : Auroc.macro(scores, targetIsClass);
    return Double.isNaN(a) ? 0.5 : a;
  }

  /** Scores a constant prediction of class {@code c} (a one-class subset). */
  private double constantClassScore(int c) {
    double[] prob = new double[m * classes];
    int[] pred = new int[m];
    for (int i = 0; i < m; i++) {
      prob[i * classes + c] = 1;
      pred[i] = c;
    }
    return classifierScore(prob, pred);
  }

  /** Logistic regression (softmax above two present classes) by L-BFGS on the per-row objective. */
  private final class LogisticFitter extends Fitter {
    /** This fitter's solver, made at its first fit (the fitter lives in one task; the solver is never serialised). */
    private Minimiser solver;
    private final double[] xs = new double[n * d];
    private final int[] label = new int[n];
    private final int[] count = new int[classes];
    private int k;
    /** Classes present at the last fit and its weights, the warm start of the next fit. */
    private int[] lastPresent = new int[0];
    private double[] w = new double[0];
    private final double[] prob = new double[m * classes];
    private final int[] pred = new int[m];

    @Override
    public void clear() {
      k = 0;
      Arrays.fill(count, 0);
    }

    @Override
    public void add(int row) {
      System.arraycopy(x, row * d, xs, k * d, d);
      label[k] = (int) y[row];
      count[label[k]]++;
      k++;
    }

    @Override
    public void setAllBut(int row) {
      clear();
      for (int r = 0; r < n; r++) {
        if (r != row) {
          add(r);
        }
      }
    }

    @Override
    public double[] weights() {
      double[] out = new double[w.length + lastPresent.length + 1];
      out[0] = lastPresent.length;
      for (int i = 0; i < lastPresent.length; i++) {
        out[1 + i] = lastPresent[i];
      }
      System.arraycopy(w, 0, out, 1 + lastPresent.length, w.length);
      return out;
    }

    @Override
    public void startFrom(double[] saved) {
      int p = (int) saved[0];
      lastPresent = new int[p];
      for (int i = 0; i < p; i++) {
        lastPresent[i] = (int) saved[1 + i];
      }
      w = Arrays.copyOfRange(saved, 1 + p, saved.length);
    }

    @Override
    public void startRandom(long seed) {
      int[] present = present();
      SplittableRandom rnd = new SplittableRandom(seed);
      w = new double[params(present.length)];
      for (int i = 0; i < w.length; i++) {
        w[i] = 0.01 * (2 * rnd.nextDouble() - 1);
      }
      lastPresent = present;
      forgetCurvature();
    }

    private int[] present() {
      int p = 0;
      for (int c : count) {
        if (c > 0) {
          p++;
        }
      }
      int[] out = new int[p];
      p = 0;
      for (int c = 0; c < classes; c++) {
        if (count[c] > 0) {
          out[p++] = c;
        }
      }
      return out;
    }

    /** Parameters for {@code p} present classes: one weight vector and intercept if 2, else one per class. */
    private int params(int p) {
      return p == 2 ? d + 1 : p * (d + 1);
    }

    @Override
    public double fit() {
      fits++;
      int[] present = present();
      if (present.length == 0) {
        return emptyUtility();
      }
      if (present.length == 1) {
        return constantClassScore(present[0]);
      }
      if (!Arrays.equals(present, lastPresent) || w.length != params(present.length)) {
        w = new double[params(present.length)];
        lastPresent = present;
        forgetCurvature();
      }
      int[] local = new int[classes];
      for (int i = 0; i < present.length; i++) {
        local[present[i]] = i;
      }
      int[] yl = new int[k];
      for (int i = 0; i < k; i++) {
        yl[i] = local[label[i]];
      }
      if (solver == null) {
        solver = minimisers == null ? new BreezeLbfgs() : minimisers.get();
      }
      int p = present.length;
      long[] it = new long[1];
      w = solver.minimise((th, g) -> objective(th, g, p, yl), w, maxIter, tolerance, it).clone();
      iterations += it[0];
      predict(present);
      return classifierScore(prob, pred);
    }

    /** Objective (1/k)(sum of row losses + l2/2 |W|^2) and its gradient into {@code g}. */
    private double objective(double[] th, double[] g, int p, int[] yl) {
      evaluations++;
      Arrays.fill(g, 0);
      double loss = 0;
      if (p == 2) {
        for (int i = 0; i < k; i++) {
          int o = i * d;
          double z = th[d];
          for (int j = 0; j < d; j++) {
            z += th[j] * xs[o + j];
          }
          double yi = yl[i];
          loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - yi * z;
          double r = (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))) - yi;
          for (int j = 0; j < d; j++) {
            g[j] += r * xs[o + j];
          }
          g[d] += r;
        }
        double reg = 0;
        for (int j = 0; j < d; j++) {
          reg += th[j] * th[j];
          g[j] += l2 * th[j];
        }
        loss += 0.5 * l2 * reg;
      } else {
        int bias = p * d;
        double[] z = new double[p];
        for (int i = 0; i < k; i++) {
          int o = i * d;
          double max = Double.NEGATIVE_INFINITY;
          for (int c = 0; c < p; c++) {
            double s = th[bias + c];
            int wc = c * d;
            for (int j = 0; j < d; j++) {
              s += th[wc + j] * xs[o + j];
            }
            z[c] = s;
            max = Math.max(max, s);
          }
          double sum = 0;
          for (int c = 0; c < p; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
          }
          int yi = yl[i];
          loss += Math.log(sum) - Math.log(z[yi]);
          for (int c = 0; c < p; c++) {
            double r = z[c] / sum - (c == yi ? 1 : 0);
            int wc = c * d;
            for (int j = 0; j < d; j++) {
              g[wc + j] += r * xs[o + j];
            }
            g[bias + c] += r;
          }
        }
        double reg = 0;
        for (int j = 0; j < bias; j++) {
          reg += th[j] * th[j];
          g[j] += l2 * th[j];
        }
        loss += 0.5 * l2 * reg;
      }
      double inv = 1.0 / k;
      for (int j = 0; j < g.length; j++) {
        g[j] *= inv;
      }
      return loss * inv;
    }

    /** The warm start is dropped: the solver's state from the last fit no longer applies. */
    private void forgetCurvature() {
      if (solver != null) {
        solver.forget();
      }
    }

    private void predict(int[] present) {
      Arrays.fill(prob, 0);
      int p = present.length;
      double[] z = new double[p];
      for (int i = 0; i < m; i++) {
        int o = i * d;
        if (p == 2) {
          double s = w[d];
          for (int j = 0; j < d; j++) {
            s += w[j] * tx[o + j];
          }
          double p1 = s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
          prob[i * classes + present[0]] = 1 - p1;
          prob[i * classes + present[1]] = p1;
          pred[i] = s > 0 ? present[1] : present[0];
        } else {
          int bias = p * d;
          double max = Double.NEGATIVE_INFINITY;
          int best = 0;
          for (int c = 0; c < p; c++) {
            double s = w[bias + c];
            for (int j = 0; j < d; j++) {
              s += w[c * d + j] * tx[o + j];
            }
            z[c] = s;
            if (s > max) {
              max = s;
              best = c;
            }
          }
          double sum = 0;
          for (int c = 0; c < p; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
          }
          for (int c = 0; c < p; c++) {
            prob[i * classes + present[c]] = z[c] / sum;
          }
          pred[i] = present[best];
        }
      }
    }
  }

  /**
   * Ridge regression with an unpenalised intercept, from running sums of the working set: adding a row costs
   * O(width^2) and a fit one Cholesky solve of the centred normal equations.
   */
  private final class RidgeFitter extends Fitter {
    private final double[] sxx = new double[d * d];
    private final double[] sx = new double[d];
    private final double[] sxy = new double[d];
    private double sy;
    private int k;
    private double[] full;
    private final double[] a = new double[d * d];
    private final double[] b = new double[d];

    @Override
    public void clear() {
      Arrays.fill(sxx, 0);
      Arrays.fill(sx, 0);
      Arrays.fill(sxy, 0);
      sy = 0;
      k = 0;
    }

    @Override
    public void add(int row) {
      accumulate(row, 1);
      k++;
    }

    private void accumulate(int row, double sign) {
      int o = row * d;
      double yi = y[row];
      for (int j = 0; j < d; j++) {
        double xj = sign * x[o + j];
        sx[j] += xj;
        sxy[j] += xj * yi;
        int r = j * d;
        for (int l = j; l < d; l++) {
          sxx[r + l] += xj * x[o + l];
        }
      }
      sy += sign * yi;
    }

    @Override
    public void setAllBut(int row) {
      if (full == null) {
        clear();
        for (int r = 0; r < n; r++) {
          add(r);
        }
        full = new double[d * d + 2 * d + 1];
        System.arraycopy(sxx, 0, full, 0, d * d);
        System.arraycopy(sx, 0, full, d * d, d);
        System.arraycopy(sxy, 0, full, d * d + d, d);
        full[d * d + 2 * d] = sy;
      }
      System.arraycopy(full, 0, sxx, 0, d * d);
      System.arraycopy(full, d * d, sx, 0, d);
      System.arraycopy(full, d * d + d, sxy, 0, d);
      sy = full[d * d + 2 * d];
      k = n;
      if (row >= 0) {
        accumulate(row, -1);
        k--;
      }
    }

    @Override
    public double[] weights() {
      return new double[0];
    }

    @Override
    public void startFrom(double[] w) {}

    @Override
    public void startRandom(long seed) {}

    @Override
    public double fit() {
      fits++;
      if (k == 0) {
        return emptyUtility();
      }
      double ybar = sy / k;
      for (int j = 0; j < d; j++) {
        double mj = sx[j] / k;
        b[j] = sxy[j] - k * mj * ybar;
        for (int l = j; l < d; l++) {
          a[j * d + l] = sxx[j * d + l] - k * mj * (sx[l] / k);
        }
        a[j * d + j] += l2;
      }
      choleskySolve(a, b, d);
      double intercept = ybar;
      for (int j = 0; j < d; j++) {
        intercept -= b[j] * sx[j] / k;
      }
      double res = 0;
      for (int i = 0; i < m; i++) {
        double s = intercept;
        int o = i * d;
        for (int j = 0; j < d; j++) {
          s += b[j] * tx[o + j];
        }
        res += (ty[i] - s) * (ty[i] - s);
      }
      return 1 - res / targetSs;
    }
  }

  /** Solves {@code A z = b} in place for symmetric positive definite A given by its upper triangle; z into b. */
  static void choleskySolve(double[] a, double[] b, int d) {
    // Upper factor U with A = U^T U, stored over A's upper triangle.
    for (int j = 0; j < d; j++) {
      double s = a[j * d + j];
      for (int r = 0; r < j; r++) {
        s -= a[r * d + j] * a[r * d + j];
      }
      if (!(s > 0)) {
        throw new IllegalStateException("ridge normal equations are not positive definite (pivot " + s + " at " + j + ")");
      }
      double ujj = Math.sqrt(s);
      a[j * d + j] = ujj;
      for (int l = j + 1; l < d; l++) {
        double t = a[j * d + l];
        for (int r = 0; r < j; r++) {
          t -= a[r * d + j] * a[r * d + l];
        }
        a[j * d + l] = t / ujj;
      }
    }
    for (int j = 0; j < d; j++) {
      double s = b[j];
      for (int r = 0; r < j; r++) {
        s -= a[r * d + j] * b[r];
      }
      b[j] = s / a[j * d + j];
    }
    for (int j = d - 1; j >= 0; j--) {
      double s = b[j];
      for (int l = j + 1; l < d; l++) {
        s -= a[j * d + l] * b[l];
      }
      b[j] = s / a[j * d + j];
    }
  }
}
