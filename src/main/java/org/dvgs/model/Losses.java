package org.dvgs.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Per-sample losses: cross-entropy (classifier), squared error (regressor), mean squared reconstruction error
 * (autoencoder). Targets are passed as plain arrays and uploaded into the batch scope.
 */
public final class Losses {
  private Losses() {}

  /**
   * Uploads the batch's loss targets.
   *
   * @param labels class indices (classifier) or numeric targets (regressor); ignored for the autoencoder
   */
  public static NDArray targets(NDManager batch, NetworkSpec spec, float[] labels, int rows) {
    return switch (spec.task()) {
      case CLASSIFIER -> {
        int c = spec.numClasses();
        float[] onehot = new float[rows * c];
        for (int i = 0; i < rows; i++) {
          onehot[i * c + (int) labels[i]] = 1f;
        }
        yield Tensors.floats(batch, onehot, new Shape(rows, c));
      }
      case REGRESSOR -> Tensors.floats(batch, java.util.Arrays.copyOf(labels, rows), new Shape(rows, 1));
      case AUTOENCODER -> null;
    };
  }

  /**
   * The gradient of the summed per-sample losses with respect to the network output, in closed form:
   * {@code softmax(out) - onehot} (cross-entropy), {@code 2 (out - y)} (squared error),
   * {@code 2 (out - x) / d} (mean squared reconstruction error). Row {@code i} is {@code dLoss_i/dout_i}. The class
   * or output axis is the last one, so {@code out} may carry leading axes (stacked networks, {@code K x B x out})
   * that {@code x} and {@code targets} broadcast over.
   */
  public static NDArray outputGradient(NetworkSpec spec, NDArray out, NDArray x, NDArray targets) {
    return switch (spec.task()) {
      case CLASSIFIER -> out.softmax(-1).sub(targets);
      case REGRESSOR -> out.sub(targets).mul(2f);
      case AUTOENCODER -> out.sub(x).mul(2f / spec.outputWidth());
    };
  }

  /**
   * Per-sample loss, shape {@code B} (or the leading axes of a stacked output, {@code K x B}).
   *
   * @param out network output
   * @param x network input (the reconstruction target of the autoencoder)
   * @param targets from {@link #targets}
   */
  public static NDArray perSample(NetworkSpec spec, NDArray out, NDArray x, NDArray targets) {
    return perSample(spec, out, x, targets, -1);
  }

  /**
   * Per-sample loss over the output units on {@code axis}: {@code 1} (or {@code -1}) for a batch ({@code B x out}, giving
   * {@code B}), {@code 2} for stacked restarts ({@code R x B x out}, giving {@code R x B}; see
   * {@link NetworkStack}).
   */
  public static NDArray perSample(NetworkSpec spec, NDArray out, NDArray x, NDArray targets, int axis) {
    return switch (spec.task()) {
      case CLASSIFIER -> out.logSoftmax(axis).mul(targets).sum(new int[] {axis}).neg();
      case REGRESSOR -> out.sub(targets).square().sum(new int[] {axis});
      case AUTOENCODER -> out.sub(x).square().mean(new int[] {axis});
    };
  }
}
