package org.dvgs.testing;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The local file system under the scheme {@code dvgscount:}, counting the bytes read from every file, so that a test
 * can tell how often Spark parsed a file (executors run in the test's JVM in local mode).
 */
public final class CountingFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "dvgscount";
  private static final URI NAME = URI.create(SCHEME + ":///");
  private static final Map<String, AtomicLong> READ = new ConcurrentHashMap<>();

  /** Makes the scheme known to the session's readers. */
  public static void register(SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs." + SCHEME + ".impl", CountingFileSystem.class.getName());
  }

  /** The path of a local file under this scheme. */
  public static String path(java.nio.file.Path file) {
    return SCHEME + "://" + file.toAbsolutePath();
  }

  /** Bytes read so far from a local file, by any reader. */
  public static long bytesRead(java.nio.file.Path file) {
    AtomicLong n = READ.get(file.toAbsolutePath().toString());
    return n == null ? 0 : n.get();
  }

  @Override
  public URI getUri() {
    return NAME;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    AtomicLong n = READ.computeIfAbsent(pathToFile(f).getAbsolutePath(), k -> new AtomicLong());
    return new FSDataInputStream(new Counting(super.open(f, bufferSize), n));
  }

  /** Passes every read through, adding the bytes it returns. */
  private static final class Counting extends FSInputStream {
    private final FSDataInputStream in;
    private final AtomicLong n;

    Counting(FSDataInputStream in, AtomicLong n) {
      this.in = in;
      this.n = n;
    }

    private int count(int r) {
      if (r > 0) {
        n.addAndGet(r);
      }
      return r;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        n.incrementAndGet();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return count(in.read(b, off, len));
    }

    @Override
    public int read(long position, byte[] b, int off, int len) throws IOException {
      return count(in.read(position, b, off, len));
    }

    @Override
    public void seek(long pos) throws IOException {
      in.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public boolean seekToNewSource(long targetPos) throws IOException {
      return in.seekToNewSource(targetPos);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
