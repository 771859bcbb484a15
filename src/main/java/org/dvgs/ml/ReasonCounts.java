package org.dvgs.ml;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/** Executor-side counts of rejected rows by reason category (the text of a reason before its first colon). */
final class ReasonCounts extends AccumulatorV2<String, Map<String, Long>> {
  private static final long serialVersionUID = 1L;
  private final TreeMap<String, Long> counts = new TreeMap<>();

  @Override
  public boolean isZero() {
    return counts.isEmpty();
  }

  @Override
  public AccumulatorV2<String, Map<String, Long>> copy() {
    ReasonCounts c = new ReasonCounts();
    c.counts.putAll(counts);
    return c;
  }

  @Override
  public void reset() {
    counts.clear();
  }

  @Override
  public void add(String category) {
    counts.merge(category, 1L, Long::sum);
  }

  @Override
  public void merge(AccumulatorV2<String, Map<String, Long>> other) {
    for (Map.Entry<String, Long> e : other.value().entrySet()) {
      counts.merge(e.getKey(), e.getValue(), Long::sum);
    }
  }

  @Override
  public Map<String, Long> value() {
    return new TreeMap<>(counts);
  }
}
