package org.dvgs.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.model.SnapshotCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots persisted on any Hadoop file system, one file per restart under a directory named by the training
 * fingerprint (network, training settings, seed and target data); a later run with the same fingerprint reuses
 * them instead of training again.
 *
 * <p>Files are safe to share between runs that use one checkpoint directory at the same time:
 * <ul>
 *   <li>each writer writes under a temporary name of its own ({@code _tmp-restart-N-<random>.snap}) and publishes
 *       the finished file under its final name without replacing anything: a hard link on a local file system, a
 *       rename (which fails when the target exists) elsewhere. When another run published first, its file is
 *       checked and used, and this run's copy is dropped;
 *   <li>a file under a final name is always whole, and it is only used after it verifies ({@link #check}): its
 *       trailer's count and checksum (format 3), its structure, and its number of snapshots when the store knows
 *       how many a restart has. A file that does not verify is moved aside to {@code <name>.corrupt-<time>}
 *       ({@link #quarantine}) and that restart is trained again; snapshot files under the fingerprint directory are
 *       dvgs's own, and nothing is deleted.
 * </ul>
 */
public final class SnapshotStore {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final FileSystem fs;
  private final Path dir;
  private final NetworkSpec spec;
  private final int classGradients;
  private final boolean preconditioner;
  private final long expected;

  /** A store of snapshots with the batch gradient only. */
  public SnapshotStore(Configuration hadoop, String root, String fingerprint, NetworkSpec spec) {
    this(hadoop, root, fingerprint, spec, 0, -1);
  }

  /**
   * A store whose snapshots each carry {@code classGradients} per-class target gradients (0 = none; within-class
   * scoring stores one per class of the network).
   */
  public SnapshotStore(Configuration hadoop, String root, String fingerprint, NetworkSpec spec, int classGradients) {
    this(hadoop, root, fingerprint, spec, classGradients, -1);
  }

  /**
   * As above, knowing how many snapshots each restart's file must hold ({@code -1} = unknown): a file with fewer
   * or more is unusable, whatever its format.
   */
  public SnapshotStore(Configuration hadoop, String root, String fingerprint, NetworkSpec spec, int classGradients, long expectedPerRestart) {
    this(hadoop, root, fingerprint, spec, classGradients, false, expectedPerRestart);
  }

  /**
   * As above, with snapshots that also carry Adam's preconditioner weights when {@code preconditioner} is set (snapshot
   * format 4): a file without them, or with them where none are expected, is unusable.
   */
  public SnapshotStore(
      Configuration hadoop, String root, String fingerprint, NetworkSpec spec, int classGradients, boolean preconditioner,
      long expectedPerRestart) {
    this.dir = new Path(root, fingerprint);
    this.spec = spec;
    this.classGradients = classGradients;
    this.preconditioner = preconditioner;
    this.expected = expectedPerRestart;
    try {
      this.fs = dir.getFileSystem(hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open checkpoint directory " + dir, e);
    }
  }

  public Path directory() {
    return dir;
  }

  /** The final name of restart {@code r}'s file. */
  public Path file(int restart) {
    return new Path(dir, String.format("restart-%05d.snap", restart));
  }

  /** Whether restart {@code r} has a file under its final name (see {@link #check} for whether it is usable). */
  public boolean has(int restart) {
    try {
      return fs.exists(file(restart));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What {@link #check} found.
   *
   * @param restart the restart
   * @param file its file
   * @param state missing, good or corrupt
   * @param snapshots snapshots in a good file
   * @param format the file's format (0 when missing or unreadable)
   * @param problem what is wrong with a corrupt file, else null
   */
  public record Check(int restart, Path file, State state, long snapshots, int format, String problem) {
    /** Whether the file can be used. */
    public boolean good() {
      return state == State.GOOD;
    }
  }

  /** The states of a restart's file. */
  public enum State { MISSING, GOOD, CORRUPT }

  /**
   * Reads restart {@code r}'s file through to its end, without keeping its parameters, and says whether it can be
   * used: a format-3 file's trailer (count and CRC32C) must verify; every file's structure must parse; and when the
   * store knows how many snapshots a restart has, the file must hold exactly that many. Files of earlier formats
   * have no checksum, which is logged.
   */
  public Check check(int restart) {
    Path p = file(restart);
    try {
      if (!fs.exists(p)) {
        return new Check(restart, p, State.MISSING, 0, 0, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint directory " + dir + ": " + e.getMessage(), e);
    }
    int format = 0;
    try (SnapshotCodec.Reader r = open(p)) {
      format = r.format();
      long n = r.verify();
      String wrong = checkContents(restart, r, n);
      if (wrong != null) {
        return new Check(restart, p, State.CORRUPT, n, format, p + ": " + wrong);
      }
      if (!r.checksummed()) {
        LOG.info("{}: snapshot format {}, written by an earlier dvgs-spark, has no checksum; its structure and its {} "
            + "snapshots were checked", p, format, n);
      }
      return new Check(restart, p, State.GOOD, n, format, null);
    } catch (SnapshotCodec.UnknownFormatException e) {
      // A later version's file is not damaged: leave it alone and say so.
      throw new UncheckedIOException("restart " + restart + ": " + e.getMessage(), e);
    } catch (IOException e) {
      return new Check(restart, p, State.CORRUPT, 0, format, e.getMessage());
    }
  }

  /** Why a fully read file cannot be used for {@code restart}, or null. */
  private String checkContents(int restart, SnapshotCodec.Reader r, long n) {
    if (n > 0 && r.restart() != restart) {
      return "holds the snapshots of restart " + r.restart() + ", not of restart " + restart;
    }
    if (expected >= 0 && n != expected) {
      return "holds " + n + " snapshots, but a restart of these training settings has " + expected
          + (n < expected ? " (truncated)" : "");
    }
    return null;
  }

  /**
   * Moves a file that {@link #check} found corrupt aside, to {@code <name>.corrupt-<time>} next to it, with a
   * warning naming the file, the restart and the problem. Returns the new name, or null when the file was gone
   * already (another run sharing the directory moved it).
   */
  public Path quarantine(Check c) {
    Path aside = new Path(dir, c.file().getName() + ".corrupt-" + LocalDateTime.now().format(ASIDE) + "-" + shortId());
    try {
      if (!fs.rename(c.file(), aside)) {
        if (!fs.exists(c.file())) {
          return null;
        }
        throw new IOException("rename " + c.file() + " -> " + aside + " failed");
      }
      LOG.warn("snapshot file {} of restart {} cannot be used ({}); moved it to {} and training that restart again",
          c.file(), c.restart(), c.problem(), aside);
      // Another run sharing the directory may have moved the corrupt file aside and published a good one between
      // the check and the rename; then the file just moved is that good one, and it goes back.
      Check moved = checkFile(c.restart(), aside);
      if (moved.good()) {
        if (!publish(aside, c.file())) {
          fs.delete(aside, false);
        }
        LOG.info("{} was replaced by a good file from another run before it was moved; keeping that file", c.file());
        return null;
      }
      return aside;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move corrupt snapshot file " + c.file() + " aside: " + e.getMessage(), e);
    }
  }

  private Check checkFile(int restart, Path p) {
    try (SnapshotCodec.Reader r = open(p)) {
      long n = r.verify();
      String wrong = checkContents(restart, r, n);
      return new Check(restart, p, wrong == null ? State.GOOD : State.CORRUPT, n, r.format(), wrong);
    } catch (IOException e) {
      return new Check(restart, p, State.CORRUPT, 0, 0, e.getMessage());
    }
  }

  private SnapshotCodec.Reader open(Path p) throws IOException {
    BufferedInputStream raw = new BufferedInputStream(fs.open(p), 1 << 20);
    try {
      return new SnapshotCodec.Reader(raw, spec, classGradients, preconditioner, p.toString());
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  /** Writer for one restart; {@link Writer#commit()} makes it visible. */
  public Writer writer(int restart) {
    return new Writer(restart);
  }

  /**
   * Writes the fingerprint's description (for people inspecting the directory), unless the directory has one: the
   * same fingerprint has the same description.
   */
  public void describe(String json) {
    Path target = new Path(dir, "fingerprint.json");
    try {
      if (fs.exists(target)) {
        return;
      }
      fs.mkdirs(dir);
      Path tmp = new Path(dir, "_tmp-fingerprint-" + shortId() + ".json");
      try (FSDataOutputStream out = writable().create(tmp, false)) {
        out.write(json.getBytes(StandardCharsets.UTF_8));
      }
      if (!publish(tmp, target)) {
        writable().delete(tmp, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to checkpoint directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Streams restart {@code r}'s snapshots in iteration order, checking the file as it goes (the trailer after the
   * last snapshot, and the count when the store knows it); a problem fails the stream with a message naming the
   * file and the restart.
   */
  public Iterator<Snapshot> read(int restart) {
    Path p = file(restart);
    SnapshotCodec.Reader in;
    try {
      in = open(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshots of restart " + restart + ": " + e.getMessage(), e);
    }
    return new Iterator<>() {
      Snapshot next = advance();

      private Snapshot advance() {
        try {
          Snapshot s = in.next();
          if (s == null) {
            in.close();
            String wrong = checkContents(restart, in, in.count());
            if (wrong != null) {
              throw new IOException(p + ": " + wrong);
            }
          }
          return s;
        } catch (IOException e) {
          try {
            in.close();
          } catch (IOException ignored) {
            // The read already failed; that is the error to report.
          }
          throw new UncheckedIOException("snapshots of restart " + restart + " cannot be used: " + e.getMessage(), e);
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

  /** How a writer's file ended up under its final name. */
  public enum Commit {
    /** This writer's file was published. */
    PUBLISHED,
    /** Another run published a good file first; it is kept and this writer's copy was dropped. */
    KEPT_EXISTING
  }

  /** The file system temporary files are written to: the raw local one for local paths (no .crc side files). */
  private FileSystem writable() {
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  private boolean isLocal() {
    return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
  }

  /**
   * Gives {@code from} the name {@code to} unless {@code to} exists, atomically where the file system allows it;
   * returns false when {@code to} exists. {@code from} is gone after a successful publish.
   */
  private boolean publish(Path from, Path to) throws IOException {
    if (isLocal()) {
      java.nio.file.Path src = Paths.get(writable().makeQualified(from).toUri());
      java.nio.file.Path dst = Paths.get(writable().makeQualified(to).toUri());
      try {
        // A hard link fails if the name exists, so two runs can never replace each other's file.
        Files.createLink(dst, src);
        Files.delete(src);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | IOException e) {
        LOG.debug("no hard links under {} ({}); publishing {} by rename", dir, e.getMessage(), to);
        if (fs.exists(to)) {
          return false;
        }
        return writable().rename(from, to);
      }
    }
    // HDFS and the object store connectors refuse to rename onto an existing file.
    if (fs.rename(from, to)) {
      return true;
    }
    if (fs.exists(to)) {
      return false;
    }
    throw new IOException("rename " + from + " -> " + to + " failed");
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Writes one restart's snapshots. */
  public final class Writer implements AutoCloseable {
    private final int restart;
    private final Path tmp;
    private final SnapshotCodec.Writer out;
    private boolean committed;

    Writer(int restart) {
      this.restart = restart;
      // A name of its own: several runs sharing the checkpoint directory may train the same restart at once.
      this.tmp = new Path(dir, String.format("_tmp-restart-%05d-%s.snap", restart, shortId()));
      try {
        fs.mkdirs(dir);
        out = new SnapshotCodec.Writer(
            new BufferedOutputStream(writable().create(tmp, false), 1 << 20), spec, classGradients, preconditioner);
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
        out.write(s);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write snapshot to " + tmp + ": " + e.getMessage(), e);
      }
    }

    public long count() {
      return out.count();
    }

    /**
     * Finishes the file (trailer with count and checksum) and publishes it under its final name. If another run
     * sharing the directory published that restart first, its file is checked and kept, and this one is dropped;
     * a corrupt file there is moved aside and this one takes its place.
     */
    public Commit commit() {
      Path target = file(restart);
      try {
        out.finish();
        out.close();
        for (int attempt = 0; attempt < 3; attempt++) {
          if (publish(tmp, target)) {
            committed = true;
            return Commit.PUBLISHED;
          }
          Check other = check(restart);
          if (other.good()) {
            writable().delete(tmp, false);
            committed = true;
            LOG.info("restart {}: another run published {} first; using its file", restart, target);
            return Commit.KEPT_EXISTING;
          }
          if (other.state() == State.CORRUPT) {
            quarantine(other);
          }
        }
        throw new IOException("could not publish " + target + " after 3 attempts (other runs keep replacing it)");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit snapshots of restart " + restart + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      if (!committed) {
        try {
          out.close();
          writable().delete(tmp, false);
        } catch (IOException ignored) {
          // Best effort: a temporary file is never read.
        }
      }
    }
  }
}
