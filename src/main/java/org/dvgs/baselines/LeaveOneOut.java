package org.dvgs.baselines;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
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
 * Leave-one-out: the value of row i is U(all) - U(all without i), with the {@link UtilityModel} scored on the target
 * set. U(all) is the mean of {@code loo.baseline-fits} fits on every row, each from its own seeded start; the model is
 * convex and fitted to convergence, so these agree up to the solver tolerance (exactly, for ridge) and the manifest
 * records their spread. The n fits without one row run as Spark tasks over the broadcast source, each starting from
 * the first baseline fit's weights.
 *
 * <p>With {@code loo.time-budget} set, no fit starts after the budget: rows not reached get value 0 with
 * {@code estimates = 0}, and the details say how many rows were done ({@code rows_done}) and that the budget ran out
 * ({@code budget_exhausted}).
 */
public final class LeaveOneOut implements ValuationMethod {
  private static final Logger LOG = LoggerFactory.getLogger(LeaveOneOut.class);
  private static final long START_STREAM = 0x4c4f4f5354415254L;

  @Override
  public String name() {
    return "loo";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    long started = System.currentTimeMillis();
    BaselinesConfig cfg = ctx.config();
    BaselinesConfig.Loo loo = cfg.loo();
    long deadline = loo.timeBudgetSeconds() > 0 ? started + (long) Math.ceil(loo.timeBudgetSeconds() * 1000) : Long.MAX_VALUE;
    SourceRows src = SourceRows.collect(ctx.inputs().source(), name(), cfg.maxRows());
    UtilityModel model = UtilityModel.of(src.rows(), ctx.inputs().target(), ctx.task(), ctx.inputs().numClasses(), cfg.utility());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<UtilityModel> shared = jsc.broadcast(model);
    try {
      int n = src.size();
      List<Integer> fitIds = new ArrayList<>();
      for (int b = 0; b < loo.baselineFits(); b++) {
        fitIds.add(b);
      }
      List<BaselineFit> baselines = new ArrayList<>(
          jsc.parallelize(fitIds, fitIds.size()).map(new FitAll(shared, ctx.seed())).collect());
      baselines.sort((p, q) -> Integer.compare(p.index(), q.index()));
      double[] us = new double[baselines.size()];
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      List<Double> baselineUtilities = new ArrayList<>();
      for (int i = 0; i < us.length; i++) {
        us[i] = baselines.get(i).utility();
        lo = Math.min(lo, us[i]);
        hi = Math.max(hi, us[i]);
        baselineUtilities.add(us[i]);
      }
      double all = Stats.mean(us);
      List<Integer> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(i);
      }
      int slices = Math.min(n, 4 * jsc.defaultParallelism());
      List<RowFit> fits = jsc.parallelize(rows, slices).mapPartitions(new FitWithout(shared, baselines.get(0).weights(), deadline)).collect();
      double[] value = new double[n];
      int[] estimates = new int[n];
      int done = 0;
      long iterations = 0;
      for (RowFit f : fits) {
        if (f.done()) {
          value[f.row()] = all - f.utility();
          estimates[f.row()] = 1;
          done++;
          iterations += f.iterations();
        }
      }
      boolean exhausted = done < n;
      double seconds = (System.currentTimeMillis() - started) / 1000.0;
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("utility_metric", Keys.kebab(model.metric()));
      details.put("rows", n);
      details.put("rows_done", done);
      details.put("budget_exhausted", exhausted);
      details.put("time_budget_seconds", loo.timeBudgetSeconds());
      details.put("utility_all", all);
      details.put("baseline_utilities", baselineUtilities);
      details.put("baseline_spread", hi - lo);
      details.put("solver_iterations", iterations);
      details.put("tasks", slices);
      details.put("seconds", seconds);
      if (exhausted) {
        LOG.warn("loo: time budget of {} s ran out after {} of {} rows; the rest keep value 0 with estimates = 0",
            loo.timeBudgetSeconds(), done, n);
      }
      LOG.info("loo: {} rows, U(all) = {} ({}), {} s", n, all, Keys.kebab(model.metric()), seconds);
      return new MethodResult(jsc.parallelize(src.values(value, null, estimates)), details);
    } finally {
      shared.destroy();
    }
  }

  /** A fit on every row. */
  record BaselineFit(int index, double utility, double[] weights) implements Serializable {}

  /** The fit without {@code row}: its utility, or not done when the budget ran out first. */
  record RowFit(int row, boolean done, double utility, long iterations) implements Serializable {}

  /** Fits on every row from seeded random weights: one baseline fit. */
  private static final class FitAll implements Function<Integer, BaselineFit> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<UtilityModel> model;
    private final long seed;

    FitAll(Broadcast<UtilityModel> model, long seed) {
      this.model = model;
      this.seed = seed;
    }

    @Override
    public BaselineFit call(Integer index) {
      UtilityModel.Fitter f = model.value().fitter();
      f.setAllBut(-1);
      f.startRandom(Mix.mix(seed, START_STREAM, index));
      double u = f.fit();
      return new BaselineFit(index, u, f.weights());
    }
  }

  /** Fits without each row of a partition, from the baseline weights, until the deadline. */
  private static final class FitWithout implements FlatMapFunction<Iterator<Integer>, RowFit> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<UtilityModel> model;
    private final double[] start;
    private final long deadline;

    FitWithout(Broadcast<UtilityModel> model, double[] start, long deadline) {
      this.model = model;
      this.start = start;
      this.deadline = deadline;
    }

    @Override
    public Iterator<RowFit> call(Iterator<Integer> rows) {
      UtilityModel.Fitter f = model.value().fitter();
      List<RowFit> out = new ArrayList<>();
      while (rows.hasNext()) {
        int row = rows.next();
        if (System.currentTimeMillis() >= deadline) {
          out.add(new RowFit(row, false, Double.NaN, 0));
          continue;
        }
        long before = f.iterations();
        f.startFrom(start);
        f.setAllBut(row);
        double u = f.fit();
        out.add(new RowFit(row, true, u, f.iterations() - before));
      }
      return out.iterator();
    }
  }
}
