package org.dvgs.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.dvgs.config.ConfigValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ownership and locking of the directories dvgs writes into ({@code --output}).
 *
 * <p>Every output directory dvgs creates or starts using carries a marker file, {@link #MARKER}, written before
 * anything else. {@link #prepare} claims a directory for one command:
 *
 * <ul>
 *   <li>a missing path is created and marked; an empty directory is marked and used;
 *   <li>a directory that is dvgs's (the marker, or the {@code manifest.json} of an earlier dvgs version, or only the
 *       snapshots of an earlier version's failed run) is used: if it holds the results of an earlier run, only with
 *       {@link Replace#OURS} (and then only the entries dvgs writes are removed; {@code checkpoints/} and anything
 *       dvgs did not write stay), else it holds at most a failed run's snapshots and staging leftovers and the run
 *       resumes there;
 *   <li>a non-empty directory that is not dvgs's, or a plain file at the path, is refused whatever the overwrite
 *       setting, naming the path and what is in it.
 * </ul>
 *
 * <p>While a command runs it holds {@link #LOCK} in the directory, created atomically (a hard link on local disks,
 * a rename on HDFS) with its owner (host, process id, user, Spark application) and start time, and refreshed every
 * minute (its modification time). A second run on the same directory is refused. A lock is stale, and taken over
 * with a warning, when its process is gone on the same host, when it belongs to an earlier attempt of the same
 * Spark application, or when it has not been refreshed for {@link #STALE_AFTER} (a lock on a file system that cannot
 * set modification times, such as an object store, is never taken over for age: delete it by hand).
 */
public final class OutputDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(OutputDirectory.class);

  /** The ownership marker, written first into every output directory dvgs uses. */
  public static final String MARKER = "_DVGS_OUTPUT";
  /** The lock a running command holds in its output directory. */
  public static final String LOCK = "_DVGS_LOCK";
  /** Snapshots, kept when an output is replaced. */
  public static final String CHECKPOINTS = "checkpoints";
  /** The run record, written last. */
  public static final String MANIFEST = "manifest.json";
  /** A lock not refreshed for this long is stale (its holder refreshes it every {@link #HEARTBEAT}). */
  public static final Duration STALE_AFTER = Duration.ofMinutes(10);
  static final Duration HEARTBEAT = Duration.ofMinutes(1);

  static final String MARKER_FORMAT = "dvgs-output 1";
  static final String LOCK_FORMAT = "dvgs-lock 1";
  private static final String MARKER_TMP = MARKER + ".tmp";

  /** Names dvgs writes at the top of an output whatever the command; never results of a run. */
  private static final Pattern LEFTOVER = Pattern.compile("\\.?(_staging|_manifest\\.json\\.tmp|" + Pattern.quote(MARKER) + "|"
      + Pattern.quote(MARKER_TMP) + "|" + Pattern.quote(LOCK) + "(\\..+)?)(\\.crc)?|" + CHECKPOINTS);
  /** What a failed run leaves besides its snapshots: removed when the next run claims the output. */
  private static final Pattern STAGING = Pattern.compile("\\.?(_staging|_manifest\\.json\\.tmp)(\\.crc)?");
  /** The output's record and its checksum side file. */
  private static final Pattern MANIFEST_NAMES = Pattern.compile("\\.?manifest\\.json(\\.crc)?");
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{24}");
  /** Entries that are dvgs outputs of their own (each with its marker): removed only when they are dvgs's. */
  private static final Pattern NESTED = Pattern.compile("seed--?\\d+|run-\\d+");

  /** The tables and folders each command writes at the top of its output, besides the manifest and snapshots. */
  private static final Map<String, Pattern> WRITES = Map.of(
      "value", Pattern.compile("values|rejects"),
      "demo", Pattern.compile("data|values|rejects"),
      "evaluate", Pattern.compile("seed--?\\d+|methods|results|metrics|metrics_csv|curves|curves_csv"),
      "ingest", Pattern.compile("signatures|genes"),
      "unique", Pattern.compile("unique|rejects"),
      "l1000", Pattern.compile("values|rejects|values_with_metadata|retrain_curves"),
      "scale", Pattern.compile("data-\\d+|run-\\d+"),
      "bench", Pattern.compile("(?!)"),
      "bench-unique", Pattern.compile("(?!)"),
      "model", Pattern.compile("metadata|model\\.json|snapshots"));

  /** Which existing results a claim may replace. */
  public enum Replace {
    /** None: an output holding results is refused (a failed run's leftovers are resumed). */
    NONE,
    /** Any dvgs output's results ({@code dvgs.output.overwrite = true}). */
    OURS,
    /** Only the results of earlier runs of the same command and nothing else (the demo re-run on its own output). */
    SAME_COMMAND
  }

  private static final Map<String, Held> HELD = new ConcurrentHashMap<>();
  private static volatile ScheduledExecutorService heartbeat;

  private OutputDirectory() {}

  /** The command names whose outputs this class knows. */
  public static Set<String> commands() {
    return new TreeSet<>(WRITES.keySet());
  }

  // ---- claiming -------------------------------------------------------------------------------------------------

  /**
   * Claims {@code path} for {@code command}: creates or recognises it, takes its lock and removes what {@code replace}
   * allows. The returned claim holds the lock until closed.
   *
   * @param application the Spark application id and attempt ({@code "app-1/2"}), or "" outside Spark
   * @param protect paths that must survive (the run's inputs): a claim that would remove one is refused
   * @throws ConfigValidationException when the path is a file, a directory dvgs did not write, in use by another
   *     run, or holds results that {@code replace} does not allow replacing
   */
  public static Claim prepare(
      Configuration hadoop, String path, String command, Replace replace, String application, Collection<String> protect) {
    if (!WRITES.containsKey(command)) {
      throw new IllegalStateException("no output layout for command " + command);
    }
    Path p = new Path(path);
    Lock lock = null;
    try {
      FileSystem fs = fileSystem(p, hadoop);
      Path dir = fs.makeQualified(p);
      State s = inspect(fs, dir);
      refuseUnusable(path, s);
      if (s.kind == Kind.MISSING) {
        try {
          fs.mkdirs(dir);
        } catch (IOException e) {
          throw new ConfigValidationException("cannot create the output directory " + path + ": " + e.getMessage(), e);
        }
      }
      lock = Lock.acquire(fs, dir, command, application);
      // Again under the lock: another run may have changed the directory since the first look.
      s = inspect(fs, dir);
      refuseUnusable(path, s);
      if (!lock.reentered) {
        clear(fs, dir, path, s, command, replace, qualified(hadoop, protect));
        mark(fs, dir, s, command);
      }
      return new Claim(path, lock);
    } catch (IOException e) {
      if (lock != null) {
        lock.release();
      }
      throw new UncheckedIOException("cannot prepare output " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (lock != null) {
        lock.release();
      }
      throw e;
    }
  }

  /** As {@link #prepare(Configuration, String, String, Replace, String, Collection)}, without Spark or inputs. */
  public static Claim prepare(Configuration hadoop, String path, boolean overwrite, String command) {
    return prepare(hadoop, path, command, overwrite ? Replace.OURS : Replace.NONE, "", List.of());
  }

  /** A claimed output directory; {@link #close()} releases its lock. */
  public static final class Claim implements AutoCloseable {
    private final String path;
    private final Lock lock;

    Claim(String path, Lock lock) {
      this.path = path;
      this.lock = lock;
    }

    /** The output directory as given. */
    public String path() {
      return path;
    }

    @Override
    public void close() {
      lock.release();
    }
  }

  // ---- recognising ----------------------------------------------------------------------------------------------

  enum Kind { MISSING, FILE, EMPTY, OURS, FOREIGN }

  /** What is at an output path: its kind, the commands that wrote there (when ours) and the entries. */
  record State(Kind kind, Set<String> commands, List<FileStatus> children, Map<String, String> marker) {
    List<String> names() {
      List<String> n = new ArrayList<>();
      for (FileStatus c : children) {
        n.add(c.getPath().getName() + (c.isDirectory() ? "/" : ""));
      }
      n.sort(null);
      return n;
    }
  }

  /** True when {@code path} is a directory dvgs wrote (a marker, or a manifest of an earlier version). */
  public static boolean isOurs(Configuration hadoop, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = fileSystem(p, hadoop);
      return inspect(fs, fs.makeQualified(p)).kind == Kind.OURS;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The dvgs output directory that {@code path} lies in (the nearest ancestor that is one), if any. A path inside
   * one is a results file unless it is a new name at the output's top level (see {@link #isOwnName}).
   */
  public static Optional<Path> enclosingOutput(Configuration hadoop, String path) {
    Path start;
    FileSystem fs;
    try {
      Path p = new Path(path);
      fs = fileSystem(p, hadoop);
      start = fs.makeQualified(p).getParent();
    } catch (IOException e) {
      return Optional.empty();
    }
    for (Path a = start; a != null; a = a.getParent()) {
      try {
        // The marker or a manifest only: no listing of every ancestor (a home directory, /tmp).
        if (readMarker(fs, new Path(a, MARKER)) != null || readMarker(fs, new Path(a, MARKER_TMP)) != null
            || legacyManifest(fs, new Path(a, MANIFEST), false) != null) {
          return Optional.of(a);
        }
      } catch (IOException e) {
        // An ancestor this user cannot read: look further up.
      }
    }
    return Optional.empty();
  }

  /** True when {@code name}, at the top of an output, is something some dvgs command writes there. */
  public static boolean isOwnName(String name) {
    if (LEFTOVER.matcher(name).matches() || MANIFEST_NAMES.matcher(name).matches()) {
      return true;
    }
    for (Pattern w : WRITES.values()) {
      if (w.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  static State inspect(FileSystem fs, Path dir) throws IOException {
    return inspect(fs, dir, false);
  }

  /** As above; {@code nested} for an evaluate seed run or a scale size inside another output. */
  static State inspect(FileSystem fs, Path dir, boolean nested) throws IOException {
    if (!fs.exists(dir)) {
      return new State(Kind.MISSING, Set.of(), List.of(), Map.of());
    }
    FileStatus st = fs.getFileStatus(dir);
    if (!st.isDirectory()) {
      return new State(Kind.FILE, Set.of(), List.of(st), Map.of());
    }
    List<FileStatus> children = List.of(fs.listStatus(dir));
    Map<String, String> marker = readMarker(fs, new Path(dir, MARKER));
    if (marker == null) {
      marker = readMarker(fs, new Path(dir, MARKER_TMP));
    }
    if (marker != null) {
      return new State(Kind.OURS, commandsOf(marker), children, marker);
    }
    Set<String> legacy = legacyManifest(fs, new Path(dir, MANIFEST), nested);
    if (legacy != null) {
      return new State(Kind.OURS, legacy, children, Map.of());
    }
    // A run that has just taken the directory holds only its lock and its marker being written: empty, in use.
    boolean inProgress = true;
    for (FileStatus c : children) {
      String name = c.getPath().getName();
      inProgress &= name.startsWith(LOCK) || name.equals(MARKER_TMP);
    }
    if (inProgress) {
      return new State(Kind.EMPTY, Set.of(), children, Map.of());
    }
    if (legacyLeftovers(fs, children)) {
      return new State(Kind.OURS, Set.of(), children, Map.of());
    }
    return new State(Kind.FOREIGN, Set.of(), children, Map.of());
  }

  private static Map<String, String> readMarker(FileSystem fs, Path p) throws IOException {
    String text = readSmall(fs, p, 8192);
    if (text == null || !text.startsWith(MARKER_FORMAT + "\n")) {
      return null;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int i = line.indexOf(": ");
      if (i > 0) {
        m.put(line.substring(0, i), line.substring(i + 2));
      }
    }
    return m;
  }

  private static Set<String> commandsOf(Map<String, String> marker) {
    Set<String> c = new LinkedHashSet<>();
    for (String s : marker.getOrDefault("commands", marker.getOrDefault("command", "")).split("[ ,]+")) {
      if (!s.isBlank()) {
        c.add(s.trim());
      }
    }
    return c;
  }

  /** The commands of an earlier version's manifest (no marker then), or null if it is not a dvgs manifest. */
  private static Set<String> legacyManifest(FileSystem fs, Path p, boolean nested) throws IOException {
    String text = readSmall(fs, p, 64 << 20);
    if (text == null) {
      return null;
    }
    LegacyManifest m;
    try {
      m = ManifestCodec.fromJson(text, LegacyManifest.class);
    } catch (ManifestFormatException e) {
      return null;
    }
    boolean versioned = m.versions() != null && m.versions().dvgsSpark() != null;
    boolean commanded = m.command() != null && WRITES.containsKey(m.command()) && m.config() instanceof Map<?, ?>;
    if (!versioned && !commanded) {
      return null;
    }
    // Valuation runs of an earlier version without a command are value runs; nested outputs of evaluate and scale
    // carry their parent's command but a valuation's layout.
    String command = m.command() != null && WRITES.containsKey(m.command()) ? m.command() : "value";
    return Set.of(nested ? "value" : command);
  }

  /**
   * What tells a manifest of an earlier dvgs version (no marker then) from any other {@code manifest.json}: its
   * versions with dvgs's own, or one of dvgs's commands with the resolved configuration.
   *
   * @param versions software versions
   * @param command the command
   * @param config the resolved configuration
   */
  private record LegacyManifest(@MayBeAbsent Versions versions, @MayBeAbsent String command, @MayBeAbsent Object config) {}

  /** An earlier version's failed run: only {@code checkpoints/<fingerprint>/} and staging leftovers. */
  private static boolean legacyLeftovers(FileSystem fs, List<FileStatus> children) throws IOException {
    boolean snapshots = false;
    for (FileStatus c : children) {
      String name = c.getPath().getName();
      if (name.equals(CHECKPOINTS) && c.isDirectory()) {
        for (FileStatus f : fs.listStatus(c.getPath())) {
          if (!f.isDirectory() || !FINGERPRINT.matcher(f.getPath().getName()).matches()) {
            return false;
          }
          snapshots = true;
        }
      } else if (!LEFTOVER.matcher(name).matches()) {
        return false;
      }
    }
    return snapshots;
  }

  private static void refuseUnusable(String path, State s) {
    if (s.kind == Kind.FILE) {
      throw new ConfigValidationException("output path " + path + " is a file, not a directory; dvgs writes its output into a "
          + "directory: choose another --output (the file is left as it is)");
    }
    if (s.kind == Kind.FOREIGN) {
      throw new ConfigValidationException("output path " + path + " is a directory dvgs did not write (no " + MARKER
          + " or dvgs manifest.json in it), holding " + listing(s.names())
          + "; dvgs writes only into a new or empty directory or one it wrote before, and dvgs.output.overwrite does not "
          + "change that: choose another --output");
    }
  }

  private static String listing(List<String> names) {
    int shown = Math.min(names.size(), 10);
    String l = String.join(", ", names.subList(0, shown));
    return names.size() + (names.size() == 1 ? " entry: " : " entries: ") + l + (names.size() > shown ? ", ..." : "");
  }

  // ---- replacing and marking ------------------------------------------------------------------------------------

  private static boolean ownResult(Set<String> commands, String name) {
    if (MANIFEST_NAMES.matcher(name).matches()) {
      return true;
    }
    for (String c : commands) {
      if (WRITES.get(c) != null && WRITES.get(c).matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Removes what the claim may remove: the earlier results (when {@code replace} allows) and, always, the staging
   * leftovers of a failed run (this run holds the lock, so no other run is writing them).
   */
  private static void clear(FileSystem fs, Path dir, String path, State s, String command, Replace replace, List<Path> protect)
      throws IOException {
    if (s.kind != Kind.OURS) {
      return;
    }
    List<FileStatus> results = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (FileStatus c : s.children) {
      String name = c.getPath().getName();
      if (ownResult(s.commands, name)) {
        results.add(c);
      } else if (ownResult(Set.of(command), name)) {
        conflicts.add(name);
      }
    }
    if (!conflicts.isEmpty()) {
      throw new ConfigValidationException("output path " + path + " holds " + String.join(", ", conflicts) + ", which `" + command
          + "` writes but which dvgs did not write there (that output is from " + describe(s) + "); move "
          + (conflicts.size() == 1 ? "it" : "them") + " away or choose another --output");
    }
    boolean allowed = replace == Replace.OURS || (replace == Replace.SAME_COMMAND && s.commands.equals(Set.of(command)));
    if (!results.isEmpty() && !allowed) {
      List<String> names = new ArrayList<>();
      for (FileStatus r : results) {
        names.add(r.getPath().getName());
      }
      names.sort(null);
      throw new ConfigValidationException("output path " + path + " exists and holds the results of an earlier run (" + describe(s)
          + ": " + listing(names) + "); choose another --output or set dvgs.output.overwrite = true to replace them "
          + "(files dvgs did not write and checkpoints/ are kept)");
    }
    for (FileStatus r : results) {
      for (Path keep : protect) {
        if (isWithin(keep, r.getPath())) {
          throw new ConfigValidationException("output path " + path + ": replacing its " + r.getPath().getName()
              + " would delete the input " + keep + "; choose another --output");
        }
      }
    }
    // The manifest goes first so that an interrupted replacement never leaves an old manifest over new data.
    results.sort((a, b) -> Boolean.compare(!MANIFEST_NAMES.matcher(a.getPath().getName()).matches(),
        !MANIFEST_NAMES.matcher(b.getPath().getName()).matches()));
    for (FileStatus r : results) {
      String name = r.getPath().getName();
      if (NESTED.matcher(name).matches() && r.isDirectory()) {
        removeNested(fs, r.getPath());
      } else {
        fs.delete(r.getPath(), true);
      }
    }
    long now = System.currentTimeMillis();
    for (FileStatus c : s.children) {
      String name = c.getPath().getName();
      boolean oldLockFile = name.startsWith(LOCK + ".") && now - c.getModificationTime() > STALE_AFTER.toMillis();
      if (STAGING.matcher(name).matches() || oldLockFile) {
        fs.delete(c.getPath(), true);
      }
    }
    List<String> kept = new ArrayList<>();
    for (FileStatus c : s.children) {
      String name = c.getPath().getName();
      if (!ownResult(s.commands, name) && !LEFTOVER.matcher(name).matches()) {
        kept.add(name);
      }
    }
    if (!kept.isEmpty()) {
      LOG.info("output {}: left as they are (not written by dvgs): {}", path, kept);
    }
  }

  /** Removes a nested output (an evaluate seed run, a scale size) if it is dvgs's; keeps anything else in it. */
  private static void removeNested(FileSystem fs, Path nested) throws IOException {
    State s = inspect(fs, nested, true);
    if (s.kind == Kind.EMPTY || s.kind == Kind.MISSING) {
      fs.delete(nested, true);
      return;
    }
    if (s.kind != Kind.OURS) {
      LOG.warn("{} is not a dvgs output; left as it is", show(nested));
      return;
    }
    Path lock = new Path(nested, LOCK);
    if (fs.exists(lock)) {
      Lock.Verdict v = Lock.judge(fs, lock, Lock.read(fs, lock), "");
      if (v.held()) {
        throw new ConfigValidationException(show(nested) + " is in use: " + v.reason());
      }
    }
    boolean foreign = false;
    for (FileStatus c : s.children) {
      String name = c.getPath().getName();
      if (ownResult(s.commands, name) || LEFTOVER.matcher(name).matches()) {
        fs.delete(c.getPath(), true);
      } else {
        foreign = true;
      }
    }
    if (foreign) {
      LOG.warn("{}: kept, it holds files dvgs did not write", show(nested));
    } else {
      fs.delete(nested, true);
    }
  }

  private static String describe(State s) {
    if (s.commands.isEmpty()) {
      return "an earlier dvgs run";
    }
    return "dvgs " + String.join(", ", s.commands);
  }

  /** Writes the marker, or adds the command to it. */
  private static void mark(FileSystem fs, Path dir, State s, String command) throws IOException {
    Set<String> commands = new LinkedHashSet<>(s.commands);
    commands.add(command);
    if (!s.marker.isEmpty() && commands.equals(s.commands) && fs.exists(new Path(dir, MARKER))) {
      return;
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put("command", s.marker.getOrDefault("command", command));
    m.put("started", s.marker.getOrDefault("started", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
    m.put("host", s.marker.getOrDefault("host", Owner.HOST));
    m.put("user", s.marker.getOrDefault("user", Owner.USER));
    m.put("commands", String.join(" ", commands));
    StringBuilder b = new StringBuilder(MARKER_FORMAT).append('\n');
    m.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
    b.append("This directory was written by dvgs-spark; dvgs replaces only what it wrote here.\n");
    Path tmp = new Path(dir, MARKER_TMP);
    writeFile(fs, tmp, b.toString());
    replace(fs, tmp, new Path(dir, MARKER));
  }

  private static boolean isWithin(Path inner, Path outer) {
    String i = inner.toUri().getPath();
    String o = outer.toUri().getPath();
    return sameFs(inner, outer) && (i.equals(o) || i.startsWith(o.endsWith("/") ? o : o + "/"));
  }

  private static boolean sameFs(Path a, Path b) {
    return String.valueOf(a.toUri().getScheme()).equals(String.valueOf(b.toUri().getScheme()))
        && String.valueOf(a.toUri().getAuthority()).equals(String.valueOf(b.toUri().getAuthority()));
  }

  private static List<Path> qualified(Configuration hadoop, Collection<String> paths) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String s : paths) {
      if (s == null || s.isBlank()) {
        continue;
      }
      // The fixed part of a glob: everything before its first wildcard segment.
      String fixed = s.split("[*?\\[{]", 2)[0];
      int slash = fixed.lastIndexOf('/');
      if (fixed.length() < s.length() && slash >= 0) {
        fixed = fixed.substring(0, Math.max(slash, 1));
      }
      if (fixed.isEmpty()) {
        continue;
      }
      Path p = new Path(fixed);
      out.add(p.getFileSystem(hadoop).makeQualified(p));
    }
    return out;
  }

  // ---- file helpers -----------------------------------------------------------------------------------------------

  /** The file system of {@code p}; on local disks the raw one, so that no {@code .crc} side files are written. */
  static FileSystem fileSystem(Path p, Configuration hadoop) throws IOException {
    FileSystem fs = p.getFileSystem(hadoop);
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  /** A path as users write it: without {@code file:} on local disks. */
  static String show(Path p) {
    return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
  }

  private static boolean isLocal(FileSystem fs) {
    return "file".equals(fs.getUri().getScheme());
  }

  private static java.nio.file.Path local(Path p) {
    return java.nio.file.Path.of(p.toUri());
  }

  static String readSmall(FileSystem fs, Path p, int limit) throws IOException {
    try {
      FileStatus st = fs.getFileStatus(p);
      if (!st.isFile() || st.getLen() > limit) {
        return null;
      }
      try (InputStream in = fs.open(p)) {
        return new String(in.readNBytes(limit), StandardCharsets.UTF_8);
      }
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
  }

  private static void writeFile(FileSystem fs, Path p, String text) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Moves {@code src} over {@code dst} (atomically on local disks). */
  private static void replace(FileSystem fs, Path src, Path dst) throws IOException {
    if (isLocal(fs)) {
      try {
        Files.move(local(src), local(dst), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(local(src), local(dst), StandardCopyOption.REPLACE_EXISTING);
      }
      return;
    }
    fs.delete(dst, false);
    if (!fs.rename(src, dst)) {
      throw new IOException("rename " + src + " -> " + dst + " failed");
    }
  }

  // ---- the lock ----------------------------------------------------------------------------------------------------

  /** Who runs: this host and process. */
  static final class Owner {
    static final String HOST = hostName();
    static final String USER = System.getProperty("user.name", "?");
    static final long PID = ProcessHandle.current().pid();
    /** Tells hosts apart that share a host name (containers) and boots of one host (pid reuse). */
    static final String MACHINE = machineId();

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
      }
    }

    private static String machineId() {
      StringBuilder b = new StringBuilder();
      try {
        java.nio.file.Path boot = java.nio.file.Path.of("/proc/sys/kernel/random/boot_id");
        if (Files.isReadable(boot)) {
          b.append(Files.readString(boot).trim());
        }
        java.nio.file.Path ns = java.nio.file.Path.of("/proc/self/ns/pid");
        if (Files.exists(ns)) {
          b.append('/').append(Files.readSymbolicLink(ns));
        }
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        // Without it, the host name alone tells hosts apart.
      }
      return b.toString();
    }
  }

  private record Held(String token, Thread thread, Lock lock) {}

  /** A lock file held by this process. */
  static final class Lock {
    final FileSystem fs;
    final Path file;
    final String token;
    final boolean reentered;
    private volatile boolean released;
    private java.util.concurrent.ScheduledFuture<?> refresh;

    private Lock(FileSystem fs, Path file, String token, boolean reentered) {
      this.fs = fs;
      this.file = file;
      this.token = token;
      this.reentered = reentered;
    }

    /** Verdict on an existing lock: held (refuse), stale (take over) or this thread's own (reenter). */
    record Verdict(boolean held, String reason) {}

    static Lock acquire(FileSystem fs, Path dir, String command, String application) throws IOException {
      Path file = new Path(dir, LOCK);
      for (int attempt = 0; attempt < 5; attempt++) {
        Held held = HELD.get(file.toString());
        if (held != null && held.thread == Thread.currentThread()) {
          return new Lock(fs, file, held.token, true);
        }
        String token = UUID.randomUUID().toString();
        if (create(fs, dir, file, token, command, application)) {
          Lock lock = new Lock(fs, file, token, false);
          HELD.put(file.toString(), new Held(token, Thread.currentThread(), lock));
          lock.startRefreshing();
          return lock;
        }
        Map<String, String> other = read(fs, file);
        if (other == null && !fs.exists(file)) {
          continue;
        }
        Verdict v = judge(fs, file, other, application);
        if (v.held()) {
          throw new ConfigValidationException(v.reason());
        }
        LOG.warn("taking over the stale lock {}: {}", show(file), v.reason());
        takeOver(fs, file, other);
      }
      throw new ConfigValidationException("cannot take the lock " + show(file) + ": other runs keep taking it; try again");
    }

    /** Creates the lock with its content in one step; false if it exists. */
    private static boolean create(FileSystem fs, Path dir, Path file, String token, String command, String application)
        throws IOException {
      Path tmp = new Path(dir, LOCK + "." + token + ".tmp");
      Instant now = Instant.now();
      writeFile(fs, tmp, render(token, command, application, now, true));
      // Can this file system carry the refresh? Try on the temporary file, then give it the present time again.
      long past = now.minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
      boolean refreshable;
      try {
        fs.setTimes(tmp, past, -1);
        refreshable = Math.abs(fs.getFileStatus(tmp).getModificationTime() - past) < 2000;
        fs.setTimes(tmp, System.currentTimeMillis(), -1);
      } catch (IOException | UnsupportedOperationException e) {
        refreshable = false;
      }
      if (!refreshable) {
        writeFile(fs, tmp, render(token, command, application, now, false));
      }
      try {
        if (isLocal(fs)) {
          try {
            Files.createLink(local(file), local(tmp));
            return true;
          } catch (FileAlreadyExistsException e) {
            return false;
          } catch (UnsupportedOperationException e) {
            // No hard links here: create-exclusive, then the content (a reader meanwhile sees an empty, fresh lock).
            try {
              Files.createFile(local(file));
            } catch (FileAlreadyExistsException x) {
              return false;
            }
            Files.writeString(local(file), render(token, command, application, now, refreshable));
            return true;
          }
        }
        // HDFS refuses to rename onto an existing file: the lock appears whole or not at all.
        return !fs.exists(file) && fs.rename(tmp, file);
      } finally {
        fs.delete(tmp, false);
      }
    }

    private static String render(String token, String command, String application, Instant started, boolean refresh) {
      return LOCK_FORMAT + "\n"
          + "token: " + token + "\n"
          + "command: " + command + "\n"
          + "host: " + Owner.HOST + "\n"
          + "machine: " + Owner.MACHINE + "\n"
          + "pid: " + Owner.PID + "\n"
          + "user: " + Owner.USER + "\n"
          + "application: " + application + "\n"
          + "started: " + started.truncatedTo(ChronoUnit.MILLIS) + "\n"
          + "refresh: " + (refresh ? HEARTBEAT.toSeconds() + "s" : "none") + "\n";
    }

    static Map<String, String> read(FileSystem fs, Path file) throws IOException {
      String text = readSmall(fs, file, 8192);
      if (text == null) {
        return null;
      }
      Map<String, String> m = new LinkedHashMap<>();
      if (!text.startsWith(LOCK_FORMAT + "\n")) {
        return m;
      }
      for (String line : text.split("\n")) {
        int i = line.indexOf(": ");
        if (i > 0) {
          m.put(line.substring(0, i), line.substring(i + 2));
        } else if (line.endsWith(":")) {
          m.put(line.substring(0, line.length() - 1), "");
        }
      }
      return m;
    }

    /** The rules for an existing lock; see the class comment. */
    static Verdict judge(FileSystem fs, Path file, Map<String, String> o, String application) throws IOException {
      long mtime;
      try {
        mtime = fs.getFileStatus(file).getModificationTime();
      } catch (java.io.FileNotFoundException e) {
        return new Verdict(false, "it is gone");
      }
      Duration age = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - mtime));
      String dir = show(file.getParent());
      String lock = show(file);
      if (o == null || o.isEmpty() || !o.containsKey("token")) {
        if (age.compareTo(STALE_AFTER) > 0) {
          return new Verdict(false, "an unreadable lock, last changed " + age.toMinutes() + " minutes ago");
        }
        return new Verdict(true, "output " + dir + " is locked by " + lock + ", which is not a readable dvgs lock; "
            + "if no dvgs run is using " + dir + ", delete " + lock);
      }
      String who = "dvgs " + o.get("command") + " started " + o.get("started") + " on host " + o.get("host") + " (pid "
          + o.get("pid") + ", user " + o.get("user") + ")";
      String held = "output " + dir + " is in use by another run: " + who + ", lock " + lock + ". Wait for it to finish or "
          + "choose another --output; if that run is no longer running, delete " + lock + " (dvgs takes a lock over by "
          + "itself when its process is gone on the same host, or when it has not been refreshed for "
          + STALE_AFTER.toMinutes() + " minutes)";
      boolean sameHost = Owner.HOST.equals(o.get("host"))
          && (Owner.MACHINE.isEmpty() || o.getOrDefault("machine", "").isEmpty() || Owner.MACHINE.equals(o.get("machine")));
      long pid;
      try {
        pid = Long.parseLong(o.getOrDefault("pid", "-1"));
      } catch (NumberFormatException e) {
        pid = -1;
      }
      if (sameHost && pid > 0) {
        if (pid == Owner.PID) {
          Held h = HELD.get(file.toString());
          if (h != null && h.token.equals(o.get("token"))) {
            return new Verdict(true, h.thread == Thread.currentThread() ? "held by this thread" : held);
          }
          return new Verdict(false, "left by " + who + ", an earlier run of this process");
        }
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) {
          return new Verdict(false, "its process is gone: " + who);
        }
        Optional<Instant> start = ph.get().info().startInstant();
        Instant started = parseInstant(o.get("started"));
        if (start.isPresent() && started != null && start.get().isAfter(started.plusSeconds(5))) {
          return new Verdict(false, "its process is gone (pid " + pid + " is another process now): " + who);
        }
        return new Verdict(true, held);
      }
      String app = o.getOrDefault("application", "");
      if (!app.isEmpty() && !application.isEmpty() && !app.equals(application) && appId(app).equals(appId(application))) {
        return new Verdict(false, "it belongs to an earlier attempt (" + app + ") of this Spark application: " + who);
      }
      boolean refreshed = !"none".equals(o.getOrDefault("refresh", "none"));
      if (refreshed && age.compareTo(STALE_AFTER) > 0) {
        return new Verdict(false, "not refreshed for " + age.toMinutes() + " minutes: " + who);
      }
      return new Verdict(true, held);
    }

    private static String appId(String application) {
      int slash = application.lastIndexOf('/');
      return slash < 0 ? application : application.substring(0, slash);
    }

    private static Instant parseInstant(String s) {
      try {
        return s == null ? null : Instant.parse(s);
      } catch (java.time.format.DateTimeParseException e) {
        return null;
      }
    }

    /** Moves a stale lock aside (only one taker wins the move), checks it is the one judged stale, and removes it. */
    private static void takeOver(FileSystem fs, Path file, Map<String, String> judged) throws IOException {
      Path aside = new Path(file.getParent(), LOCK + ".stale-" + UUID.randomUUID());
      boolean moved;
      if (isLocal(fs)) {
        try {
          Files.move(local(file), local(aside), StandardCopyOption.ATOMIC_MOVE);
          moved = true;
        } catch (java.nio.file.NoSuchFileException e) {
          moved = false;
        }
      } else {
        moved = fs.rename(file, aside);
      }
      if (!moved) {
        return;
      }
      Map<String, String> got = read(fs, aside);
      String want = judged == null ? null : judged.get("token");
      if (want != null && got != null && !want.equals(got.get("token"))) {
        // Another run took the stale lock over first and this move took its fresh one: put it back.
        if (isLocal(fs)) {
          try {
            Files.createLink(local(file), local(aside));
          } catch (FileAlreadyExistsException e) {
            LOG.warn("lock {} was taken over by two runs at once", show(file));
          }
        } else if (!fs.rename(aside, file)) {
          LOG.warn("lock {} was taken over by two runs at once", show(file));
        }
      }
      fs.delete(aside, false);
    }

    private void startRefreshing() {
      refresh = scheduler().scheduleWithFixedDelay(new Refresh(this), HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
    }

    void refresh() {
      if (released) {
        return;
      }
      try {
        if (isLocal(fs)) {
          Files.setLastModifiedTime(local(file), FileTime.fromMillis(System.currentTimeMillis()));
        } else {
          fs.setTimes(file, System.currentTimeMillis(), -1);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot refresh the lock {}: {}", show(file), e.toString());
      }
    }

    /** Deletes the lock if it is still this run's. */
    void release() {
      if (reentered || released) {
        return;
      }
      released = true;
      if (refresh != null) {
        refresh.cancel(false);
      }
      HELD.remove(file.toString());
      try {
        Map<String, String> now = read(fs, file);
        if (now != null && token.equals(now.get("token"))) {
          fs.delete(file, false);
        } else {
          LOG.warn("lock {} is no longer this run's (taken over as stale?); left as it is", show(file));
        }
      } catch (IOException e) {
        LOG.warn("cannot release the lock {}: {}", show(file), e.getMessage());
      }
    }
  }

  /** The refresh task of one lock (a named class: the scheduler keeps no lambdas over locks). */
  private static final class Refresh implements Runnable {
    private final Lock lock;

    Refresh(Lock lock) {
      this.lock = lock;
    }

    @Override
    public void run() {
      lock.refresh();
    }
  }

  private static synchronized ScheduledExecutorService scheduler() {
    if (heartbeat == null) {
      heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dvgs-output-lock-refresh");
        t.setDaemon(true);
        return t;
      });
      // A driver stopped by a signal (a scheduler's timeout, a YARN kill) releases its locks, before Hadoop closes
      // its file systems, so that the retry does not wait for the lock to go stale.
      ShutdownHookManager.get().addShutdownHook(OutputDirectory::releaseAll, FileSystem.SHUTDOWN_HOOK_PRIORITY + 1);
    }
    return heartbeat;
  }

  private static void releaseAll() {
    for (Held h : List.copyOf(HELD.values())) {
      h.lock.release();
    }
  }
}
