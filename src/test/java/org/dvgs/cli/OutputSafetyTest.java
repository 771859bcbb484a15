package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.output.Manifest;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Secrets;
import org.dvgs.testing.ChildDriver;
import org.dvgs.testing.GctxWriter;
import org.dvgs.testing.L1000Fixtures;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing a user wrote is deleted or replaced, whatever the command and flags: every output directory dvgs writes is
 * marked as its own, only marked directories are ever cleaned (and only of what dvgs wrote), two runs never share one
 * output at once, and secrets never reach a manifest.
 */
class OutputSafetyTest {
  static SparkSession spark;
  static Path dir;

  record Result(int status, String out, String err) {}

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("output-safety");
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code value} on the small data set with {@code more} overrides, as {@code --set} arguments. */
  static Result value(String out, String... more) {
    return run(ChildDriver.valueArgs(SmallValuation.overrides(spark, 600, out, more)).toArray(new String[0]));
  }

  /** Every file and folder under {@code root} with its bytes' hash and modification time. */
  static Map<String, String> tree(Path root) {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = root.relativize(p).toString();
        String mtime = Files.getLastModifiedTime(p).toString();
        m.put(rel, Files.isDirectory(p) ? "dir " + mtime : Arrays.hashCode(Files.readAllBytes(p)) + " " + mtime);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  static Path userFolder(String name) throws IOException {
    Path victim = Files.createDirectories(dir.resolve(name));
    Files.writeString(victim.resolve("important.txt"), "my thesis, chapter 3");
    Files.createDirectories(victim.resolve("sub"));
    Files.writeString(victim.resolve("sub/data.csv"), "a,b\n1,2\n");
    // Older than the test, so that a rewrite would show in the modification time.
    Files.setLastModifiedTime(victim.resolve("important.txt"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    return victim;
  }

  @Test
  void demoRefusesAFolderItDidNotWriteAndLeavesItAsItWas() throws IOException {
    Path victim = userFolder("victim");
    Map<String, String> before = tree(victim);
    for (String[] extra : List.of(new String[0], new String[] {"--overwrite"}, new String[] {"output.overwrite=true"})) {
      List<String> args = new ArrayList<>(List.of("demo", "--output", victim.toString()));
      args.addAll(List.of(extra));
      Result r = run(args.toArray(new String[0]));
      assertEquals(2, r.status(), "demo into a user's folder " + Arrays.toString(extra) + ": " + r.err());
      assertTrue(r.err().contains(victim.toString()) && r.err().contains("important.txt") && r.err().contains("sub/"), r.err());
      assertEquals(before, tree(victim), "the user's folder changed");
    }
  }

  @Test
  void demoRunTwiceOnItsOwnOutputReplacesOnlyItsOwnResults() throws IOException {
    Path out = dir.resolve("demo-twice");
    String[] small = {"demo.source-rows=300", "demo.target-rows=200", "training.epochs=2", "model.hidden=[16]"};
    List<String> args = new ArrayList<>(List.of("demo", "--output", out.toString()));
    args.addAll(List.of(small));
    Result first = run(args.toArray(new String[0]));
    assertEquals(0, first.status(), first.err());
    assertTrue(Files.isRegularFile(out.resolve(OutputDirectory.MARKER)), "the demo marks its output");
    Files.createDirectories(out.resolve("_notes"));
    Files.writeString(out.resolve("_notes/todo.txt"), "look at the low values");
    Files.writeString(out.resolve("mine.txt"), "mine");
    Map<String, String> notes = tree(out.resolve("_notes"));

    Result second = run(args.toArray(new String[0]));
    assertEquals(0, second.status(), "the README's first command, run twice: " + second.err());
    assertEquals(notes, tree(out.resolve("_notes")), "a user's _ folder inside the output survives the re-run");
    assertEquals("mine", Files.readString(out.resolve("mine.txt")));
    assertEquals(300L, spark.read().parquet(out.resolve("values").toString()).count());

    // Another command's output is not the demo's to replace without overwrite.
    Path other = dir.resolve("value-then-demo");
    assertEquals(0, value(other.toString()).status());
    List<String> onOther = new ArrayList<>(List.of("demo", "--output", other.toString()));
    onOther.addAll(List.of(small));
    Result refused = run(onOther.toArray(new String[0]));
    assertEquals(2, refused.status(), refused.err());
    assertTrue(refused.err().contains("dvgs.output.overwrite = true"), refused.err());
    assertTrue(Files.exists(other.resolve("manifest.json")));
  }

  @Test
  void overwriteOnTheFolderHoldingTheInputsIsRefusedAndTheInputsStay() {
    Path inputs = dir.resolve("inputs");
    String source = SyntheticData.write(spark, SyntheticData.classification(3, "s", 300, 3, 8, 1.2, 0.2), inputs.resolve("source").toString(), 2);
    String target = SyntheticData.write(spark, SyntheticData.classification(3, "t", 200, 3, 8, 1.2, 0.0), inputs.resolve("target").toString(), 1);
    Map<String, String> before = tree(inputs);
    Result r = value(inputs.toString(), "input.source.path=" + source, "input.target.path=" + target, "output.overwrite=true");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains(inputs.toString()) && r.err().contains("source/"), r.err());
    assertEquals(before, tree(inputs), "the input tables changed");
  }

  @Test
  void ingestWithOverwriteIntoAUserFolderIsRefused() throws IOException {
    Path victim = userFolder("ingest-victim");
    Map<String, String> before = tree(victim);
    for (String overwrite : List.of("output.overwrite=true", "--overwrite")) {
      Result r = run("ingest", "--input", L1000Fixtures.path("test_n5x10.gctx").toString(), "--output", victim.toString(), overwrite);
      assertEquals(2, r.status(), r.err());
      assertTrue(r.err().contains(victim.toString()) && r.err().contains("important.txt"), r.err());
      assertEquals(before, tree(victim));
    }
  }

  @Test
  void aFailedIngestLeavesNothingThatBlocksItsRerun() throws IOException {
    byte[] all = Files.readAllBytes(L1000Fixtures.path("test_n5x10.gctx"));
    Path trunc = dir.resolve("trunc.gctx");
    Files.write(trunc, Arrays.copyOf(all, all.length - 200));
    Path out = dir.resolve("ingest-rerun");
    // The matrix fails to read on an executor, while the signatures table is being written.
    Result failed = run("ingest", "--input", trunc.toString(), "--output", out.toString());
    assertEquals(2, failed.status(), failed.err());
    assertFalse(Files.exists(out.resolve("signatures")), "no half-written table");
    assertFalse(Files.exists(out.resolve("manifest.json")));

    // Duplicate ids are found after the table is written (staged): nothing is committed either.
    Path dup = new GctxWriter(new float[][] {{1}, {2}}, new String[] {"g"}, new String[] {"x", "x"}).write(dir.resolve("dup.gctx"));
    Result dupFailed = run("ingest", "--input", dup.toString(), "--output", out.toString());
    assertEquals(2, dupFailed.status(), dupFailed.err());
    assertTrue(dupFailed.err().contains("not unique"), dupFailed.err());
    assertFalse(Files.exists(out.resolve("signatures")), "no table from the failed run");

    // The fixed input on the same output, without overwrite: the table of an ingest into a fresh folder.
    String good = L1000Fixtures.path("test_n5x10.gctx").toString();
    Result ok = run("ingest", "--input", good, "--output", out.toString());
    assertEquals(0, ok.status(), "re-run after a failed ingest: " + ok.err());
    Path fresh = dir.resolve("ingest-fresh");
    assertEquals(0, run("ingest", "--input", good, "--output", fresh.toString()).status());
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> a = spark.read().parquet(out.resolve("signatures").toString());
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> b = spark.read().parquet(fresh.resolve("signatures").toString());
    assertTrue(a.count() > 0);
    assertEquals(0L, a.exceptAll(b).count() + b.exceptAll(a).count(), "the re-run's table differs from a fresh ingest");
    assertFalse(Files.exists(out.resolve("_staging")));
  }

  @Test
  void aPlainFileAsOutputIsAnErrorAndStays() throws IOException {
    Path file = dir.resolve("results.txt");
    Files.writeString(file, "not a folder");
    FileTime mtime = Files.getLastModifiedTime(file);
    for (String overwrite : List.of("output.overwrite=false", "output.overwrite=true")) {
      Result r = value(file.toString(), overwrite);
      assertEquals(2, r.status(), r.err());
      assertTrue(r.err().contains(file.toString()) && r.err().contains("is a file"), r.err());
      assertEquals("not a folder", Files.readString(file));
      assertEquals(mtime, Files.getLastModifiedTime(file));
    }
  }

  @Test
  void overwriteReplacesOnlyWhatDvgsWrote() throws IOException {
    Path out = dir.resolve("own-output");
    assertEquals(0, value(out.toString()).status());
    Files.createDirectories(out.resolve("_notes"));
    Files.writeString(out.resolve("_notes/n.txt"), "notes");
    Files.writeString(out.resolve("_mine.txt"), "mine");
    Files.writeString(out.resolve("README.md"), "what this run was for");
    Map<String, String> notes = tree(out.resolve("_notes"));
    Result again = value(out.toString(), "output.overwrite=true");
    assertEquals(0, again.status(), again.err());
    assertEquals(notes, tree(out.resolve("_notes")), "a user's _notes folder survives overwrite");
    assertEquals("mine", Files.readString(out.resolve("_mine.txt")));
    assertEquals("what this run was for", Files.readString(out.resolve("README.md")));
    assertEquals(600L, spark.read().parquet(out.resolve("values").toString()).count());

    // Without overwrite a complete output is refused; the user's files do not make a failed run's folder foreign.
    Result refused = value(out.toString());
    assertEquals(2, refused.status());
    assertTrue(refused.err().contains("dvgs.output.overwrite = true"), refused.err());

    // An output of an earlier version (a manifest, no marker) is recognised as dvgs's.
    Files.delete(out.resolve(OutputDirectory.MARKER));
    Result legacy = value(out.toString(), "output.overwrite=true");
    assertEquals(0, legacy.status(), legacy.err());
    assertTrue(Files.exists(out.resolve(OutputDirectory.MARKER)));
    assertEquals("mine", Files.readString(out.resolve("_mine.txt")));
  }

  @Test
  void secretsAreRedactedInTheManifest() throws IOException {
    Path out = dir.resolve("secrets");
    String key = "spark.hadoop.fs.s3a.secret.key";
    try {
      Result r = value(out.toString(),
          "spark.conf.\"" + key + "\"=\"SECRET-s3a-42\"",
          "spark.conf.\"spark.hadoop.fs.azure.account.key.acct.blob.core.windows.net\"=\"SECRET-azure-42\"",
          "input.source.options.\"fs.s3a.access.key\"=\"SECRET-akia-42\"",
          "input.target.options.\"jdbc.password\"=\"SECRET-pw-42\"",
          "spark.conf.\"spark.sql.shuffle.partitions\"=\"4\"");
      assertEquals(0, r.status(), r.err());
    } finally {
      for (String k : List.of(key, "spark.hadoop.fs.azure.account.key.acct.blob.core.windows.net")) {
        spark.conf().unset(k);
      }
    }
    String manifest = Files.readString(out.resolve("manifest.json"));
    assertFalse(manifest.contains("SECRET-"), "a secret in the manifest:\n" + manifest);
    Map<?, ?> config = (Map<?, ?>) Manifest.read(spark.sparkContext().hadoopConfiguration(), out.toString()).get("config");
    Map<?, ?> conf = (Map<?, ?>) ((Map<?, ?>) config.get("spark")).get("conf");
    assertEquals(Secrets.REDACTED, conf.get(key));
    assertEquals("4", conf.get("spark.sql.shuffle.partitions"), "other settings are kept");
  }

  @Test
  void secretKeyNames() {
    for (String k : List.of("spark.hadoop.fs.s3a.secret.key", "fs.s3a.access.key", "fs.s3a.session.token", "spark.ssl.keyPassword",
        "fs.azure.account.key.acct.dfs.core.windows.net", "AccountKey", "accessKey", "api-key", "apikey", "client_secret",
        "spark.authenticate.secret", "password", "db.credentials", "fs.gs.auth.service.account.private.key.id")) {
      assertTrue(Secrets.isSecretKey(k), k);
    }
    for (String k : List.of("spark.sql.shuffle.partitions", "header", "sep", "monkey", "id-column", "features", "fs.s3a.endpoint",
        "spark.master", "keyboard")) {
      assertFalse(Secrets.isSecretKey(k), k);
    }
    assertEquals("s3a://AKIA:" + Secrets.REDACTED + "@bucket/x", Secrets.redact("s3a://AKIA:hunter2@bucket/x"));
    // None of dvgs's own settings is taken for a secret: the defaults come through redaction unchanged.
    Object defaults = Manifest.parse(org.dvgs.testing.TestConfigs.of().toJson());
    assertEquals(defaults, Secrets.redact(defaults));
  }

  // ---- locks ------------------------------------------------------------------------------------------------------

  static String host() throws IOException {
    return InetAddress.getLocalHost().getHostName();
  }

  static void writeLock(Path out, String host, long pid, String refresh, Instant started) throws IOException {
    Files.writeString(out.resolve(OutputDirectory.LOCK), String.join("\n",
        "dvgs-lock 1", "token: test-token", "command: value", "host: " + host, "machine: ", "pid: " + pid, "user: someone",
        "application: app-elsewhere/", "started: " + started, "refresh: " + refresh, ""));
  }

  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.pid();
  }

  @Test
  void aSecondRunOnAnOutputInUseIsRefusedNamingTheOwner() throws Exception {
    // Enough work (4,000 rows x 80 snapshots, several seconds) that the first run still holds the output.
    String out = dir.resolve("concurrent").toString();
    List<String> o = SmallValuation.overrides(spark, 4000, out, "model.hidden=[64,64]", "training.epochs=10");
    Path log = dir.resolve("concurrent.log");
    Process first = new ChildDriver().conf("spark.master", "local[2]").start(log, ChildDriver.valueArgs(o));
    try {
      Path lock = Path.of(out, OutputDirectory.LOCK);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!Files.exists(lock)) {
        assertTrue(first.isAlive(), "first run ended before taking its lock; log:\n" + ChildDriver.tail(log));
        assertTrue(System.nanoTime() < deadline, "no lock after 300 s; log:\n" + ChildDriver.tail(log));
        Thread.sleep(20);
      }
      Result second = value(out, "output.overwrite=true");
      assertTrue(first.isAlive(), "the first run ended before the second was tried; the check proves nothing");
      assertEquals(2, second.status(), second.err());
      assertTrue(second.err().contains("is in use by another run") && second.err().contains("pid " + first.pid())
          && second.err().contains("started 20") && second.err().contains(OutputDirectory.LOCK), second.err());

      assertTrue(first.waitFor(600, TimeUnit.SECONDS), "first run did not finish");
      assertEquals(0, first.exitValue(), "the first run was disturbed; log:\n" + ChildDriver.tail(log));
    } finally {
      first.destroyForcibly();
    }
    Map<?, ?> output = (Map<?, ?>) Manifest.read(spark.sparkContext().hadoopConfiguration(), out).get("output");
    assertEquals(4000L, ((Number) output.get("values_rows")).longValue());
    assertEquals(4000L, spark.read().parquet(out + "/values").count());
    assertFalse(Files.exists(Path.of(out, OutputDirectory.LOCK)), "lock released at the end");
    assertFalse(Files.exists(Path.of(out, "_staging")));
  }

  @Test
  void staleLocksAreTakenOverAndLiveOnesOnOtherHostsAreNot() throws Exception {
    Path out = dir.resolve("stale");
    OutputDirectory.prepare(spark.sparkContext().hadoopConfiguration(), out.toString(), false, "value").close();

    // This host, a process that is gone: stale.
    writeLock(out, host(), deadPid(), "60s", Instant.now().minusSeconds(60));
    Result r = value(out.toString());
    assertEquals(0, r.status(), "a dead process's lock blocks the run: " + r.err());
    assertFalse(Files.exists(out.resolve(OutputDirectory.LOCK)));

    // Another host, refreshed a moment ago: held.
    Instant started = Instant.parse("2026-01-02T03:04:05Z");
    writeLock(out, "elsewhere.example.org", 4242, "60s", started);
    Result held = value(out.toString(), "output.overwrite=true");
    assertEquals(2, held.status(), held.err());
    assertTrue(held.err().contains("elsewhere.example.org") && held.err().contains("pid 4242") && held.err().contains(started.toString())
        && held.err().contains("delete " + out.resolve(OutputDirectory.LOCK)), held.err());
    assertTrue(Files.exists(out.resolve("manifest.json")), "nothing removed while the lock is held");

    // Not refreshed for an hour: stale.
    Files.setLastModifiedTime(out.resolve(OutputDirectory.LOCK), FileTime.from(Instant.now().minusSeconds(3600)));
    Result taken = value(out.toString(), "output.overwrite=true");
    assertEquals(0, taken.status(), taken.err());
    assertFalse(Files.exists(out.resolve(OutputDirectory.LOCK)));

    // A holder that cannot refresh its lock (an object store) is never taken over for age.
    writeLock(out, "elsewhere.example.org", 4242, "none", started);
    Files.setLastModifiedTime(out.resolve(OutputDirectory.LOCK), FileTime.from(Instant.now().minusSeconds(3600)));
    Result kept = value(out.toString(), "output.overwrite=true");
    assertEquals(2, kept.status(), kept.err());
    assertTrue(Files.exists(out.resolve(OutputDirectory.LOCK)), "a lock dvgs cannot judge stays");
  }
}
