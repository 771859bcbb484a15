package org.dvgs.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Thread-local autograd control. DJL's {@code GradientCollector} allows one open collector per JVM, which two
 * concurrent Spark tasks would violate; PyTorch's grad mode is per thread, so each task drives it directly.
 */
public final class Autograd {
  private Autograd() {}

  /** Turns gradient recording on or off for the calling thread. */
  public static void gradMode(boolean on) {
    JniUtils.setGradMode(on);
  }

  /** Back-propagates a scalar; leaf tensors that require gradients accumulate into their gradient. */
  public static void backward(NDArray scalar) {
    try (NDArray ones = scalar.onesLike()) {
      JniUtils.backward((PtNDArray) scalar, (PtNDArray) ones, false, false);
    }
  }

  /**
   * Back-propagates from a non-scalar tensor given its gradient (a vector-Jacobian product), e.g. from the network
   * output with the closed-form gradient of the summed loss.
   */
  public static void backward(NDArray output, NDArray gradient) {
    JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, false, false);
  }

  /** Clears the accumulated gradient of a leaf tensor. */
  public static void zeroGrad(NDArray leaf) {
    JniUtils.zeroGrad((PtNDArray) leaf);
  }
}
