package org.dvgs.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.dvgs.config.DeviceKind;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.InputException;
import org.dvgs.core.Mix;
import org.dvgs.io.ColumnPlan;
import org.dvgs.io.Scaler;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.scoring.RowStats;
import org.dvgs.scoring.ScoreBlock;
import org.dvgs.scoring.ScoringStage;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.SnapshotScorer;
import org.dvgs.scoring.SourceBatch;

/**
 * Executor functions of {@link DvgsValuationModel#transform}. {@link Pack} streams a partition's rows, checks and
 * scales each as the {@code value} command does and cuts them into {@link Chunk}s: up to a batch of valid rows,
 * packed as a {@link SourceBatch} (the unit {@link org.dvgs.scoring.ScoringStage} scores block by block), with every
 * row read in input order. {@link Emit} folds the last snapshot block into each chunk's statistics
 * ({@link ScoreBlock#fold}, the command's own summation) and emits each row with its mean, standard deviation and
 * number of similarities. Invalid rows fail the task, are dropped, or are kept with a reason.
 */
final class ScoreRows {
  private ScoreRows() {}

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
      String where) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Consecutive rows of a partition: those read (in input order, skipped rows left out), each one's id and reject
   * reason (null when valid), the valid ones packed for scoring, and the reject categories of skipped rows (counted
   * when the chunk is emitted, so that each computation of the output counts once).
   */
  record Chunk(Row[] rows, String[] ids, String[] reasons, SourceBatch batch, String[] skipped) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A chunk's source batch (what the scoring stage zips with its statistics). */
  static final class BatchOf implements Function<Chunk, SourceBatch> {
    private static final long serialVersionUID = 1L;

    @Override
    public SourceBatch call(Chunk c) {
      return c.batch();
    }
  }

  /** Reads a partition's rows into chunks of up to a batch of valid rows. */
  static final class Pack implements Function2<Integer, Iterator<Row>, Iterator<Chunk>> {
    private static final long serialVersionUID = 1L;
    private final Settings s;

    Pack(Settings s) {
      this.s = s;
    }

    @Override
    public Iterator<Chunk> call(Integer partition, Iterator<Row> rows) {
      return new Chunks(partition, rows);
    }

    /** A partition's chunks, read as they are asked for. */
    private final class Chunks implements Iterator<Chunk> {
      private final int partition;
      private final Iterator<Row> rows;
      private long position;

      Chunks(int partition, Iterator<Row> rows) {
        this.partition = partition;
        this.rows = rows;
      }

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Chunk next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        List<Row> read = new ArrayList<>();
        List<CanonicalRow> canon = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int valid = 0;
        while (rows.hasNext() && valid < s.batchSize()) {
          Row r = rows.next();
          CanonicalRow c = ColumnPlan.check(s.plan().convert(r, s.fileOffsets(), partition, position++), s.width(), s.classes());
          if (!c.valid()) {
            if (s.handleInvalid().equals("error")) {
              throw new InputException(s.where() + ": sample " + c.id() + ": " + c.reason()
                  + " (handleInvalid = error; \"skip\" drops such rows, \"keep\" keeps them with a null value and the reason)");
            }
            if (s.handleInvalid().equals("skip")) {
              skipped.add(CanonicalRow.category(c.reason()));
              continue;
            }
          } else {
            valid++;
          }
          read.add(r);
          canon.add(c);
        }
        return pack(read, canon, valid, skipped);
      }
    }

    /** The valid rows packed as the command packs its source batches (scaled features, label, id hash). */
    private Chunk pack(List<Row> read, List<CanonicalRow> canon, int n, List<String> skipped) {
      int w = s.width();
      String[] batchIds = new String[n];
      long[] keys = new long[n];
      float[] x = new float[n * w];
      float[] y = new float[n];
      String[] ids = new String[read.size()];
      String[] reasons = new String[read.size()];
      int i = 0;
      for (int j = 0; j < canon.size(); j++) {
        CanonicalRow c = canon.get(j);
        ids[j] = c.id();
        if (!c.valid()) {
          reasons[j] = c.reason();
          continue;
        }
        System.arraycopy(s.scaler().apply(c.features()), 0, x, i * w, w);
        y[i] = Double.isNaN(c.label()) ? 0f : (float) c.label();
        batchIds[i] = c.id();
        keys[i] = Mix.hash(c.id());
        i++;
      }
      return new Chunk(read.toArray(new Row[0]), ids, reasons, new SourceBatch(batchIds, keys, x, y, new boolean[n], w),
          skipped.toArray(new String[0]));
    }
  }

  /**
   * Folds the last block into each chunk's statistics and emits its rows. Zipped with the statistics of the blocks
   * before ({@link #call(Iterator, Iterator)}), or, when the last block is the only one, over the chunks alone
   * ({@link #call(Iterator)}).
   */
  static final class Emit implements FlatMapFunction2<Iterator<RowStats>, Iterator<Chunk>, Row>, FlatMapFunction<Iterator<Chunk>, Row> {
    private static final long serialVersionUID = 1L;
    private final Settings s;
    private final Broadcast<ArrayList<Snapshot>> last;
    private final double[] weights;
    private final double[] centre;
    private final double[] scale;
    private final LongAccumulator valued;
    private final ReasonCounts rejected;

    Emit(Settings s, ScoringStage.Pending pending, LongAccumulator valued, ReasonCounts rejected) {
      this.s = s;
      this.last = pending.last();
      this.weights = pending.lastWeights();
      this.centre = pending.lastCentre();
      this.scale = pending.lastScale();
      this.valued = valued;
      this.rejected = rejected;
    }

    @Override
    public Iterator<Row> call(Iterator<Chunk> chunks) {
      return open(null, chunks);
    }

    @Override
    public Iterator<Row> call(Iterator<RowStats> stats, Iterator<Chunk> chunks) {
      return open(stats, chunks);
    }

    private Iterator<Row> open(Iterator<RowStats> stats, Iterator<Chunk> chunks) {
      Rows it = new Rows(stats, chunks);
      TaskContext tc = TaskContext.get();
      if (tc != null) {
        // A consumer that stops early (limit, take) never exhausts the iterator; the native memory goes with the task.
        tc.addTaskCompletionListener(new CloseScorer(it));
      }
      return it;
    }

    /** One partition's rows, chunk by chunk, scored as they are handed out. */
    private final class Rows implements Iterator<Row> {
      private final Iterator<RowStats> stats;
      private final Iterator<Chunk> chunks;
      private Iterator<Row> out = Collections.emptyIterator();
      private SnapshotScorer scorer;

      Rows(Iterator<RowStats> stats, Iterator<Chunk> chunks) {
        this.stats = stats;
        this.chunks = chunks;
      }

      @Override
      public boolean hasNext() {
        while (!out.hasNext() && chunks.hasNext()) {
          out = emit(chunks.next()).iterator();
        }
        if (!out.hasNext()) {
          if (stats != null && stats.hasNext()) {
            throw new IllegalStateException("transform, partition " + partition() + ": more row statistics than source batches");
          }
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

      private List<Row> emit(Chunk c) {
        SourceBatch b = c.batch();
        RowStats prev;
        if (stats == null) {
          prev = RowStats.empty(b);
        } else {
          if (!stats.hasNext()) {
            throw new IllegalStateException("transform, partition " + partition() + ": row statistics and source batches are out of step");
          }
          prev = stats.next();
          prev.check(b, "transform, partition " + partition());
        }
        if (scorer == null && b.rows() > 0) {
          scorer = ScoreBlock.open(s.spec(), last.value(), s.options(), s.device(), s.threads());
        }
        RowStats st = ScoreBlock.fold(prev, scorer, b.features(), b.labels(), b.keys(), b.rows(), weights, centre, scale);
        boolean keep = s.handleInvalid().equals("keep");
        int extra = (s.emitId() ? 1 : 0) + 3 + (keep ? 1 : 0);
        List<Row> result = new ArrayList<>(c.rows().length);
        int k = 0;
        for (int i = 0; i < c.rows().length; i++) {
          Row r = c.rows()[i];
          String reason = c.reasons()[i];
          Object[] v = new Object[s.userColumns() + extra];
          for (int j = 0; j < s.userColumns(); j++) {
            v[j] = r.get(j);
          }
          int at = s.userColumns();
          if (s.emitId()) {
            v[at++] = c.ids()[i];
          }
          if (reason == null) {
            double std = st.std(k);
            v[at++] = st.mean()[k];
            v[at++] = Double.isNaN(std) ? null : std;
            v[at++] = st.count();
            k++;
          } else {
            rejected.add(CanonicalRow.category(reason));
            v[at++] = null;
            v[at++] = null;
            v[at++] = null;
          }
          if (keep) {
            v[at] = reason;
          }
          result.add(RowFactory.create(v));
        }
        for (String category : c.skipped()) {
          rejected.add(category);
        }
        valued.add(b.rows());
        return result;
      }
    }
  }

  /** Closes a partition's scorer when its task ends. */
  private static final class CloseScorer implements TaskCompletionListener {
    private final Emit.Rows rows;

    CloseScorer(Emit.Rows rows) {
      this.rows = rows;
    }

    @Override
    public void onTaskCompletion(TaskContext context) {
      rows.close();
    }
  }

  static String partition() {
    TaskContext tc = TaskContext.get();
    return tc == null ? "?" : String.valueOf(tc.partitionId());
  }
}
