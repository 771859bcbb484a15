package org.dvgs.uniqueness;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.spark.JobGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distributed greedy selection of unique rows: a row is kept when its cosine similarity to every kept row is below
 * the threshold.
 *
 * <p>The sequential rule depends on the order rows are visited and needs all kept rows at hand; here it runs in
 * rounds, each over a <em>pool</em> of rows that no kept row covers yet (the first pool is every row):
 * <ol>
 *   <li>each partition sorts its pool rows by the selection order ({@link ProjectedRow#ORDER}, a seeded hash of the
 *       sample id) and keeps, sequentially, the rows covered neither by the global kept set (broadcast) nor by its
 *       own kept rows: these are the candidates;
 *   <li>the driver sorts all candidates by the same order and adds, sequentially, those not covered by the global
 *       kept set as it grows;
 *   <li>rows of the pool still covered by no kept row (a row a partition dropped for a candidate that the merge then
 *       dropped) form the next pool.
 * </ol>
 * Each round adds at least one row (the first candidate in order is uncovered), so the rounds end, usually after two.
 *
 * <p>Relation to the sequential greedy: the result is exactly what the sequential greedy yields when it visits the
 * kept rows first, in the order they were added, and every other row after them. Kept rows are pairwise below the
 * threshold (each was checked against all rows kept before it) and every other row has a kept row at or above the
 * threshold (else it would be in the next pool), which are the two properties that define a sequential greedy
 * result. With one partition the first round is the sequential greedy in selection order and nothing is left, so the
 * result equals it row for row. With more partitions it can differ from the selection-order result (a different but
 * equally valid set, of similar size), and it depends on how rows are partitioned, which the same config and input
 * fix.
 *
 * <p>Rows with a zero projected gradient have no direction; they are left out of the selection.
 */
public final class UniqueSelection {
  private static final Logger LOG = LoggerFactory.getLogger(UniqueSelection.class);

  /**
   * A row's outcome.
   *
   * @param row the projected row
   * @param kept whether it is unique
   * @param nearestId the most similar kept row (another one, for a kept row), or null
   * @param nearestSimilarity its cosine similarity, NaN when there is none
   */
  public record Assignment(ProjectedRow row, boolean kept, String nearestId, double nearestSimilarity) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * What the selection did.
   *
   * @param kept the kept rows, in the order they were added
   * @param assignments every non-zero row with its outcome (persisted)
   * @param candidates candidates per round
   * @param added rows kept per round
   * @param pools pool size per round
   */
  public record Result(KeptSet kept, JavaRDD<Assignment> assignments, List<Long> candidates, List<Long> added, List<Long> pools) {}

  private UniqueSelection() {}

  /**
   * Runs the selection.
   *
   * @param rows projected rows with a non-zero gradient (persisted)
   * @param k projected dimension
   */
  public static Result run(JavaSparkContext jsc, JavaRDD<ProjectedRow> rows, int k, double threshold, StorageLevel level) {
    // The caller's job group is back when the selection returns or fails; each round runs in dvgs's own group.
    JobGroups saved = JobGroups.save(jsc);
    try {
      return select(jsc, rows, k, threshold, level);
    } finally {
      saved.restore();
    }
  }

  private static Result select(JavaSparkContext jsc, JavaRDD<ProjectedRow> rows, int k, double threshold, StorageLevel level) {
    KeptSet kept = new KeptSet(k);
    List<Long> candidates = new ArrayList<>();
    List<Long> added = new ArrayList<>();
    List<Long> pools = new ArrayList<>();
    JavaRDD<ProjectedRow> pool = rows;
    long poolSize = rows.count();
    while (poolSize > 0) {
      pools.add(poolSize);
      jsc.setJobGroup("dvgs-unique", "dvgs unique: round " + (pools.size()) + ", " + poolSize + " rows in the pool", false);
      Broadcast<KeptSet> before = jsc.broadcast(kept.copy());
      List<ProjectedRow> cands = new ArrayList<>(pool.mapPartitions(new PartitionCandidates(before, threshold)).collect());
      cands.sort(ProjectedRow.ORDER);
      int n = kept.greedy(cands, threshold).size();
      candidates.add((long) cands.size());
      added.add((long) n);
      before.unpersist(false);
      Broadcast<KeptSet> after = jsc.broadcast(kept.copy());
      JavaRDD<ProjectedRow> next = pool.filter(new Uncovered(after, new HashSet<>(kept.ids()), threshold)).persist(level);
      long nextSize = next.count();
      if (pool != rows) {
        pool.unpersist(false);
      }
      after.unpersist(false);
      LOG.info("unique round {}: pool {}, candidates {}, kept {} (total {}), left {}", pools.size(), poolSize, cands.size(), n, kept.size(), nextSize);
      if (n == 0 && nextSize > 0) {
        throw new IllegalStateException("unique selection made no progress with " + nextSize + " rows left");
      }
      pool = next;
      poolSize = nextSize;
    }
    if (pool != rows) {
      pool.unpersist(false);
    }
    Broadcast<KeptSet> fin = jsc.broadcast(kept.copy());
    JavaRDD<Assignment> assignments = rows.map(new Assign(fin, new HashSet<>(kept.ids()))).persist(level);
    return new Result(kept, assignments, candidates, added, pools);
  }

  /** Executor: a partition's candidates (rows covered neither by the broadcast kept set nor by earlier candidates). */
  static final class PartitionCandidates implements FlatMapFunction<Iterator<ProjectedRow>, ProjectedRow> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<KeptSet> kept;
    private final double threshold;

    PartitionCandidates(Broadcast<KeptSet> kept, double threshold) {
      this.kept = kept;
      this.threshold = threshold;
    }

    @Override
    public Iterator<ProjectedRow> call(Iterator<ProjectedRow> it) {
      List<ProjectedRow> rows = new ArrayList<>();
      it.forEachRemaining(rows::add);
      rows.sort(ProjectedRow.ORDER);
      KeptSet global = kept.value();
      List<ProjectedRow> fresh = new ArrayList<>();
      for (ProjectedRow r : rows) {
        if (!global.covers(r.unit(), threshold)) {
          fresh.add(r);
        }
      }
      int k = rows.isEmpty() ? 1 : rows.get(0).unit().length;
      return new KeptSet(k).greedy(fresh, threshold).iterator();
    }
  }

  /** Executor: rows that are neither kept nor covered by a kept row. */
  static final class Uncovered implements Function<ProjectedRow, Boolean> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<KeptSet> kept;
    private final Set<String> keptIds;
    private final double threshold;

    Uncovered(Broadcast<KeptSet> kept, Set<String> keptIds, double threshold) {
      this.kept = kept;
      this.keptIds = keptIds;
      this.threshold = threshold;
    }

    @Override
    public Boolean call(ProjectedRow r) {
      return !keptIds.contains(r.id()) && !kept.value().covers(r.unit(), threshold);
    }
  }

  /** Executor: a row's kept flag and nearest kept row (another one, for a kept row). */
  static final class Assign implements Function<ProjectedRow, Assignment> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<KeptSet> kept;
    private final Set<String> keptIds;

    Assign(Broadcast<KeptSet> kept, Set<String> keptIds) {
      this.kept = kept;
      this.keptIds = keptIds;
    }

    @Override
    public Assignment call(ProjectedRow r) {
      boolean isKept = keptIds.contains(r.id());
      KeptSet.Nearest n = kept.value().nearest(r.unit(), isKept ? r.id() : null);
      return n.index() < 0
          ? new Assignment(r, isKept, null, Double.NaN)
          : new Assignment(r, isKept, kept.value().id(n.index()), n.similarity());
    }
  }
}
