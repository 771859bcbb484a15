package org.dvgs.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dvgs.core.InputException;

/**
 * Writes and reads {@code manifest.json}: the record of a run, written last so its presence means completion. The
 * JSON itself is {@link ManifestCodec}'s; this class adds the files (any Hadoop file system), the redaction of
 * secrets and the errors that name the file.
 */
public final class Manifest {
  private Manifest() {}

  /**
   * The field every manifest of a command holds, read first so that another command's manifest is named as such
   * rather than by a field it lacks.
   *
   * @param command the command that wrote the manifest (absent in valuation runs of library callers and early versions)
   */
  public record Header(@MayBeAbsent String command) {}

  /** Serialises a manifest: a record of {@code org.dvgs.output}, or a map of nested maps, lists, numbers, strings. */
  public static String toJson(Object manifest) {
    return ManifestCodec.toJson(manifest);
  }

  /** Parses JSON text into a tree of maps and lists (used to embed the resolved config). */
  public static Object parse(String json) {
    try {
      return ManifestCodec.parse(json);
    } catch (ManifestFormatException e) {
      throw new UncheckedIOException(new IOException(e.getMessage(), e));
    }
  }

  /**
   * Writes {@code dir/manifest.json} through a temporary file and a rename. The resolved configuration under
   * {@code config} is written with its secrets redacted ({@link Secrets}).
   */
  public static Path write(Configuration hadoop, String dir, Map<String, Object> manifest) {
    return writeTree(hadoop, dir, manifest);
  }

  /** As {@link #write(Configuration, String, Map)}, for a manifest record of {@code org.dvgs.output}. */
  public static Path write(Configuration hadoop, String dir, Record manifest) {
    return writeTree(hadoop, dir, ManifestCodec.toMap(manifest));
  }

  private static Path writeTree(Configuration hadoop, String dir, Map<String, Object> manifest) {
    Path target = new Path(dir, "manifest.json");
    Path tmp = new Path(dir, "_manifest.json.tmp");
    Map<String, Object> written = manifest;
    if (manifest.containsKey("config")) {
      written = new LinkedHashMap<>(manifest);
      written.put("config", Secrets.redact(manifest.get("config")));
    }
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(toJson(written).getBytes(StandardCharsets.UTF_8));
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
    Object parsed;
    try {
      parsed = ManifestCodec.parse(text(hadoop, p));
    } catch (ManifestFormatException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), new IOException(e.getMessage(), e));
    }
    return parsed instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  /**
   * Reads {@code dir/manifest.json} as record {@code type}.
   *
   * @throws InputException naming the file and the field when the file cannot be read, is not JSON, or a field
   *     the record needs is missing, {@code null} or malformed ({@code .../manifest.json: training.restarts[2].last_loss is missing})
   */
  public static <T extends Record> T read(Configuration hadoop, String dir, Class<T> type) {
    Path p = new Path(dir, "manifest.json");
    String text;
    try {
      text = text(hadoop, p);
    } catch (UncheckedIOException e) {
      throw new InputException(e.getMessage(), e);
    }
    try {
      return ManifestCodec.fromJson(text, type);
    } catch (ManifestFormatException e) {
      throw new InputException(p + ": " + e.getMessage(), e);
    }
  }

  private static String text(Configuration hadoop, Path p) {
    try {
      FileSystem fs = p.getFileSystem(hadoop);
      try (java.io.InputStream in = fs.open(p)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }
}
