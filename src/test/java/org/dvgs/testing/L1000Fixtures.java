package org.dvgs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The small real CMap L1000 files under src/test/resources/l1000 (see SOURCES.md there). */
public final class L1000Fixtures {
  private L1000Fixtures() {}

  public static Path path(String name) {
    URL u = L1000Fixtures.class.getClassLoader().getResource("l1000/" + name);
    if (u == null) {
      throw new IllegalStateException("test resource l1000/" + name + " is missing");
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A copy of modzs_n25x50.gctx with the signature of its matrix's chunk B-tree node flipped ("TREE" at byte 6936,
   * found by flipping each B-tree signature in turn): every dataset but the matrix reads, and reading the matrix
   * fails in jhdf with "B tree V1 node signature not matched".
   */
  public static Path flippedChunkIndex(Path out) {
    byte[] b = bytes("modzs_n25x50.gctx");
    int at = 6936;
    if (!new String(b, at, 4, StandardCharsets.US_ASCII).equals("TREE")) {
      throw new IllegalStateException("modzs_n25x50.gctx changed: no B-tree signature at " + at);
    }
    b[at + 1] ^= 0x20;
    return write(out, b);
  }

  /**
   * A copy of test_n5x10.gctx whose deflated matrix chunk starts with a broken zlib header: the file opens and
   * every index and metadata dataset reads, but decompressing the matrix (which only executors do) fails.
   */
  public static Path brokenMatrixChunk(Path out) {
    byte[] b = bytes("test_n5x10.gctx");
    byte[] chunk;
    try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(path("test_n5x10.gctx"))) {
      ByteBuffer raw = ((io.jhdf.api.dataset.ChunkedDataset) h.getDatasetByPath("/0/DATA/0/matrix")).getRawChunkBuffer(new int[] {0, 0});
      chunk = new byte[raw.remaining()];
      raw.get(chunk);
    }
    int at = indexOf(b, chunk);
    if (at < 0 || indexOf(java.util.Arrays.copyOfRange(b, at + 1, b.length), chunk) >= 0) {
      throw new IllegalStateException("the matrix chunk of test_n5x10.gctx is not found exactly once");
    }
    b[at] = 0;
    b[at + 1] = 0;
    return write(out, b);
  }

  private static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path out, byte[] b) {
    try {
      return Files.write(out, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
