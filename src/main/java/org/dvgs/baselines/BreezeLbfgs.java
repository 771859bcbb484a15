package org.dvgs.baselines;

import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import breeze.optimize.LineSearch$;
import breeze.optimize.StepSizeUnderflow;
import breeze.optimize.StrongWolfeLineSearch;
import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.runtime.BoxedUnit;

/**
 * The logistic utility model's solver: Breeze's L-BFGS ({@code breeze.optimize.LBFGS}, on Spark's class path through
 * Spark MLlib) driven from Java over plain {@code double[]}s, in the vector space {@link ArraySpace} (Breeze's
 * minimiser is generic in its vectors; why not Breeze's {@code DenseVector}: see there).
 *
 * <p>Breeze's {@code DiffFunction} is a Scala trait that neither a Java class nor a {@code java.lang.reflect.Proxy}
 * can implement: its {@code double apply(T)} and {@code Function1}'s {@code Object apply(T)} differ only in return
 * type, which javac and the proxy generator both reject (only scalac writes such a pair). The JVM allows it, so
 * {@link LambdaMetafactory} makes the function, once per JVM in the static initialiser: a class whose one method is
 * {@code calculate}; the trait's default methods ({@code apply(T)}, {@code cached}, ...) come with the interface, and
 * Breeze never calls {@code Function1}'s erased {@code apply}, which that class leaves unimplemented.
 *
 * <p>Convergence is the utility model's own criterion, not Breeze's default (relative to the objective and floored
 * at 1e-8, too loose for tight tolerances): the largest absolute gradient entry at most {@code tolerance}, or {@code
 * maxIter} iterations, or a line search that failed twice. One instance serves one {@link UtilityModel.Fitter}: Breeze's
 * minimiser keeps nothing from one call to the next, so the minimiser, its convergence check and its line search
 * settings are built once and reused for every fit. Breeze's {@code initialHistory} starts each call with no
 * curvature pairs; with {@code keepCurvature} (the utility model's setting) it starts from the last fit's history
 * instead, Breeze's own {@code ApproximateInverseHessian}, which the next fit extends as usual: consecutive working
 * sets differ by one row and the objective is a mean over rows, so the last fit's curvature is a good start for the
 * next and saves iterations (a TMC permutation's prefix fits take 3.2 iterations each with it, 4.2 without:
 * BENCHMARKS.md, "Utility model solver"). The history is dropped when the classes change or the start is random
 * ({@link #forget}), and after a fit whose line search failed.
 *
 * <p>The first step of a fit is where Breeze's per-fit cost sits on warm starts: Breeze tries a step of unit length
 * along the steepest descent, far too long when the warm start is already near the optimum (the gradient is small),
 * and its line search then shrinks it over several evaluations. With {@code scaledFirstStep} the first trial step
 * is the gradient itself when its norm is below 1 (the same first step as a cold L-BFGS with an identity initial
 * inverse Hessian); the rest is Breeze's strong Wolfe line search unchanged.
 *
 * <p>Not thread-safe, not serialised: each Spark task makes its own through its fitter.
 */
final class BreezeLbfgs implements UtilityModel.Minimiser {
  /** Curvature pairs kept: fits take a handful of iterations, so more pairs would never fill. */
  static final int MEMORY = 7;

  /**
   * The logger Breeze's minimiser logs through: SerializableLogging names it by the minimiser's class, {@link
   * Minimizer}. Breeze logs two lines per iteration at INFO ("Step Size", "Val and Grad Norm") and an ERROR line each
   * time its line search cannot progress (near a tight tolerance, where the gradient is rounding noise; the
   * minimiser then resets its history and stops, which the fit treats as converged), so this one logger is set to
   * OFF when the solver is first loaded. Only this logger: Breeze's loggers under {@code breeze.*} (Spark MLlib's)
   * and dvgs's own keep their levels.
   */
  static final String BREEZE_LOGGER = Minimizer.class.getName();

  private static final Logger LOG = LoggerFactory.getLogger(BreezeLbfgs.class);

  /** Makes {@code DiffFunction.calculate} call {@link #calculate} with an objective: the one method javac can name. */
  private static final MethodHandle DIFF_FUNCTION_FACTORY;

