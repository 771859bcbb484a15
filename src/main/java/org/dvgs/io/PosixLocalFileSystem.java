package org.dvgs.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * Hadoop's local file system ({@code file:}), with file and directory modes set through {@code java.nio} instead of a
 * {@code chmod} process.
 *
 * <p>Without Hadoop's native library, which no Maven artifact carries, {@link RawLocalFileSystem} runs
 * {@code chmod} in a new process for every file it creates with a mode and every directory it makes: each Parquet
 * part file, its checksum file, every {@code _temporary} directory of a committer, every snapshot file. A small
 * {@code evaluate} (the Adult protocol) started about 270 such processes, each one forked from a JVM of two or
 * more gigabytes. {@link Files#setPosixFilePermissions} makes the same {@code chmod} system call in process.
 *
 * <p>Everything else, checksums included, is Hadoop's {@link LocalFileSystem}. A mode this cannot state (the
 * sticky bit), a file system that is not POSIX, or a machine where Hadoop's native library is loaded goes the
 * usual way. dvgs sets {@code spark.hadoop.fs.file.impl} to this class for the sessions it creates, unless the
 * user's Spark configuration names another ({@link org.dvgs.pipeline.Sessions}).
 */
public class PosixLocalFileSystem extends LocalFileSystem {
  /** A local file system whose raw layer sets modes in process. */
  public PosixLocalFileSystem() {
    super(new Raw());
  }

  /** Hadoop's raw local file system with {@link #setPermission} in process. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (NativeIO.isAvailable() || permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      String mode = permission.getUserAction().SYMBOL + permission.getGroupAction().SYMBOL + permission.getOtherAction().SYMBOL;
      try {
        Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(mode));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: Hadoop's own way.
        super.setPermission(p, permission);
      }
    }
  }
}
