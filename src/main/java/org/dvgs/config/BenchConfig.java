package org.dvgs.config;

/**
 * The {@code bench} command.
 *
 * @param rows generated rows per measurement round
 * @param rounds interleaved rounds per method; the median is reported
 * @param naiveRows rows per round for the (slow) naive path
 * @param threads PyTorch intra-op threads (0 = all cores)
 * @param inputWidth generated input width
 * @param snapshots snapshots every row is scored against (ghost and naive rates are then sample-checkpoints per
 *     second), so that checkpoint batching is measured as a valuation run uses it
 */
public record BenchConfig(int rows, int rounds, int naiveRows, int threads, int inputWidth, int snapshots) {
  static BenchConfig from(Keys k) {
    return new BenchConfig(
        k.positiveInt("rows"), k.positiveInt("rounds"), k.positiveInt("naive-rows"), k.nonNegativeInt("threads"), k.positiveInt("input-width"),
        k.positiveInt("snapshots"));
  }
}
