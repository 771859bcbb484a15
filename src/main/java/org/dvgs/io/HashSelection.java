package org.dvgs.io;

import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Mix;

/**
 * Choosing rows by a seeded hash of their sample id: each row's key is {@code mix(stream, hash(id))}, and "the k
 * rows with the smallest keys" is a choice that depends only on the ids and the stream, never on partitioning or
 * row order. Used for experiment samples, label flips, noise and uniqueness samples.
 */
public final class HashSelection {
  private HashSelection() {}

  /** The key of one row. */
  public static long key(long stream, String id) {
    return Mix.mix(stream, Mix.hash(id));
  }

  /** The {@code k} smallest keys (unsigned order), fewer when there are fewer rows. */
  public static List<Long> smallestKeys(JavaRDD<CanonicalRow> rows, long stream, int k) {
    return rows.map(new Key(stream)).takeOrdered(k, UnsignedOrder.INSTANCE);
  }

  /** The k-th smallest key (0 when {@code k <= 0}); keys of distinct ids are distinct in practice. */
  public static long kthKey(JavaRDD<CanonicalRow> rows, long stream, long k) {
    if (k <= 0) {
      return 0;
    }
    List<Long> smallest = smallestKeys(rows, stream, (int) k);
    return smallest.get(smallest.size() - 1);
  }

  /** Whether a row's key is at most {@code threshold} (unsigned). */
  public static boolean atMost(long stream, long threshold, String id) {
    return Long.compareUnsigned(key(stream, id), threshold) <= 0;
  }

  /** The rows whose key is at most the threshold ({@code atMost}), or the others. */
  public static JavaRDD<CanonicalRow> filter(JavaRDD<CanonicalRow> rows, long stream, long threshold, boolean atMost) {
    return rows.filter(new KeyAtMost(stream, threshold, atMost));
  }

  private static final class Key implements Function<CanonicalRow, Long> {
    private static final long serialVersionUID = 1L;
    private final long stream;

    Key(long stream) {
      this.stream = stream;
    }

    @Override
    public Long call(CanonicalRow r) {
      return key(stream, r.id());
    }
  }

  private static final class KeyAtMost implements Function<CanonicalRow, Boolean> {
    private static final long serialVersionUID = 1L;
    private final long stream;
    private final long threshold;
    private final boolean atMost;

    KeyAtMost(long stream, long threshold, boolean atMost) {
      this.stream = stream;
      this.threshold = threshold;
      this.atMost = atMost;
    }

    @Override
    public Boolean call(CanonicalRow r) {
      return HashSelection.atMost(stream, threshold, r.id()) == atMost;
    }
  }

  /** Unsigned order of keys. */
  static final class UnsignedOrder implements Comparator<Long>, Serializable {
    private static final long serialVersionUID = 1L;
    static final UnsignedOrder INSTANCE = new UnsignedOrder();

    @Override
    public int compare(Long a, Long b) {
      return Long.compareUnsigned(a, b);
    }
  }
}
