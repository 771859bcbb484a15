package org.dvgs.evaluation;

import org.apache.spark.api.java.JavaRDD;
import org.dvgs.io.CanonicalRow;
import org.dvgs.io.InputLoader;
import org.dvgs.io.Mix;

/**
 * The paper's label-corruption protocol as a source transform: optionally sample {@code sampleSize} rows, then
 * flip the labels of {@code round(fraction * n)} of them to a uniformly drawn different class. Row choices rank rows
 * by a seeded hash of their id, so they do not depend on partitioning; the flipped rows carry
 * {@code corrupted = true}.
 */
public final class LabelCorruption implements InputLoader.SourceTransform {
  private final long seed;
  private final int sampleSize;
  private final double fraction;
  private long sampled = -1;
  private long flipped = -1;

  public LabelCorruption(long seed, int sampleSize, double fraction) {
    this.seed = seed;
    this.sampleSize = sampleSize;
    this.fraction = fraction;
  }

  @Override
  public JavaRDD<CanonicalRow> apply(JavaRDD<CanonicalRow> valid, int numClasses) {
    if (numClasses < 2) {
      throw new IllegalArgumentException("label flips need a classifier (dvgs.model.task = classifier)");
    }
    long s = seed;
    JavaRDD<CanonicalRow> pool = valid;
    long n;
    if (sampleSize > 0) {
      long stream = Mix.mix(s, 0x73616d706cL);
      java.util.List<Long> smallest = valid.map(r -> Mix.mix(stream, Mix.hash(r.id()))).takeOrdered(sampleSize, new UnsignedOrder());
      if (smallest.size() < sampleSize) {
        throw new IllegalArgumentException(
            "dvgs.evaluation.source-sample-size = " + sampleSize + " but the source has only " + smallest.size() + " valid rows");
      }
      long threshold = smallest.get(smallest.size() - 1);
      pool = valid.filter(r -> Long.compareUnsigned(Mix.mix(stream, Mix.hash(r.id())), threshold) <= 0);
      n = sampleSize;
    } else {
      n = valid.count();
    }
    long flips = Math.round(fraction * n);
    long flipStream = Mix.mix(s, 0x666c6970L);
    long threshold = kthKey(pool, flipStream, flips);
    int classes = numClasses;
    sampled = n;
    flipped = flips;
    return pool.map(r -> {
      long key = Mix.mix(flipStream, Mix.hash(r.id()));
      if (flips > 0 && Long.compareUnsigned(key, threshold) <= 0) {
        int y = (int) r.label();
        int shift = 1 + (int) (Mix.unit(Mix.mix(flipStream ^ 0x5eedL, Mix.hash(r.id()))) * (classes - 1));
        return r.withLabel((y + shift) % classes, true);
      }
      return r;
    });
  }

  /** Rows kept by the sampling step (after {@link #apply}). */
  public long sampled() {
    return sampled;
  }

  /** Rows whose label was flipped (after {@link #apply}). */
  public long flipped() {
    return flipped;
  }

  /** The k-th smallest (unsigned) hash key among the rows; keys of distinct ids are distinct in practice. */
  private static long kthKey(JavaRDD<CanonicalRow> rows, long stream, long k) {
    if (k <= 0) {
      return 0;
    }
    java.util.List<Long> smallest =
        rows.map(r -> Mix.mix(stream, Mix.hash(r.id()))).takeOrdered((int) k, new UnsignedOrder());
    return smallest.get(smallest.size() - 1);
  }

  private static final class UnsignedOrder implements java.util.Comparator<Long>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Long a, Long b) {
      return Long.compareUnsigned(a, b);
    }
  }
}
