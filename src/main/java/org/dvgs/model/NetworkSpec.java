package org.dvgs.model;

import java.io.Serializable;
import java.util.Arrays;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BlockOrder;
import org.dvgs.config.ModelConfig;
import org.dvgs.config.Task;

/**
 * The shape of a fully connected network: widths from input to output, and what sits between the linear layers.
 * Hidden layers are {@code linear -> [per-sample norm] -> activation -> [dropout]}, or with
 * {@link BlockOrder#DROPOUT_ACT_NORM} {@code linear -> [dropout] -> activation -> [per-sample norm]}; the last layer
 * is linear only.
 *
 * @param task what the output means and which loss applies
 * @param widths layer widths, input first, output last
 * @param activation hidden activation
 * @param dropout dropout probability after each hidden activation
 * @param perSampleNorm parameter-free per-sample normalisation of hidden pre-activations
 * @param numClasses classes (classifier), else 0
 * @param blockOrder order inside a hidden block
 */
public record NetworkSpec(
    Task task, int[] widths, ActivationKind activation, double dropout, boolean perSampleNorm, int numClasses, BlockOrder blockOrder)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Epsilon of the per-sample normalisation, as PyTorch's layer and instance norms use. */
  public static final float NORM_EPS = 1e-5f;

  /** A network with the default block order. */
  public NetworkSpec(Task task, int[] widths, ActivationKind activation, double dropout, boolean perSampleNorm, int numClasses) {
    this(task, widths, activation, dropout, perSampleNorm, numClasses, BlockOrder.NORM_ACT_DROPOUT);
  }

  public NetworkSpec {
    widths = widths.clone();
    if (widths.length < 2) {
      throw new IllegalArgumentException("a network needs an input and an output width");
    }
  }

  /** Builds the spec for the given input width and class count from the model config. */
  public static NetworkSpec of(ModelConfig m, int inputWidth, int numClasses) {
    int out =
        switch (m.task()) {
          case CLASSIFIER -> numClasses;
          case REGRESSOR -> 1;
          case AUTOENCODER -> inputWidth;
        };
    int[] w = new int[m.hidden().size() + 2];
    w[0] = inputWidth;
    for (int i = 0; i < m.hidden().size(); i++) {
      w[i + 1] = m.hidden().get(i);
    }
    w[w.length - 1] = out;
    return new NetworkSpec(
        m.task(), w, m.activation(), m.dropout(), m.perSampleNorm(), m.task() == Task.CLASSIFIER ? numClasses : 0, m.blockOrder());
  }

  /** Number of linear layers. */
  public int layers() {
    return widths.length - 1;
  }

  public int inputWidth() {
    return widths[0];
  }

  public int outputWidth() {
    return widths[widths.length - 1];
  }

  /** Parameters of linear layer {@code l}: weights plus biases. */
  public long layerParameters(int l) {
    return (long) widths[l + 1] * widths[l] + widths[l + 1];
  }

  public long parameterCount() {
    long n = 0;
    for (int l = 0; l < layers(); l++) {
      n += layerParameters(l);
    }
    return n;
  }

  @Override
  public int[] widths() {
    return widths.clone();
  }

  public int width(int i) {
    return widths[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSpec s
        && task == s.task
        && Arrays.equals(widths, s.widths)
        && activation == s.activation
        && Double.compare(dropout, s.dropout) == 0
        && perSampleNorm == s.perSampleNorm
        && numClasses == s.numClasses
        && blockOrder == s.blockOrder;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(widths) * 31 + task.hashCode();
  }

  @Override
  public String toString() {
    return task + Arrays.toString(widths) + " " + activation + " dropout=" + dropout + " norm=" + perSampleNorm
        + (blockOrder == BlockOrder.NORM_ACT_DROPOUT ? "" : " order=" + blockOrder);
  }
}
