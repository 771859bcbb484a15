package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Command-line errors end with status 2 and a message naming the problem, before any Spark work starts. */
class MainTest {
  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpAndUsage() {
    Result r = run("--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("evaluate"));
    assertEquals(2, run().status());
  }

  @Test
  void everyCommandHasItsEntryInTheUsageAndIsDispatchedByItsName() {
    java.util.Set<String> names = new java.util.HashSet<>();
    int last = -1;
    for (Command c : Main.COMMANDS) {
      assertTrue(names.add(c.name()), "one command per name: " + c.name());
      assertTrue(c.usage().startsWith("  " + c.name() + " ") && c.usage().endsWith("\n"), c.usage());
      int at = Main.USAGE.indexOf(c.usage());
      assertTrue(at > last, c.name() + " in the usage, in order");
      last = at;
      assertEquals(c, Main.command(c.name()));
      // --help after any command prints the whole usage.
      Result r = run(c.name(), "--help");
      assertEquals(0, r.status());
      assertEquals(Main.USAGE, r.out());
    }
    assertEquals(java.util.Set.of("value", "demo", "evaluate", "report", "bench", "unique", "bench-unique", "ingest", "l1000", "scale"), names);
  }

  @Test
  void unknownCommandAndArgument() {
    Result r = run("valu");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("unknown command 'valu'"), r.err());
    Result a = run("value", "--confg", "x");
    assertEquals(2, a.status());
    assertTrue(a.err().contains("--confg"), a.err());
  }

  @Test
  void configErrorsNameTheKey() {
    Result r = run("value", "--output", "/tmp/x", "training.epoch=3");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("dvgs.training.epoch"), r.err());
    Result t = run("value", "--output", "/tmp/x", "training.snapshot-every=0");
    assertEquals(2, t.status());
    assertTrue(t.err().contains("dvgs.training.snapshot-every must be > 0"), t.err());
    Result f = run("value", "--config", "/nonexistent/run.conf");
    assertEquals(2, f.status());
    assertTrue(f.err().contains("/nonexistent/run.conf"), f.err());
  }

  @Test
  void pathsThatDoNotParseNameTheirKey() {
    // "run:1" reads as scheme "run" with a relative path: Hadoop cannot use it, and the user must hear which key.
    Result o = run("value", "--output", "run:1");
    assertEquals(2, o.status(), o.err());
    assertEquals("dvgs: dvgs.output.path = \"run:1\" is not a valid path or URI: Relative path in absolute URI: run:1", o.err().strip());
    Result s = run("value", "--output", "/tmp/x", "input.source.path=a:b.csv");
    assertEquals(2, s.status(), s.err());
    assertTrue(s.err().startsWith("dvgs: dvgs.input.source.path = \"a:b.csv\""), s.err());
    Result c = run("ingest", "--input", "/data/a.gctx", "--output", "/tmp/x", "training.checkpoint-dir=x:y");
    assertEquals(2, c.status(), c.err());
    assertTrue(c.err().startsWith("dvgs: dvgs.training.checkpoint-dir = \"x:y\""), c.err());
  }
}
