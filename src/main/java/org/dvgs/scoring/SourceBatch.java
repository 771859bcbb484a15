package org.dvgs.scoring;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFunction;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Mix;
import scala.Tuple2;

/**
 * A batch of valid source rows packed into flat arrays; the unit persisted across snapshot blocks and scored in
 * one engine call.
 *
 * <p>Packing is a function of the set of rows in a partition: {@link Pack} orders them by (hash of the id, id)
 * before cutting batches, so a partition that Spark recomputes (a lost executor, an evicted cache block, a retried
 * task after a shuffle, whose rows arrive in another order) packs into the same batches again. Row statistics
 * carry the {@link #idChecksum()} of the batch they were computed for and are checked against it wherever they
 * meet a batch again.
 *
 * @param ids sample ids
 * @param keys per-row keys (hash of the id) for dropout masks
 * @param features {@code rows * width} floats
 * @param labels per-row labels
 * @param corrupted per-row ground truth flags set by experiments
 * @param width feature width
 */
public record SourceBatch(String[] ids, long[] keys, float[] features, float[] labels, boolean[] corrupted, int width)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public int rows() {
    return ids.length;
  }

  /** Rows as a long, for counting. */
  public long rowCount() {
    return ids.length;
  }

  /** Rows in all batches, counted as a long (a source may hold more than 2^31 rows). */
  public static long count(JavaRDD<SourceBatch> batches) {
    return batches.map(SourceBatch::rowCount).fold(0L, Long::sum);
  }

  /** Order-sensitive checksum of the batch's ids (their hashes, in batch order, and their number). */
  public long idChecksum() {
    return checksum(keys);
  }

  /** Order-sensitive checksum of id hashes. */
  public static long checksum(long[] keys) {
    long h = Mix.mix(keys.length, 0x726f77732d696473L);
    for (long k : keys) {
      h = Mix.mix(h ^ k);
    }
    return h;
  }

  /** The first ids of the batch, for messages. */
  public String firstIds(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < Math.min(n, ids.length); i++) {
      sb.append(i == 0 ? "" : ", ").append(ids[i]);
    }
    return sb.append(ids.length > n ? ", ...]" : "]").toString();
  }

  /**
   * Spreads rows over {@code partitions} partitions by the hash of their id: the same rows land in the same
   * partition whatever order they arrive in and however often the shuffle's input is recomputed (a round-robin
   * {@code repartition} deals rows by their position, which a recomputed input need not keep). One shuffle, as
   * {@code repartition} costs; ids are unique, so partitions are balanced up to hash noise.
   */
  public static JavaRDD<CanonicalRow> partitionById(JavaRDD<CanonicalRow> rows, int partitions) {
    return rows.mapToPair(new ById()).partitionBy(new HashPartitioner(partitions)).values();
  }

  /**
   * As {@link #partitionById}, with each partition's rows sorted by (hash of the id, id) in the shuffle, for
   * consumers that stream a partition in order (the sort spills to disk like any shuffle sort).
   */
  public static JavaRDD<CanonicalRow> partitionAndSortById(JavaRDD<CanonicalRow> rows, int partitions) {
    return rows.mapToPair(new ByKey()).repartitionAndSortWithinPartitions(new HashPartitioner(partitions)).values();
  }

  /** Sort key of a row: the hash of its id, then the id (ids are unique, so the order is total). */
  public record RowKey(long hash, String id) implements Comparable<RowKey>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compareTo(RowKey o) {
      int c = Long.compare(hash, o.hash);
      return c != 0 ? c : id.compareTo(o.id);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hash);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RowKey k && k.hash == hash && k.id.equals(id);
    }
  }

  private static final class ById implements PairFunction<CanonicalRow, Long, CanonicalRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Long, CanonicalRow> call(CanonicalRow r) {
      return new Tuple2<>(Mix.hash(r.id()), r);
    }
  }

  private static final class ByKey implements PairFunction<CanonicalRow, RowKey, CanonicalRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<RowKey, CanonicalRow> call(CanonicalRow r) {
      return new Tuple2<>(new RowKey(Mix.hash(r.id()), r.id()), r);
    }
  }

  /**
   * Packs a partition's rows into batches of at most {@code batchSize}, in (hash of the id, id) order, so that the
   * batches depend on which rows the partition holds and not on the order they arrive in.
   */
  public static final class Pack implements FlatMapFunction<Iterator<CanonicalRow>, SourceBatch> {
    private static final long serialVersionUID = 1L;
    private final int batchSize;
    private final int width;

    public Pack(int batchSize, int width) {
      this.batchSize = batchSize;
      this.width = width;
    }

    @Override
    public Iterator<SourceBatch> call(Iterator<CanonicalRow> rows) {
      // The batches of a partition were always held in full before being returned; the rows are held here as
      // well, and each is released as soon as it is copied, so the peak stays about one copy of the partition.
      List<Keyed> all = new ArrayList<>();
      while (rows.hasNext()) {
        CanonicalRow r = rows.next();
        all.add(new Keyed(Mix.hash(r.id()), r));
      }
      all.sort(null);
      List<SourceBatch> out = new ArrayList<>((all.size() + batchSize - 1) / batchSize);
      for (int start = 0; start < all.size(); start += batchSize) {
        out.add(pack(all, start, Math.min(batchSize, all.size() - start)));
      }
      return out.iterator();
    }

    private SourceBatch pack(List<Keyed> rows, int start, int n) {
      String[] ids = new String[n];
      long[] keys = new long[n];
      float[] x = new float[n * width];
      float[] y = new float[n];
      boolean[] bad = new boolean[n];
      for (int i = 0; i < n; i++) {
        Keyed k = rows.get(start + i);
        CanonicalRow r = k.row;
        rows.set(start + i, null);
        ids[i] = r.id();
        keys[i] = k.hash;
        System.arraycopy(r.features(), 0, x, i * width, width);
        y[i] = Double.isNaN(r.label()) ? 0f : (float) r.label();
        bad[i] = r.corrupted();
      }
      return new SourceBatch(ids, keys, x, y, bad, width);
    }
  }

  /** A row with the hash of its id, ordered by (hash, id). */
  private record Keyed(long hash, CanonicalRow row) implements Comparable<Keyed> {
    @Override
    public int compareTo(Keyed o) {
      int c = Long.compare(hash, o.hash);
      return c != 0 ? c : row.id().compareTo(o.row.id());
    }
  }
}
