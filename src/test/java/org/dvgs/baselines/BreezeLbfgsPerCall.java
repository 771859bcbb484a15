package org.dvgs.baselines;

import breeze.linalg.DenseVector;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import scala.Option;
import scala.Tuple2;

/**
 * Breeze's L-BFGS as it was first measured against the hand-written solver, everything built per call: a fresh
 * {@code LBFGS} and a {@link Proxy} convergence check each fit, Breeze's own first step (unit length along the
 * steepest descent), Breeze's logger. Test sources only: {@link UtilityModelBench} compares it with {@link
 * BreezeLbfgs} (the solver now, built once per fitter) to show what the per-fit costs were (BENCHMARKS.md, "Utility
 * model solver").
 */
final class BreezeLbfgsPerCall {
  private BreezeLbfgsPerCall() {}

  /** Curvature pairs kept, as the hand-written L-BFGS. */
  private static final int MEMORY = 7;

  /** Breeze's L-BFGS as the utility model's minimiser. */
  static final UtilityModel.Minimiser MINIMISER = BreezeLbfgsPerCall::minimise;

  /** Minimises {@code f} from {@code start} (not modified); adds the iterations to {@code iterations[0]}. */
  static double[] minimise(UtilityModel.Objective f, double[] start, int maxIter, double tolerance, long[] iterations) {
    int memory = MEMORY;
    DiffFunction<DenseVector<Object>> fn = diffFunction(f);
    FirstOrderMinimizer.ConvergenceCheck<DenseVector<Object>> check =
        proxy(FirstOrderMinimizer.ConvergenceCheck.class, new CheckHandler(maxIter, tolerance));
    LBFGS<DenseVector<Object>> lbfgs = new LBFGS<>(check, memory, DenseVector.space_Double());
    FirstOrderMinimizer.State<DenseVector<Object>, ?, ?> state = lbfgs.minimizeAndReturnState(fn, vector(start.clone()));
    iterations[0] += state.iter();
    return array(state.x());
  }

  /** Makes {@code DiffFunction.calculate} call {@link #calculate} with {@code f}: its one abstract method javac can name. */
  private static final MethodHandle DIFF_FUNCTION_FACTORY;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodType calculate = MethodType.methodType(Tuple2.class, Object.class);
      DIFF_FUNCTION_FACTORY = LambdaMetafactory.metafactory(lookup, "calculate",
              MethodType.methodType(DiffFunction.class, UtilityModel.Objective.class), calculate,
              lookup.findStatic(BreezeLbfgsPerCall.class, "calculate",
                  MethodType.methodType(Tuple2.class, UtilityModel.Objective.class, Object.class)),
              calculate)
          .getTarget();
    } catch (ReflectiveOperationException | LambdaConversionException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> diffFunction(UtilityModel.Objective f) {
    try {
      return (DiffFunction<DenseVector<Object>>) DIFF_FUNCTION_FACTORY.invoke(f);
    } catch (Throwable t) {
      throw new IllegalStateException("cannot make a Breeze DiffFunction", t);
    }
  }

  /** {@code DiffFunction.calculate}: the objective's value and gradient at {@code x}. */
  private static Tuple2<Object, DenseVector<Object>> calculate(UtilityModel.Objective f, Object x) {
    double[] w = array(x);
    double[] g = new double[w.length];
    double v = f.value(w, g);
    return new Tuple2<>(v, vector(g));
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<?> type, InvocationHandler handler) {
    return (T) Proxy.newProxyInstance(BreezeLbfgsPerCall.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  private static DenseVector<Object> vector(double[] a) {
    return new DenseVector<>(a);
  }

  /** The vector's entries; its own array when it is contiguous (Breeze's vector operations make such vectors). */
  static double[] array(Object v) {
    @SuppressWarnings("unchecked")
    DenseVector<Object> dv = (DenseVector<Object>) v;
    double[] data = (double[]) dv.data();
    if (dv.offset() == 0 && dv.stride() == 1 && dv.length() == data.length) {
      return data;
    }
    double[] out = new double[dv.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data[dv.offset() + i * dv.stride()];
    }
    return out;
  }

  private static double maxAbs(double[] g) {
    double mx = 0;
    for (double v : g) {
      mx = Math.max(mx, Math.abs(v));
    }
    return mx;
  }

  /** Handles what is common to both proxies: the trait's default methods and Object's methods. */
  private abstract static class Handler implements InvocationHandler {
    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> self == args[0];
          case "hashCode" -> System.identityHashCode(self);
          default -> getClass().getSimpleName();
        };
      }
      Object answer = answer(method, args);
      if (answer != NONE) {
        return answer;
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(self, method, args);
      }
      throw new UnsupportedOperationException("no answer for " + method);
    }

    /** The answer to {@code method}, or {@link #NONE} to forward it to the trait's default. */
    abstract Object answer(Method method, Object[] args);
  }

  private static final Object NONE = new Object();

  /** {@code ConvergenceCheck}: largest gradient entry within tolerance, the iteration cap, or a failed search. */
  private static final class CheckHandler extends Handler {
    private final int maxIter;
    private final double tolerance;

    CheckHandler(int maxIter, double tolerance) {
      this.maxIter = maxIter;
      this.tolerance = tolerance;
    }

    @Override
    Object answer(Method method, Object[] args) {
      switch (method.getName()) {
        case "initialInfo":
          return scala.runtime.BoxedUnit.UNIT;
        case "update":
          return args[4];
        case "apply": {
          FirstOrderMinimizer.State<?, ?, ?> s = (FirstOrderMinimizer.State<?, ?, ?>) args[0];
          if (maxAbs(array(s.grad())) <= tolerance) {
            return Option.apply(FirstOrderMinimizer.GradientConverged$.MODULE$);
          }
          if (s.iter() >= maxIter) {
            return Option.apply(FirstOrderMinimizer.MaxIterations$.MODULE$);
          }
          if (s.searchFailed()) {
            return Option.apply(FirstOrderMinimizer.SearchFailed$.MODULE$);
          }
          return Option.empty();
        }
        default:
          return NONE;
      }
    }
  }
}