  private static final Option<FirstOrderMinimizer.ConvergenceReason> GRADIENT_CONVERGED =
      Option.apply(FirstOrderMinimizer.GradientConverged$.MODULE$);
  private static final Option<FirstOrderMinimizer.ConvergenceReason> MAX_ITERATIONS =
      Option.apply(FirstOrderMinimizer.MaxIterations$.MODULE$);
  private static final Option<FirstOrderMinimizer.ConvergenceReason> SEARCH_FAILED =
      Option.apply(FirstOrderMinimizer.SearchFailed$.MODULE$);

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodType calculate = MethodType.methodType(Tuple2.class, Object.class);
      DIFF_FUNCTION_FACTORY = LambdaMetafactory.metafactory(lookup, "calculate",
              MethodType.methodType(DiffFunction.class, UtilityModel.Objective.class), calculate,
              lookup.findStatic(BreezeLbfgs.class, "calculate",
                  MethodType.methodType(Tuple2.class, UtilityModel.Objective.class, Object.class)),
              calculate)
          .getTarget();
    } catch (ReflectiveOperationException | LambdaConversionException e) {
      throw new ExceptionInInitializerError(e);
    }
    silenceBreezeLogger();
  }

  /**
   * Sets {@link #BREEZE_LOGGER} to OFF through Log4j 2, Spark's logging back end. Another back end behind SLF4J
   * leaves it as configured (Breeze's lines are then only noise, never a failure).
   */
  private static void silenceBreezeLogger() {
    try {
      org.apache.logging.log4j.core.config.Configurator.setLevel(BREEZE_LOGGER, org.apache.logging.log4j.Level.OFF);
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("Breeze's minimiser logger {} keeps its configured level: {}", BREEZE_LOGGER, e.toString());
    }
  }

  private final Check check = new Check();
  private final Minimizer lbfgs;
  private final boolean keepCurvature;
  /** The last fit's curvature history, handed to the next fit's start when {@code keepCurvature}; else null. */
  private Object history;
  /** The length of the vectors {@link #history} holds. */
  private int historyWidth;

  /** The solver as the utility model uses it: {@link #MEMORY} pairs, scaled first step, curvature kept. */
  BreezeLbfgs() {
    this(MEMORY, true, true);
  }

  /** The solver with other settings, to compare them (the solver benchmark). */
  BreezeLbfgs(int memory, boolean scaledFirstStep, boolean keepCurvature) {
    this.lbfgs = new Minimizer(check, memory, scaledFirstStep);
    this.keepCurvature = keepCurvature;
  }

  @Override
  public double[] minimise(UtilityModel.Objective f, double[] start, int maxIter, double tolerance, long[] iterations) {
    check.maxIter = maxIter;
    check.tolerance = tolerance;
    // A history over vectors of another length (a start from weights of other classes) cannot be used.
    if (history != null && historyWidth == start.length) {
      lbfgs.carried = history;
    }
    FirstOrderMinimizer.State<double[], Object, Object> state =
        lbfgs.minimizeAndReturnState(diffFunction(f), start.clone());
    lbfgs.carried = null;
    history = keepCurvature && !state.searchFailed() ? state.history() : null;
    historyWidth = start.length;
    iterations[0] += state.iter();
    return state.x();
  }

  @Override
  public void forget() {
    history = null;
  }

  @SuppressWarnings("unchecked")
  private static DiffFunction<double[]> diffFunction(UtilityModel.Objective f) {
    try {
      return (DiffFunction<double[]>) DIFF_FUNCTION_FACTORY.invoke(new Memo(f));
    } catch (Throwable t) {
      throw new IllegalStateException("cannot make a Breeze DiffFunction", t);
    }
  }

  /** {@code DiffFunction.calculate}: the objective's value and gradient at {@code x}, from the last point if equal. */
  private static Tuple2<Object, double[]> calculate(UtilityModel.Objective f, Object x) {
    return ((Memo) f).at((double[]) x);
  }

  /**
   * The objective with its last evaluation kept: Breeze evaluates the point its line search accepted a second time
   * (its own {@code cached} wrapper, which {@link Minimizer} replaces, compares vectors by value, which arrays do not
   * have), so the repeat is answered from here.
   */
  private static final class Memo implements UtilityModel.Objective {
    private final UtilityModel.Objective f;
    private double[] lastX;
    private Tuple2<Object, double[]> last;

    Memo(UtilityModel.Objective f) {
      this.f = f;
    }

    Tuple2<Object, double[]> at(double[] x) {
      if (last == null || !java.util.Arrays.equals(x, lastX)) {
        double[] g = new double[x.length];
        double v = f.value(x, g);
        lastX = x.clone();
        last = new Tuple2<>(v, g);
      }
      return last;
    }

    @Override
    public double value(double[] w, double[] grad) {
      return f.value(w, grad);
    }
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e * e;
    }
    return Math.sqrt(s);
  }

  /** Breeze's L-BFGS with its first trial step optionally scaled and its start history optionally carried over. */
  private static final class Minimizer extends LBFGS<double[]> {
    private final boolean scaledFirstStep;
    /** History to start the next call from (its initial history), or null: Breeze's empty one. */
    Object carried;

    Minimizer(Check check, int memory, boolean scaledFirstStep) {
      super(check, memory, ArraySpace.INSTANCE);
      this.scaledFirstStep = scaledFirstStep;
    }

    /** The function as given: it keeps its last evaluation itself ({@link Memo}). */
    @Override
    public DiffFunction<double[]> adjustFunction(DiffFunction<double[]> f) {
      return f;
    }

    @Override
    public LBFGS.ApproximateInverseHessian<double[]> initialHistory(
        DiffFunction<double[]> f, double[] x) {
      Object h = carried;
      // Once per call: a reset after a failed line search starts from Breeze's empty history.
      carried = null;
      if (h != null) {
        @SuppressWarnings("unchecked")
        LBFGS.ApproximateInverseHessian<double[]> history = (LBFGS.ApproximateInverseHessian<double[]>) h;
        return history;
      }
      return super.initialHistory(f, x);
    }

    /**
     * Breeze's step: a strong Wolfe line search (10 zoom and 10 search iterations, as {@code LBFGS} itself) along
     * {@code dir}, from a unit step, or on the first iteration from a step of unit length ({@code 1 / |dir|}: Breeze)
     * or of at most unit length ({@code min(1, 1 / |dir|)}: scaled). A step too small to move is an underflow, as
     * in Breeze.
     */
    @Override
    public double determineStepSize(
        FirstOrderMinimizer.State<double[], Object, LBFGS.ApproximateInverseHessian<double[]>> state,
        DiffFunction<double[]> f, double[] dir) {
      DiffFunction<Object> along = LineSearch$.MODULE$.functionFromSearchDirection(f, state.x(), dir, ArraySpace.INSTANCE);
      double first = 1;
      if (state.iter() == 0 && state.history().historyLength() == 0) {
        double inv = 1 / norm(dir);
        first = scaledFirstStep ? Math.min(1, inv) : inv;
      }
      double alpha = new StrongWolfeLineSearch(10, 10).minimize(along, first);
      if (alpha * norm(state.grad()) < 1e-10) {
        throw new StepSizeUnderflow();
      }
      return alpha;
    }
  }

  /** The utility model's criterion: largest gradient entry within tolerance, the iteration cap, or a failed search. */
  private static final class Check implements FirstOrderMinimizer.ConvergenceCheck<double[]> {
    int maxIter;
    double tolerance;

    @Override
    public Object initialInfo() {
      return BoxedUnit.UNIT;
    }

    @Override
    public Option<FirstOrderMinimizer.ConvergenceReason> apply(FirstOrderMinimizer.State<double[], ?, ?> s, Object info) {
      double[] g = s.grad();
      double mx = 0;
      for (double v : g) {
        mx = Math.max(mx, Math.abs(v));
      }
      if (mx <= tolerance) {
        return GRADIENT_CONVERGED;
      }
      if (s.iter() >= maxIter) {
        return MAX_ITERATIONS;
      }
      if (s.searchFailed()) {
        return SEARCH_FAILED;
      }
      return Option.empty();
    }

    @Override
    public Object update(double[] x, double[] grad, double value,
        FirstOrderMinimizer.State<double[], ?, ?> old, Object info) {
      return info;
    }
  }
}
