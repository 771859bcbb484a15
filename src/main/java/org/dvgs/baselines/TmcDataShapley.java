package org.dvgs.baselines;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.Keys;
import org.dvgs.core.Stats;
import org.dvgs.core.Mix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Truncated Monte Carlo Data Shapley (Ghorbani and Zou, 2019). Each permutation of the source, drawn from the seed and
 * its index, adds the rows one at a time and credits each row with the change in utility it brings to the prefix
 * before it; once the prefix's utility stays within {@code truncation-tolerance} of U(all) for
 * {@code truncation-patience} prefixes, the rest of the permutation is credited 0 without fitting. A row's value is
 * its mean marginal contribution over permutations, its std their spread.
 *
 * <p>Permutations run as Spark tasks, one task per permutation, in rounds of {@code permutations-per-round}. Results
 * are folded in permutation order, and the convergence test runs after every permutation: the run stops at the first
 * permutation count t (at least {@code convergence-window}) where the running values of the last window moved, in
 * sum of absolute changes relative to the sum of absolute values at t, by less than {@code convergence-tolerance}.
 * Permutations a round ran past that point are discarded, so the values depend on the seed alone, not on the round
 * size or partitioning. The paper averages per-row relative changes instead; a row whose value is near zero makes that
 * average unbounded, which is why the change is taken relative to the total here.
 *
 * <p>With {@code time-budget} set, no permutation starts after the budget and one still running is abandoned; the
 * values average the permutations completed, and {@code budget_exhausted} says it stopped early.
 */
public final class TmcDataShapley implements ValuationMethod {
  private static final Logger LOG = LoggerFactory.getLogger(TmcDataShapley.class);
  private static final long PERMUTATION_STREAM = 0x544d435045524dL;

  @Override
  public String name() {
    return "tmc-shapley";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    long started = System.currentTimeMillis();
    BaselinesConfig cfg = ctx.config();
    BaselinesConfig.TmcShapley tmc = cfg.tmcShapley();
    long deadline = tmc.timeBudgetSeconds() > 0 ? started + (long) Math.ceil(tmc.timeBudgetSeconds() * 1000) : Long.MAX_VALUE;
    SourceRows src = SourceRows.collect(ctx.inputs().source(), name(), cfg.maxRows());
    UtilityModel model = UtilityModel.of(src.rows(), ctx.inputs().target(), ctx.task(), ctx.inputs().numClasses(), cfg.utility());
    int n = src.size();
    UtilityModel.Fitter driverFit = model.fitter();
    driverFit.setAllBut(-1);
    double all = driverFit.fit();
    double empty = model.emptyUtility();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int perRound = tmc.permutationsPerRound() > 0 ? tmc.permutationsPerRound() : 2 * jsc.defaultParallelism();
    Broadcast<UtilityModel> shared = jsc.broadcast(model);
    Estimate est = new Estimate(n, tmc.convergenceWindow(), tmc.convergenceTolerance());
    Permute task = new Permute(shared, ctx.seed(), all, empty, tmc.truncationTolerance(), tmc.truncationPatience(), deadline);
    boolean exhausted = false;
    int rounds = 0;
    long fits = 0;
    long iterations = 0;
    long fitted = 0;
    int truncated = 0;
    int abandoned = 0;
    try {
      while (!est.converged && est.count < tmc.maxPermutations()) {
        if (System.currentTimeMillis() >= deadline) {
          exhausted = true;
          break;
        }
        int from = est.count;
        int size = Math.min(perRound, tmc.maxPermutations() - from);
        List<Integer> ids = new ArrayList<>(size);
        for (int t = from; t < from + size; t++) {
          ids.add(t);
        }
        List<Permutation> results = new ArrayList<>(jsc.parallelize(ids, size).map(task).collect());
        results.sort((p, q) -> Integer.compare(p.index(), q.index()));
        rounds++;
        for (Permutation p : results) {
          if (p.marginals() == null) {
            exhausted = true;
            abandoned++;
            continue;
          }
          if (est.converged) {
            break;
          }
          est.add(p.marginals(), !exhausted);
          fits += p.fits();
          iterations += p.iterations();
          fitted += p.fitted();
          if (p.fitted() < n) {
            truncated++;
          }
        }
        // Progress at INFO about every 100 permutations (a round is a few permutations), every round at DEBUG.
        if (est.count / 100 != from / 100 || est.converged) {
          LOG.info("tmc-shapley: {} permutations, convergence error {}", est.count, est.lastError);
        } else {
          LOG.debug("tmc-shapley: {} permutations, convergence error {}", est.count, est.lastError);
        }
        if (exhausted) {
          break;
        }
      }
    } finally {
      shared.destroy();
    }
    double[] std = est.std();
    int[] estimates = new int[n];
    java.util.Arrays.fill(estimates, est.count);
    double seconds = (System.currentTimeMillis() - started) / 1000.0;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("utility_metric", Keys.kebab(model.metric()));
    details.put("rows", n);
    details.put("utility_all", all);
    details.put("utility_empty", empty);
    details.put("permutations", est.count);
    details.put("converged", est.converged);
    details.put("convergence_error", Double.isFinite(est.lastError) ? est.lastError : null);
    details.put("max_permutations_reached", !est.converged && est.count >= tmc.maxPermutations());
    details.put("budget_exhausted", exhausted);
    details.put("time_budget_seconds", tmc.timeBudgetSeconds());
    details.put("permutations_abandoned", abandoned);
    details.put("permutations_truncated", truncated);
    details.put("mean_prefix_fraction", est.count == 0 ? null : (double) fitted / ((double) est.count * n));
    details.put("fits", fits);
    details.put("solver_iterations", iterations);
    details.put("rounds", rounds);
    details.put("permutations_per_round", perRound);
    details.put("seconds", seconds);
    if (exhausted) {
      LOG.warn("tmc-shapley: time budget of {} s ran out after {} permutations (not converged)", tmc.timeBudgetSeconds(), est.count);
    }
    LOG.info("tmc-shapley: {} rows, {} permutations, converged {}, {} s", n, est.count, est.converged, seconds);
    return new MethodResult(jsc.parallelize(src.values(est.mean, std, estimates)), details);
  }

