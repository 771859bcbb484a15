package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/**
 * {@link PosixLocalFileSystem} leaves files and directories with the modes Hadoop's own local file system gives them,
 * and is otherwise Hadoop's local file system (checksum files written and verified).
 */
class PosixLocalFileSystemTest {
  static final List<Short> MODES = List.of((short) 0640, (short) 0755, (short) 0600, (short) 0444, (short) 0777, (short) 0000, (short) 0751);

  @Test
  void modesAreThoseHadoopSetsItself() throws IOException {
    java.nio.file.Path dir = SharedSpark.tempDir("posix-fs");
    Configuration conf = new Configuration(false);
    RawLocalFileSystem hadoops = new RawLocalFileSystem();
    hadoops.initialize(URI.create("file:///"), conf);
    PosixLocalFileSystem.Raw ours = new PosixLocalFileSystem.Raw();
    ours.initialize(URI.create("file:///"), conf);
    for (short mode : MODES) {
      for (boolean directory : new boolean[] {false, true}) {
        String name = Integer.toOctalString(mode) + (directory ? "-dir" : "-file");
        java.nio.file.Path a = dir.resolve("hadoop-" + name);
        java.nio.file.Path b = dir.resolve("ours-" + name);
        if (directory) {
          Files.createDirectory(a);
          Files.createDirectory(b);
        } else {
          Files.writeString(a, "x");
          Files.writeString(b, "x");
        }
        FsPermission p = new FsPermission(mode);
        hadoops.setPermission(new Path(a.toUri()), p);
        ours.setPermission(new Path(b.toUri()), p);
        String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(a));
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(b)), name);
        assertEquals(p.toString(), expected, name);
        // Back to a mode the temp directory's clean-up can remove.
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rwx------"));
      }
    }
  }

  @Test
  void filesAndDirectoriesMadeThroughItHaveTheirModesAndChecksums() throws IOException {
    java.nio.file.Path dir = SharedSpark.tempDir("posix-fs-io");
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", PosixLocalFileSystem.class.getName());
    try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), conf)) {
      assertInstanceOf(PosixLocalFileSystem.class, fs);
      Path sub = new Path(new Path(dir.toUri()), "a/b");
      assertTrue(fs.mkdirs(sub, new FsPermission((short) 0750)));
      assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))));
      Path file = new Path(sub, "data.txt");
      try (FSDataOutputStream out = fs.create(file, new FsPermission((short) 0640), true, 4096, (short) 1, 1 << 20, null)) {
        out.write("dvgs".getBytes(StandardCharsets.UTF_8));
      }
      assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/data.txt"))));
      assertTrue(Files.exists(dir.resolve("a/b/.data.txt.crc")), "checksum file written");
      try (FSDataInputStream in = fs.open(file)) {
        byte[] b = new byte[4];
        in.readFully(b);
        assertEquals("dvgs", new String(b, StandardCharsets.UTF_8));
      }
      // A file changed behind the checksum's back fails to read, as with Hadoop's local file system.
      Files.writeString(dir.resolve("a/b/data.txt"), "DVGS");
      org.junit.jupiter.api.Assertions.assertThrows(org.apache.hadoop.fs.ChecksumException.class, () -> {
        try (FSDataInputStream in = fs.open(file)) {
          in.readFully(new byte[4]);
        }
      });
    }
  }
}
