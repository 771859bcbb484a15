package org.dvgs.ml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.dvgs.config.DeviceKind;
import org.dvgs.core.CanonicalRow;
import org.dvgs.io.ColumnPlan;
import org.dvgs.core.InputException;
import org.dvgs.core.Mix;
import org.dvgs.io.Scaler;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.scoring.RowStats;
import org.dvgs.scoring.ScoreBlock;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.SnapshotScorer;

/**
 * Executor function of {@link DvgsValuationModel#transform}: streams a partition's rows, checks and scales each
 * as the {@code value} command does, scores batches of valid rows against every broadcast snapshot in one pass
 * ({@link ScoreBlock#fold}, the command's own summation) and emits each row, in its input order, with its mean,
 * standard deviation and number of similarities. Invalid rows fail the task, are dropped, or are kept with a reason.
 */
final class ScoreRows implements Function2<Integer, Iterator<Row>, Iterator<Row>> {
  private static final long serialVersionUID = 1L;

  /** The transform's settings: plain values, serialised into the task. */
  record Settings(
      ColumnPlan plan,
      Map<String, Long> fileOffsets,
      int userColumns,
      boolean emitId,
      Scaler scaler,
      int width,
      int classes,
      NetworkSpec spec,
      ScoringOptions options,
      DeviceKind device,
      int threads,
      int batchSize,
      String handleInvalid,
      String where) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final Settings s;
  private final Broadcast<ArrayList<Snapshot>> snapshots;
  private final LongAccumulator valued;
  private final ReasonCounts rejected;

  ScoreRows(Settings s, Broadcast<ArrayList<Snapshot>> snapshots, LongAccumulator valued, ReasonCounts rejected) {
    this.s = s;
    this.snapshots = snapshots;
    this.valued = valued;
    this.rejected = rejected;
  }

  @Override
  public Iterator<Row> call(Integer partition, Iterator<Row> rows) {
    Scoring it = new Scoring(partition, rows);
    TaskContext tc = TaskContext.get();
    if (tc != null) {
      // A consumer that stops early (limit, take) never exhausts the iterator; the native memory goes with the task.
      tc.addTaskCompletionListener(new CloseScorer(it));
    }
    return it;
  }

  /** Closes a partition's scorer when its task ends. */
  private static final class CloseScorer implements TaskCompletionListener {
    private final Scoring scoring;

    CloseScorer(Scoring scoring) {
      this.scoring = scoring;
    }

    @Override
    public void onTaskCompletion(TaskContext context) {
      scoring.close();
    }
  }

  /** One partition: reads up to a batch of valid rows, scores them, hands out the rows read, repeats. */
  private final class Scoring implements Iterator<Row> {
    private final int partition;
    private final Iterator<Row> rows;
    private Iterator<Row> out = Collections.emptyIterator();
    private long position;
    private SnapshotScorer scorer;

    Scoring(int partition, Iterator<Row> rows) {
      this.partition = partition;
      this.rows = rows;
    }

    @Override
    public boolean hasNext() {
      while (!out.hasNext() && rows.hasNext()) {
        out = nextChunk().iterator();
      }
      if (!out.hasNext()) {
        close();
      }
      return out.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.next();
    }

    void close() {
      if (scorer != null) {
        scorer.close();
        scorer = null;
      }
    }

    private List<Row> nextChunk() {
      List<Row> read = new ArrayList<>();
      List<CanonicalRow> canon = new ArrayList<>();
      int valid = 0;
      while (rows.hasNext() && valid < s.batchSize()) {
        Row r = rows.next();
        CanonicalRow c = ColumnPlan.check(s.plan().convert(r, s.fileOffsets(), partition, position++), s.width(), s.classes());
        if (!c.valid()) {
          if (s.handleInvalid().equals("error")) {
            throw new InputException(s.where() + ": sample " + c.id() + ": " + c.reason()
                + " (handleInvalid = error; \"skip\" drops such rows, \"keep\" keeps them with a null value and the reason)");
          }
          rejected.add(CanonicalRow.category(c.reason()));
          if (s.handleInvalid().equals("skip")) {
            continue;
          }
        } else {
          valid++;
        }
        read.add(r);
        canon.add(c);
      }
      RowStats stats = valid == 0 ? null : score(canon, valid);
      boolean keep = s.handleInvalid().equals("keep");
      int extra = (s.emitId() ? 1 : 0) + 3 + (keep ? 1 : 0);
      List<Row> result = new ArrayList<>(read.size());
      int k = 0;
      for (int i = 0; i < read.size(); i++) {
        Row r = read.get(i);
        CanonicalRow c = canon.get(i);
        Object[] v = new Object[s.userColumns() + extra];
        for (int j = 0; j < s.userColumns(); j++) {
          v[j] = r.get(j);
        }
        int at = s.userColumns();
        if (s.emitId()) {
          v[at++] = c.id();
        }
        if (c.valid()) {
          double std = stats.std(k);
          v[at++] = stats.mean()[k];
          v[at++] = Double.isNaN(std) ? null : std;
          v[at++] = stats.count();
          k++;
        } else {
          v[at++] = null;
          v[at++] = null;
          v[at++] = null;
        }
        if (keep) {
          v[at] = c.valid() ? null : c.reason();
        }
        result.add(RowFactory.create(v));
      }
      valued.add(valid);
      return result;
    }

    /** Scores the valid rows of a chunk as one batch, packed as the command packs its source batches. */
    private RowStats score(List<CanonicalRow> canon, int n) {
      int w = s.width();
      float[] x = new float[n * w];
      float[] y = new float[n];
      long[] keys = new long[n];
      int i = 0;
      for (CanonicalRow c : canon) {
        if (!c.valid()) {
          continue;
        }
        System.arraycopy(s.scaler().apply(c.features()), 0, x, i * w, w);
        y[i] = Double.isNaN(c.label()) ? 0f : (float) c.label();
        keys[i] = Mix.hash(c.id());
        i++;
      }
      if (scorer == null) {
        scorer = ScoreBlock.open(s.spec(), snapshots.value(), s.options(), s.device(), s.threads());
      }
      return ScoreBlock.fold(new RowStats(new double[n], new double[n], 0, 0L), scorer, x, y, keys, n);
    }
  }
}