  /** The permutation with index {@code t} of {@code n} rows under {@code seed} (Fisher-Yates). */
  static int[] permutation(int n, long seed, int t) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(Mix.mix(seed, PERMUTATION_STREAM, t));
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /**
   * One permutation's marginal contributions by row ({@code null} when abandoned at the deadline), the prefix length
   * fitted, and the fits and solver iterations it took.
   */
  record Permutation(int index, double[] marginals, int fitted, long fits, long iterations) implements Serializable {}

  /** Runs one permutation. */
  private static final class Permute implements Function<Integer, Permutation> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<UtilityModel> model;
    private final long seed;
    private final double all;
    private final double empty;
    private final double tolerance;
    private final int patience;
    private final long deadline;

    Permute(Broadcast<UtilityModel> model, long seed, double all, double empty, double tolerance, int patience, long deadline) {
      this.model = model;
      this.seed = seed;
      this.all = all;
      this.empty = empty;
      this.tolerance = tolerance;
      this.patience = patience;
      this.deadline = deadline;
    }

    @Override
    public Permutation call(Integer t) {
      UtilityModel m = model.value();
      int n = m.size();
      int[] order = permutation(n, seed, t);
      UtilityModel.Fitter f = m.fitter();
      double[] marginals = new double[n];
      double prev = empty;
      int streak = 0;
      int j = 0;
      while (j < n) {
        if (System.currentTimeMillis() >= deadline) {
          return new Permutation(t, null, j, f.fits(), f.iterations());
        }
        f.add(order[j]);
        double u = f.fit();
        marginals[order[j]] = u - prev;
        prev = u;
        j++;
        if (tolerance > 0 && Math.abs(u - all) < tolerance * Math.abs(all)) {
          if (++streak >= patience) {
            break;
          }
        } else {
          streak = 0;
        }
      }
      return new Permutation(t, marginals, j, f.fits(), f.iterations());
    }
  }

  /** Running mean and spread of the marginals, folded in permutation order, with the convergence test. */
  private static final class Estimate {
    final double[] mean;
    final double[] m2;
    final int window;
    final double tolerance;
    /** Running means after each of the last {@code window} permutations, as a ring. */
    final double[][] history;
    int count;
    boolean converged;
    double lastError = Double.NaN;

    Estimate(int n, int window, double tolerance) {
      this.mean = new double[n];
      this.m2 = new double[n];
      this.window = window;
      this.tolerance = tolerance;
      this.history = new double[window][];
    }

    /** Folds in one permutation; {@code test} runs the convergence test afterwards. */
    void add(double[] marginals, boolean test) {
      count++;
      Stats.welford(mean, m2, count, marginals);
      if (count > window) {
        double total = 0;
        for (double v : mean) {
          total += Math.abs(v);
        }
        double worst = 0;
        for (double[] past : history) {
          double change = 0;
          for (int i = 0; i < mean.length; i++) {
            change += Math.abs(past[i] - mean[i]);
          }
          worst = Math.max(worst, total > 0 ? change / total : (change > 0 ? Double.POSITIVE_INFINITY : 0));
        }
        lastError = worst;
        if (test && worst < tolerance) {
          converged = true;
        }
      }
      int slot = (count - 1) % window;
      if (history[slot] == null) {
        history[slot] = mean.clone();
      } else {
        System.arraycopy(mean, 0, history[slot], 0, mean.length);
      }
    }

    /** Sample std of the marginals per row (NaN below two permutations). */
    double[] std() {
      double[] s = new double[mean.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = Stats.welfordStd(m2[i], count);
      }
      return s;
    }
  }
}
