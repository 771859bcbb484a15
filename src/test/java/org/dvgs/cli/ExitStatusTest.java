package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.dvgs.baselines.UtilityModel;
import org.dvgs.config.ActivationKind;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DeviceKind;
import org.dvgs.config.OptimizerKind;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.evaluation.Corruption;
import org.dvgs.core.DenseRows;
import org.dvgs.l1000.GctxFile;
import org.dvgs.core.InputException;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.scoring.FaultInjection;
import org.dvgs.uniqueness.KroneckerProjection;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.testing.ChildDriver;
import org.dvgs.testing.L1000Fixtures;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.dvgs.training.TargetTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit status 2 and one line {@code dvgs: <message>} only for the project's own config and input errors, wherever
 * they sit (thrown on the driver, or by an executor task inside Spark's job failure, as an object or only as text);
 * every other failure exits 1 with its stack trace and a one-line summary.
 */
class ExitStatusTest {
  @TempDir Path dir;

  record Failure(int status, List<String> lines, String text) {}

  static Failure failed(Throwable e) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.failed(e, new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = err.toString(StandardCharsets.UTF_8);
    return new Failure(status, text.lines().toList(), text);
  }

  static Failure run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = err.toString(StandardCharsets.UTF_8);
    return new Failure(status, text.lines().toList(), text);
  }

  static void assertInternal(Failure f, String exception, String frame) {
    assertEquals(1, f.status(), f.text());
    assertTrue(f.lines().get(0).startsWith(exception), "the stack trace comes first: " + f.text());
    assertTrue(f.text().contains("\tat " + frame), "the stack trace names " + frame + ": " + f.text());
    String last = f.lines().get(f.lines().size() - 1);
    assertTrue(last.startsWith("dvgs: internal error") && last.contains(exception), "a one-line summary last: " + last);
  }

  @Test
  void internalIllegalArgumentAndIllegalStateExitOneWithTheStackTrace() {
    // Real invariants of the code, not user errors: the project's own config and input errors have their own types.
    IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> new DenseRows(new float[3], new float[1], 2, 2));
    assertInternal(failed(iae), "java.lang.IllegalArgumentException: features/labels do not match 2 x 2", "org.dvgs.core.DenseRows.<init>");
    IllegalStateException ise = assertThrows(IllegalStateException.class, () -> Corruption.labels(1, 0, 0.1).truth());
    assertInternal(failed(ise), "java.lang.IllegalStateException: apply() has not run", "org.dvgs.evaluation.Corruption.truth");
    NullPointerException npe = assertThrows(NullPointerException.class, () -> new DenseRows(null, new float[0], 0, 0));
    assertInternal(failed(npe), "java.lang.NullPointerException", "org.dvgs.core.DenseRows.<init>");
  }

  /** The user's config or input problems the code once reported as IllegalArgumentException or IllegalStateException. */
  @Test
  void userErrorsFoundDuringARunAreTheProjectsOwn() {
    NetworkSpec spec = new NetworkSpec(Task.CLASSIFIER, new int[] {4, 8, 2}, ActivationKind.RELU, 0.0, false, 2);
    assertUserError(() -> ScoringOptions.layerMask(List.of(0, 5), spec.layers()), "dvgs.scoring.layers lists layer 5 but the network has 2");
    assertUserError(() -> new KroneckerProjection(1, spec, 3, 16), "dvgs.unique.last-layers = 3 but the network has 2");
    // A learning rate that makes the target loss overflow at once.
    TrainingConfig huge = new TrainingConfig(OptimizerKind.SGD, 1e30, 0, 0, 8, 3, 1, 1, "", 0);
    DenseRows target = new DenseRows(new float[] {1, 2, 3, 4, -1, -2, -3, -4, 5, 6, 7, 8, -5, -6, -7, -8, 1, 0, 1, 0, 0, 1, 0, 1,
        2, 2, 2, 2, -2, -2, -2, -2}, new float[] {0, 1, 0, 1, 0, 1, 0, 1}, 8, 4);
    assertUserError(() -> new TargetTrainer(spec, huge, false, 1, Device.cpu()).fit(0, target), "lower dvgs.training.learning-rate");
    // Leave-one-out's R^2 utility on a target whose labels are all one value.
    BaselinesConfig.Utility utility = TestConfigs.of("model.task=regressor").evaluation().baselines().utility();
    DenseRows constant = new DenseRows(new float[] {1, 2, 3, 4}, new float[] {7, 7, 7, 7}, 4, 1);
    assertUserError(() -> UtilityModel.of(constant, constant, Task.REGRESSOR, 0, utility), "the target labels are all 7.0");
    if (Engines.pytorch().getGpuCount() == 0) {
      assertUserError(() -> Engines.device(DeviceKind.GPU, -1), "dvgs.device = gpu but the PyTorch engine sees no GPU");
    }
  }

  static void assertUserError(org.junit.jupiter.api.function.Executable work, String message) {
    RuntimeException e = assertThrows(RuntimeException.class, work);
    assertTrue(e instanceof ConfigValidationException || e instanceof InputException, "the project's own error: " + e);
    Failure f = failed(e);
    assertEquals(2, f.status(), f.text());
    assertEquals(1, f.lines().size(), f.text());
    assertTrue(f.lines().get(0).contains(message), f.text());
  }

  /** Throws the project's input error from inside an executor task, for the row with value 3. */
  static final class BadRow implements Function<Integer, Integer> {
    private static final long serialVersionUID = 1L;
    private final boolean unserialisableCause;

    BadRow(boolean unserialisableCause) {
      this.unserialisableCause = unserialisableCause;
    }

    @Override
    public Integer call(Integer v) {
      if (v == 3) {
        String m = "source table s.csv, line 4: the row is bad";
        throw unserialisableCause ? new InputException(m, new Unserialisable()) : new InputException(m);
      }
      return v;
    }
  }

  /** A cause Java serialisation refuses (a field that is not Serializable): Spark then sends the failure as text. */
  static final class Unserialisable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    @SuppressWarnings({"unused", "serial"})
    private final Object lock = new Object();
  }

  /** Throws an internal error whose message only mentions the input error's class name. */
  static final class Mentions implements Function<Integer, Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer call(Integer v) {
      throw new IllegalStateException("not a user error, though it quotes org.dvgs.core.InputException: something");
    }
  }

  static Throwable jobFailure(Function<Integer, Integer> f) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    Exception e = assertThrows(Exception.class, () -> jsc.parallelize(List.of(1, 2, 3, 4), 2).map(f).count());
    assertTrue(e instanceof SparkException, "a Spark job failure: " + e);
    return e;
  }

  @Test
  void anInputErrorFromAnExecutorTaskExitsTwoWithOneLine() {
    Throwable e = jobFailure(new BadRow(false));
    assertTrue(e.getCause() instanceof InputException, "the task's exception arrives as the cause: " + e);
    Failure f = failed(e);
    assertEquals(2, f.status(), f.text());
    assertEquals(List.of("dvgs: source table s.csv, line 4: the row is bad"), f.lines());
  }

  @Test
  void anInputErrorThatArrivesOnlyAsTextExitsTwoWithOneLine() {
    Throwable e = jobFailure(new BadRow(true));
    assertNull(e.getCause(), "Spark could not serialise the task's exception, so only its text arrived: " + e);
    assertTrue(e.getMessage().contains("): org.dvgs.core.InputException: source table s.csv"), e.getMessage());
    Failure f = failed(e);
    assertEquals(2, f.status(), f.text());
    assertEquals(List.of("dvgs: source table s.csv, line 4: the row is bad"), f.lines());
  }

  @Test
  void aTaskFailureThatOnlyQuotesTheClassNameIsInternal() {
    Throwable e = jobFailure(new Mentions());
    assertNull(Main.userError(e));
    assertInternal(failed(e), "org.apache.spark.SparkException: Job aborted", "org.dvgs.cli.ExitStatusTest$Mentions.call");
  }

  @Test
  void aSparkSettingSparkRefusesIsAConfigError() {
    SharedSpark.get();
    Failure f = run("value", "--output", dir.resolve("out").toString(), "input.source.path=" + dir.resolve("none"),
        "spark.conf.\"spark.sql.shuffle.partitions\"=abc");
    assertEquals(2, f.status(), f.text());
    assertEquals(1, f.lines().size(), f.text());
    assertTrue(f.lines().get(0).startsWith("dvgs: Spark refused a setting") && f.lines().get(0).contains("spark.sql.shuffle.partitions"), f.text());
  }

  @Test
  void configAndInputErrorsAnywhereInTheChainExitTwo() {
    ConfigValidationException c = new ConfigValidationException("dvgs.training.epochs must be > 0");
    assertEquals(List.of("dvgs: dvgs.training.epochs must be > 0"), failed(new IllegalStateException("worker failed", c)).lines());
    assertEquals(2, failed(new RuntimeException(new RuntimeException(new InputException("target table t is empty")))).status());
  }

  /**
   * The reproduction: a copy of the real 25x50 CMap fixture with one flipped bit in the signature of the
   * matrix's chunk index ("B tree V1 node signature not matched" when the matrix is read). The driver now finds it
   * when it checks the matrix's stored size at open; either way the user gets one line naming file and dataset.
   */
  @Test
  void aCorruptGctxExitsTwoWithOneLineNamingFileAndDataset() throws Exception {
    SharedSpark.get();
    Path bad = L1000Fixtures.flippedChunkIndex(dir.resolve("flipped-index.gctx"));
    Failure f = run("ingest", "--input", bad.toString(), "--output", dir.resolve("out-flipped").toString());
    assertEquals(2, f.status(), f.text());
    assertEquals(1, f.lines().size(), f.text());
    String line = f.lines().get(0);
    assertTrue(line.startsWith("dvgs: ") && line.contains(bad.toString()) && line.contains("/0/DATA/0/matrix"), line);
  }

  /**
   * Damage only an executor can find: the matrix's compressed chunk has a broken zlib header, so the file opens and
   * every index and metadata dataset reads on the driver, and only decompressing the matrix on an executor fails,
   * inside Spark's "Job aborted" failure.
   */
  @Test
  void aCorruptGctxFoundByAnExecutorExitsTwoWithOneLineNamingFileAndDataset() throws Exception {
    SharedSpark.get();
    Path bad = L1000Fixtures.brokenMatrixChunk(dir.resolve("broken-chunk.gctx"));
    Failure f = run("ingest", "--input", bad.toString(), "--output", dir.resolve("out-chunk").toString());
    assertEquals(2, f.status(), f.text());
    assertEquals(1, f.lines().size(), f.text());
    String line = f.lines().get(0);
    assertTrue(line.startsWith("dvgs: ") && line.contains(bad.toString()) && line.contains("/0/DATA/0/matrix"), line);
  }

  @Test
  void aFailedSparkJobOfARealRunExitsOneWithTheStackTrace() {
    // Every aggregation task of the run fails (the fault drill in "always" mode, as a job property of this thread):
    // a Spark failure, not the user's config or input.
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    List<String> o = SmallValuation.overrides(SharedSpark.get(), 300, dir.resolve("out").toString(), "training.epochs=1", "training.restarts=1");
    Failure f;
    jsc.setLocalProperty(FaultInjection.PROPERTY_PREFIX + "aggregation", "always");
    try {
      f = run(ChildDriver.valueArgs(o).toArray(new String[0]));
    } finally {
      jsc.setLocalProperty(FaultInjection.PROPERTY_PREFIX + "aggregation", null);
    }
    assertInternal(f, "org.apache.spark.SparkException: Job aborted due to stage failure", "org.dvgs.scoring.FaultInjection.maybeFail");
    assertTrue(f.lines().get(f.lines().size() - 1).contains("root cause: org.dvgs.scoring.FaultInjection$InjectedFault: injected fault"), f.text());
  }
}
