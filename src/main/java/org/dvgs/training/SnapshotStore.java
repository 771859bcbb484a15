package org.dvgs.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.model.SnapshotCodec;

/**
 * Snapshots persisted on any Hadoop file system, one file per restart under a directory named by the training
 * fingerprint (network, training settings, seed and target data). A restart file is written under a temporary
 * name and renamed when complete, so a file that exists is whole; a later run with the same fingerprint reuses it
 * instead of training again.
 */
public final class SnapshotStore {
  private final FileSystem fs;
  private final Path dir;
  private final NetworkSpec spec;
  private final int classGradients;

  /** A store of snapshots with the batch gradient only. */
  public SnapshotStore(Configuration hadoop, String root, String fingerprint, NetworkSpec spec) {
    this(hadoop, root, fingerprint, spec, 0);
  }

  /**
   * A store whose snapshots each carry {@code classGradients} per-class target gradients (0 = none; within-class
   * scoring stores one per class of the network).
   */
  public SnapshotStore(Configuration hadoop, String root, String fingerprint, NetworkSpec spec, int classGradients) {
    this.dir = new Path(root, fingerprint);
    this.spec = spec;
    this.classGradients = classGradients;
    try {
      this.fs = dir.getFileSystem(hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open checkpoint directory " + dir, e);
    }
  }

  public Path directory() {
    return dir;
  }

  private Path file(int restart) {
    return new Path(dir, String.format("restart-%05d.snap", restart));
  }

  /** Whether restart {@code r} is complete on disk. */
  public boolean has(int restart) {
    try {
      return fs.exists(file(restart));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writer for one restart; {@link Writer#commit()} makes it visible. */
  public Writer writer(int restart) {
    return new Writer(restart);
  }

  /** Writes the fingerprint's description (for people inspecting the directory). */
  public void describe(String json) {
    try (FSDataOutputStream out = fs.create(new Path(dir, "fingerprint.json"), true)) {
      out.write(json.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to checkpoint directory " + dir, e);
    }
  }

  /** Streams restart {@code r}'s snapshots in iteration order. */
  public Iterator<Snapshot> read(int restart) {
    Path p = file(restart);
    DataInputStream in;
    try {
      in = new DataInputStream(new BufferedInputStream(fs.open(p), 1 << 20));
      SnapshotCodec.readHeader(in, spec, classGradients, p.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshots " + p + ": " + e.getMessage(), e);
    }
    return new Iterator<>() {
      Snapshot next = advance();

      private Snapshot advance() {
        try {
          Snapshot s = SnapshotCodec.read(in, spec, classGradients);
          if (s == null) {
            in.close();
          }
          return s;
        } catch (IOException e) {
          throw new UncheckedIOException("snapshot file " + p + " is truncated or corrupt: " + e.getMessage(), e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Snapshot next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Snapshot s = next;
        next = advance();
        return s;
      }
    };
  }

  /** Streams all restarts' snapshots, restart by restart. */
  public Iterator<Snapshot> readAll(int restarts) {
    return new Iterator<>() {
      int r = 0;
      Iterator<Snapshot> cur = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!cur.hasNext() && r < restarts) {
          cur = read(r++);
        }
        return cur.hasNext();
      }

      @Override
      public Snapshot next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return cur.next();
      }
    };
  }

  /** Writes one restart's snapshots. */
  public final class Writer implements AutoCloseable {
    private final int restart;
    private final Path tmp;
    private final DataOutputStream out;
    private long count;
    private boolean committed;

    Writer(int restart) {
      this.restart = restart;
      this.tmp = new Path(dir, String.format("_tmp-restart-%05d.snap", restart));
      try {
        fs.mkdirs(dir);
        out = new DataOutputStream(new BufferedOutputStream(fs.create(tmp, true), 1 << 20));
        SnapshotCodec.writeHeader(out, spec, classGradients);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write snapshots under " + dir + ": " + e.getMessage(), e);
      }
    }

    public void accept(Snapshot s) {
      int carried = s.hasClassGradients() ? s.classGradients().length : 0;
      if (carried != classGradients) {
        throw new IllegalArgumentException(
            "snapshot carries " + carried + " class gradients but the store under " + dir + " holds " + classGradients);
      }
      try {
        SnapshotCodec.write(out, s);
        count++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write snapshot to " + tmp + ": " + e.getMessage(), e);
      }
    }

    public long count() {
      return count;
    }

    /** Closes the file and renames it to its final name. */
    public void commit() {
      try {
        out.close();
        Path target = file(restart);
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
          throw new IOException("rename " + tmp + " -> " + target + " failed");
        }
        committed = true;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit snapshots of restart " + restart + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      if (!committed) {
        try {
          out.close();
          fs.delete(tmp, false);
        } catch (IOException ignored) {
          // Best effort: an uncommitted temporary file is never read.
        }
      }
    }
  }
}
