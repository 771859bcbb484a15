package org.dvgs.baselines;

import java.io.Serializable;

/**
 * One source row's value from a valuation method.
 *
 * @param id sample id
 * @param value the value (higher = more helpful)
 * @param std spread of the estimates averaged into {@code value} (NaN when there is none, e.g. one estimate)
 * @param estimates how many estimates were averaged (permutations, fits, checkpoints; 1 for closed forms)
 * @param corrupted ground truth carried from the source row
 */
public record SampleValue(String id, double value, double std, int estimates, boolean corrupted) implements Serializable {
  private static final long serialVersionUID = 1L;
}
