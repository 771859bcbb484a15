package org.dvgs.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes and reads {@code manifest.json}: the record of a run, written last so its presence means completion. */
public final class Manifest {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Manifest() {}

  /** Serialises a manifest map (nested maps, lists, numbers, strings, arrays). */
  public static String toJson(Map<String, Object> manifest) {
    try {
      return JSON.writeValueAsString(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses JSON text into a tree of maps and lists (used to embed the resolved config). */
  public static Object parse(String json) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code dir/manifest.json} through a temporary file and a rename. The resolved configuration under
   * {@code config} is written with its secrets redacted ({@link Secrets}).
   */
  public static Path write(Configuration hadoop, String dir, Map<String, Object> manifest) {
    Path target = new Path(dir, "manifest.json");
    Path tmp = new Path(dir, "_manifest.json.tmp");
    Map<String, Object> written = manifest;
    if (manifest.containsKey("config")) {
      written = new java.util.LinkedHashMap<>(manifest);
      written.put("config", Secrets.redact(manifest.get("config")));
    }
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(toJson(written).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename " + tmp + " -> " + target + " failed");
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Reads a manifest back as a map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> read(Configuration hadoop, String dir) {
    Path p = new Path(dir, "manifest.json");
    try {
      FileSystem fs = p.getFileSystem(hadoop);
      try (java.io.InputStream in = fs.open(p)) {
        return JSON.readValue(in, Map.class);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }
}
