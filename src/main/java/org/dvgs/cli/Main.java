package org.dvgs.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.SparkException;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.core.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line entry point: {@code dvgs <command>} with the arguments every command takes ({@link Arguments}:
 * {@code --config FILE}, {@code --output DIR} and key overrides, {@code --set key=value} or bare {@code key=value},
 * the {@code dvgs.} prefix optional), dispatched to one {@link Command} per subcommand ({@link #COMMANDS}). Exit status 0 on success; 2 for a bad config or bad input, that is the project's own
 * {@link ConfigValidationException} or {@link InputException} wherever it sits (also inside the {@code SparkException}
 * of a failed job when an executor found the problem), with one line {@code dvgs: <message>}; 1 for anything else,
 * with the stack trace and a one-line summary on the error stream.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** A project error in the text of a Spark job failure: "): CLASS: message" or "Caused by: CLASS: message". */
  private static final Pattern TASK_FAILURE_TEXT = Pattern.compile(
      "(?:^|\\): |\\nCaused by: )(?:" + Pattern.quote(ConfigValidationException.class.getName()) + "|"
          + Pattern.quote(InputException.class.getName()) + "): ([^\\n]*)");

  /** Every command, in the order the usage text lists them. */
  static final List<Command> COMMANDS = List.of(
      new ValueCommand(), new DemoCommand(), new EvaluateCommand(), new ReportCommand(), new BenchCommand(), new UniqueCommand(),
      new BenchUniqueCommand(), new IngestCommand(), new L1000Command(), new ScaleCommand());

  static final String USAGE =
      """
      usage: dvgs <command> [--config FILE] [--output DIR] [--overwrite] [--set key=value]... [key=value]...

      commands:
      """
          + COMMANDS.stream().map(Command::usage).collect(Collectors.joining())
          + """

      --overwrite (= output.overwrite=true) replaces the results of an earlier dvgs run in DIR, keeping its
      checkpoints and every file dvgs did not write; for report, it replaces an existing FILE.html that is not a
      dvgs report. A directory or file dvgs did not write is never replaced.

      Defaults and every key: reference.conf in the jar (src/main/resources/reference.conf).
      """;

  private Main() {}

  public static void main(String[] args) {
    org.dvgs.pipeline.ProcessClock.mainEntered();
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command and returns the exit status (no {@code System.exit}, for tests). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    try {
      Arguments parsed = Arguments.parse(args, 1, USAGE);
      if (parsed.help()) {
        out.print(USAGE);
        return 0;
      }
      return command(args[0]).run(parsed, out);
    } catch (Exception e) {
      // Spark's job failures (SparkException) are checked exceptions thrown undeclared from Scala code: catch them all.
      return failed(e, err);
    }
  }

  /** The command named {@code name}. */
  static Command command(String name) {
    for (Command c : COMMANDS) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new ConfigValidationException("unknown command '" + name + "'\n" + USAGE);
  }

  /**
   * The exit status of a command that threw {@code e}, after writing what the user needs on {@code err}: one line
   * with the message of the project's own config or input error when there is one in {@code e}, else the stack
   * trace and a one-line summary.
   */
  static int failed(Throwable e, PrintStream err) {
    String user = userError(e);
    if (user != null) {
      LOG.debug("user error", e);
      err.println("dvgs: " + user);
      return 2;
    }
    e.printStackTrace(err);
    List<Throwable> chain = causes(e);
    Throwable root = chain.get(chain.size() - 1);
    String summary = firstLine(e.toString()) + (root == e ? "" : "; root cause: " + firstLine(root.toString()));
    err.println("dvgs: internal error, stack trace above: " + summary);
    return 1;
  }

  /**
   * The message of the outermost {@link ConfigValidationException} or {@link InputException} in the cause chain of
   * {@code e}; failing that, of one named in the message of a {@code SparkException} in the chain (Spark sends a
   * task's exception as text only when it cannot serialise it, or the driver cannot deserialise it); else null.
   * The text is matched only where Spark writes a task's exception ("...(TID n) (host executor id): CLASS: message")
   * or a "Caused by: CLASS: message" line of a stack trace, so a message that merely mentions the class does not count.
   */
  static String userError(Throwable e) {
    List<Throwable> chain = causes(e);
    for (Throwable t : chain) {
      if (t instanceof ConfigValidationException || t instanceof InputException) {
        return String.valueOf(t.getMessage());
      }
    }
    for (Throwable t : chain) {
      if (t instanceof SparkException && t.getMessage() != null) {
        Matcher m = TASK_FAILURE_TEXT.matcher(t.getMessage());
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /** {@code e} and its causes, outermost first, each once. */
  private static List<Throwable> causes(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
