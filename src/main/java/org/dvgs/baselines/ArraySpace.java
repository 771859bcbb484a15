package org.dvgs.baselines;

import breeze.generic.UFunc;
import breeze.linalg.NumericOps;
import breeze.linalg.operators.OpAdd$;
import breeze.linalg.operators.OpMulInner$;
import breeze.linalg.operators.OpMulScalar$;
import breeze.linalg.operators.OpSet$;
import breeze.linalg.operators.OpSub$;
import breeze.linalg.scaleAdd$;
import breeze.linalg.support.CanCopy;
import breeze.linalg.support.CanCreateZerosLike;
import breeze.math.Field;
import breeze.math.MutableInnerProductModule;
import breeze.math.Ring;

/**
 * The vector space Breeze's L-BFGS works in, over plain {@code double[]}: the handful of operations it uses (sum,
 * difference, scaling, {@code y += a x}, copy, dot product; the norm follows from the dot product), each a loop.
 * Breeze's L-BFGS is generic in its vector type and takes the space as a parameter, so the solver runs on the arrays
 * the objective reads and writes, with no wrapping.
 *
 * <p>Why not Breeze's own {@code DenseVector.space_Double()} over {@code DenseVector}: the first use of {@code
 * DenseVector} initialises its companion object, which builds every implicit operation Breeze has for dense vectors
 * (about 1,600 classes loaded), a one-off cost of seconds per JVM (BENCHMARKS.md, "Utility model solver") that the
 * first leave-one-out or TMC run of a JVM would pay inside its time budget. This space loads none of them.
 */
final class ArraySpace implements MutableInnerProductModule<double[], Object> {
  private static final long serialVersionUID = 1L;

  /** The one instance: the space holds no state. */
  static final ArraySpace INSTANCE = new ArraySpace();

  private ArraySpace() {}

  @Override
  public Ring<Object> scalars() {
    @SuppressWarnings("unchecked")
    Ring<Object> r = (Ring<Object>) (Ring<?>) Field.fieldDouble$.MODULE$;
    return r;
  }

  /** Breeze's operator syntax on an array ({@code x + d * a} in its generic code), through the operations below. */
  private record Ops(double[] repr) implements NumericOps<double[]> {}

  @Override
  public scala.Function1<double[], NumericOps<double[]>> hasOps() {
    return Ops::new;
  }

  @Override
  public boolean close(double[] a, double[] b, double tolerance) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(d) <= tolerance;
  }

  @Override
  public UFunc.UImpl2<OpAdd$, double[], double[], double[]> addVV() {
    return (a, b) -> {
      double[] x = a.clone();
      scaleAdd(x, 1, b);
      return x;
    };
  }

  @Override
  public UFunc.UImpl2<OpSub$, double[], double[], double[]> subVV() {
    return (a, b) -> {
      double[] x = a.clone();
      scaleAdd(x, -1, b);
      return x;
    };
  }

  @Override
  public UFunc.UImpl2<OpMulScalar$, double[], Object, double[]> mulVS() {
    return (a, s) -> {
      double[] x = a.clone();
      scale(x, (Double) s);
      return x;
    };
  }

  @Override
  public UFunc.UImpl2<OpMulInner$, double[], double[], Object> dotVV() {
    return (a, b) -> {
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        s += a[i] * b[i];
      }
      return s;
    };
  }

  @Override
  public CanCreateZerosLike<double[], double[]> zeroLike() {
    return a -> new double[a.length];
  }

  @Override
  public CanCopy<double[]> copy() {
    return double[]::clone;
  }

  @Override
  public UFunc.InPlaceImpl2<OpMulScalar$, double[], Object> mulIntoVS() {
    return (a, s) -> scale(a, (Double) s);
  }

  @Override
  public UFunc.InPlaceImpl2<OpAdd$, double[], double[]> addIntoVV() {
    return (a, b) -> scaleAdd(a, 1, b);
  }

  @Override
  public UFunc.InPlaceImpl2<OpSub$, double[], double[]> subIntoVV() {
    return (a, b) -> scaleAdd(a, -1, b);
  }

  @Override
  public UFunc.InPlaceImpl2<OpSet$, double[], double[]> setIntoVV() {
    return (a, b) -> System.arraycopy(b, 0, a, 0, a.length);
  }

  @Override
  public UFunc.InPlaceImpl3<scaleAdd$, double[], Object, double[]> scaleAddVV() {
    return (a, s, b) -> scaleAdd(a, (Double) s, b);
  }

  private static void scale(double[] x, double f) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= f;
    }
  }

  /** {@code x += s y} in place. */
  private static void scaleAdd(double[] x, double s, double[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += s * y[i];
    }
  }
}
