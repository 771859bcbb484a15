package org.dvgs.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Uploads Java arrays as tensors whose data starts on a 64-byte boundary.
 *
 * <p>Why: DJL's PyTorch engine computes on the direct buffer a Java array is copied into, in place, and a plain
 * direct buffer lies wherever the process's allocator puts it. MKL's matrix products (which PyTorch calls for
 * every linear layer on the CPU) may round differently depending on the alignment of their operands, so the same
 * numbers could give results that differ in the last bits between a fresh JVM and one that has run for a while.
 * With every upload aligned, the operands' alignment is the same in every process. (The other half of this is MKL's
 * strict conditional numerical reproducibility mode, {@code MKL_CBWR=AUTO,STRICT}, which the launchers set; see
 * {@link Engines#numerics()}.)
 */
public final class Tensors {
  /** The alignment of every upload: a cache line, and the widest vector register of AVX-512. */
  public static final int ALIGNMENT = 64;

  private Tensors() {}

  /** A float tensor of {@code shape} holding {@code values} (row-major), in {@code manager}'s scope. */
  public static NDArray floats(NDManager manager, float[] values, Shape shape) {
    return floats(manager, values, values.length, shape);
  }

  /** A float tensor of {@code shape} holding the first {@code n} of {@code values}. */
  public static NDArray floats(NDManager manager, float[] values, int n, Shape shape) {
    if (shape.size() != n || n > values.length) {
      throw new IllegalArgumentException(n + " values do not fill shape " + shape + " (array of " + values.length + ")");
    }
    ByteBuffer buf = alignedBuffer(4L * n);
    buf.asFloatBuffer().put(values, 0, n);
    return manager.create(buf, shape, DataType.FLOAT32);
  }

  /**
   * A 0-dimensional float tensor holding {@code value}, in {@code manager}'s scope: the tensor DJL's
   * {@code mul(Number)}, {@code div(Number)}, {@code maximum(Number)} and the like build and then close at once.
   *
   * <p>Why not those methods: PyTorch wraps the scalar's direct buffer without copying it, and autograd keeps the
   * wrapped tensor for the backward pass of a product, a quotient or a maximum. Closed right after the operation,
   * the buffer is left to the garbage collector, which frees it at its next collection; a collection between the
   * forward and the backward pass makes backward read freed memory, and the gradient (and every later step) comes
   * out different from one run to the next. A scalar made here lives as long as {@code manager}, so use it for every
   * scalar operand in a computation that is back-propagated. (Operations whose backward pass does not read the
   * scalar, {@code add} and {@code sub}, are safe either way.)
   */
  public static NDArray scalar(NDManager manager, float value) {
    return floats(manager, new float[] {value}, new Shape());
  }

  /** A float vector holding {@code values}. */
  public static NDArray floats(NDManager manager, float[] values) {
    return floats(manager, values, new Shape(values.length));
  }

  /** A zeroed direct buffer of {@code bytes} bytes in native order whose first byte is 64-byte aligned. */
  static ByteBuffer alignedBuffer(long bytes) {
    if (bytes > Integer.MAX_VALUE - 2 * ALIGNMENT) {
      throw new IllegalArgumentException("tensor of " + bytes + " bytes is larger than one buffer can hold");
    }
    int size = (int) bytes;
    // alignedSlice rounds both ends inwards to the alignment: room for a whole aligned block past the data.
    int rounded = (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    ByteBuffer raw = ByteBuffer.allocateDirect(rounded + ALIGNMENT);
    ByteBuffer aligned = raw.alignedSlice(ALIGNMENT);
    aligned.limit(size);
    return aligned.slice().order(ByteOrder.nativeOrder());
  }
}
