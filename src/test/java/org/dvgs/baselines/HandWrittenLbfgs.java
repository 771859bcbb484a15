package org.dvgs.baselines;

/**
 * The logistic utility model's former solver, a hand-written L-BFGS (memory 7, backtracking Armijo line search,
 * curvature pairs kept from fit to fit), kept in the test sources only so that {@link UtilityModelBench} can compare
 * Breeze's L-BFGS, the solver now, with it (BENCHMARKS.md, "Utility model solver"). Stateful: one per fitter.
 */
final class HandWrittenLbfgs implements UtilityModel.Minimiser {
  private static final int MEMORY = 7;

  /**
   * Curvature pairs kept from fit to fit: consecutive working sets differ by one row and the objective is a mean
   * over rows, so the last fit's curvature is a good start for the next and saves most of its iterations.
   */
  private double[][] s = new double[0][];
  private double[][] yv = new double[0][];
  private final double[] rho = new double[MEMORY];
  private int stored;
  private int head;

  @Override
  public void forget() {
    stored = 0;
    head = 0;
  }

  @Override
  public double[] minimise(UtilityModel.Objective fn, double[] start, int maxIter, double tolerance, long[] iterations) {
    double[] w = start.clone();
    int len = w.length;
    if (s.length == 0 || s[0].length != len) {
      s = new double[MEMORY][len];
      yv = new double[MEMORY][len];
      forget();
    }
    double[] g = new double[len];
    double[] gNew = new double[len];
    double[] th = new double[len];
    double[] dir = new double[len];
    double[] alpha = new double[MEMORY];
    double f = fn.value(w, g);
    for (int it = 0; it < maxIter && maxAbs(g) > tolerance; it++) {
      iterations[0]++;
      System.arraycopy(g, 0, dir, 0, len);
      for (int h = 0; h < stored; h++) {
        int idx = Math.floorMod(head - 1 - h, MEMORY);
        alpha[idx] = rho[idx] * dot(s[idx], dir);
        axpy(-alpha[idx], yv[idx], dir);
      }
      double scale = 1;
      if (stored > 0) {
        int last = Math.floorMod(head - 1, MEMORY);
        scale = dot(s[last], yv[last]) / dot(yv[last], yv[last]);
      } else {
        scale = Math.min(1, 1 / Math.sqrt(dot(g, g)));
      }
      for (int j = 0; j < len; j++) {
        dir[j] *= scale;
      }
      for (int h = stored - 1; h >= 0; h--) {
        int idx = Math.floorMod(head - 1 - h, MEMORY);
        double beta = rho[idx] * dot(yv[idx], dir);
        axpy(alpha[idx] - beta, s[idx], dir);
      }
      for (int j = 0; j < len; j++) {
        dir[j] = -dir[j];
      }
      double slope = dot(g, dir);
      if (!(slope < 0)) {
        stored = 0;
        double gn = Math.sqrt(dot(g, g));
        for (int j = 0; j < len; j++) {
          dir[j] = -g[j] / Math.max(1, gn);
        }
        slope = dot(g, dir);
      }
      double step = 1;
      double fNew = Double.NaN;
      boolean accepted = false;
      for (int back = 0; back < 40; back++) {
        for (int j = 0; j < len; j++) {
          th[j] = w[j] + step * dir[j];
        }
        fNew = fn.value(th, gNew);
        if (fNew <= f + 1e-4 * step * slope) {
          accepted = true;
          break;
        }
        step *= 0.5;
      }
      if (!accepted) {
        break;
      }
      double[] sNew = s[head];
      double[] yNew = yv[head];
      for (int j = 0; j < len; j++) {
        sNew[j] = th[j] - w[j];
        yNew[j] = gNew[j] - g[j];
      }
      double sy = dot(sNew, yNew);
      if (sy > 1e-12) {
        rho[head] = 1 / sy;
        head = (head + 1) % MEMORY;
        stored = Math.min(stored + 1, MEMORY);
      }
      System.arraycopy(th, 0, w, 0, len);
      System.arraycopy(gNew, 0, g, 0, len);
      f = fNew;
    }
    return w;
  }

  private static double dot(double[] u, double[] v) {
    double s = 0;
    for (int i = 0; i < u.length; i++) {
      s += u[i] * v[i];
    }
    return s;
  }

  private static void axpy(double a, double[] u, double[] v) {
    for (int i = 0; i < u.length; i++) {
      v[i] += a * u[i];
    }
  }

  private static double maxAbs(double[] g) {
    double mx = 0;
    for (double v : g) {
      mx = Math.max(mx, Math.abs(v));
    }
    return mx;
  }
}
