package org.dvgs.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.InputConfig;
import org.dvgs.config.ModelConfig;
import org.dvgs.config.ScalingFit;
import org.dvgs.config.SplitMode;
import org.dvgs.config.TableConfig;
import org.dvgs.config.Task;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.core.InputException;
import org.dvgs.core.Mix;
import org.dvgs.output.InputCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Reads the source and target, validates them, fits and applies the scaler. The target is small and trusted: any
 * bad target row is an error naming it. Source rows that cannot be valued are kept aside with a reason, so that
 * rows read = rows valued + rows rejected.
 */
public final class InputLoader {
  private static final Logger LOG = LoggerFactory.getLogger(InputLoader.class);

  /**
   * A driver-side change of the valid source rows (experiments sample and corrupt here): {@link #apply} runs before
   * the scaler is fitted, {@link #afterScaling} on the scaled rows.
   */
  public interface SourceTransform {
    JavaRDD<CanonicalRow> apply(JavaRDD<CanonicalRow> validSource, int numClasses);

    /** Changes the scaled source rows (feature noise is added on the model's scale); identity by default. */
    default JavaRDD<CanonicalRow> afterScaling(JavaRDD<CanonicalRow> scaledSource) {
      return scaledSource;
    }
  }

  private InputLoader() {}

  /**
   * Loads the inputs.
   *
   * @param minTargetRows the target must have at least this many valid rows (the training batch size)
   * @param transform optional change of the valid source rows, or null
   */
  public static LoadedInputs load(SparkSession spark, InputConfig in, ModelConfig model, long seed, int minTargetRows, SourceTransform transform) {
    return prepare(read(spark, in, model, seed, minTargetRows), in, transform);
  }

  /**
   * Validated inputs before any experiment transform and scaling; the checked source is persisted so that
   * several runs (experiment seeds) can share one read.
   *
   * @param targetRows the target rows, all valid
   * @param source every source row, rejected ones carrying their reason (persisted)
   * @param width feature width
   * @param numClasses classes (classifier), else 0
   * @param needLabel whether the task uses labels
   * @param featureNames feature column names, or null for an array/vector column
   * @param counts row counts for the manifest
   */
  public record RawInputs(
      List<CanonicalRow> targetRows,
      JavaRDD<CanonicalRow> source,
      int width,
      int numClasses,
      boolean needLabel,
      List<String> featureNames,
      InputCounts counts) {

    /** Releases the persisted source. */
    public void release() {
      source.unpersist(false);
    }
  }

  /**
   * Reads and validates the target and source (errors for bad target rows, reasons for bad source rows). An input
   * error an executor finds (a malformed line with {@code mode = FAILFAST}) is thrown as the same
   * {@link InputException}, with the job failure as its cause.
   */
  public static RawInputs read(SparkSession spark, InputConfig in, ModelConfig model, long seed, int minTargetRows) {
    try {
      return readInputs(spark, in, model, seed, minTargetRows);
    } catch (Exception e) {
      throw InputException.rethrow(e);
    }
  }

  private static RawInputs readInputs(SparkSession spark, InputConfig in, ModelConfig model, long seed, int minTargetRows) {
    in.requirePaths();
    // A small CSV table is parsed once; its parsed lines are let go once the checked rows are kept (below).
    Dataset<Row> sourceTable = TableReader.readHeld(spark, in.source(), "source");
    try {
      return readInputs(spark, in, model, seed, minTargetRows, sourceTable);
    } finally {
      TableReader.release(sourceTable);
    }
  }

  private static RawInputs readInputs(SparkSession spark, InputConfig in, ModelConfig model, long seed, int minTargetRows, Dataset<Row> sourceTable) {
    boolean needLabel = model.task() != Task.AUTOENCODER;
    Dataset<Row> sourceDf = sourceTable;
    List<String> extraExcluded = in.splitMode() == SplitMode.COLUMN ? List.of(in.splitColumn()) : List.of();
    String sourceName = "source table " + in.source().path();
    Dataset<Row> heldOutDf = null;
    if (in.splitMode() == SplitMode.GROUP_BALANCED) {
      // The held-out test rows leave here (they are checked and counted below, once the target has set the feature
      // width); the target/source split then works as a split by column.
      Dataset<Row> split = BalancedSplit.assign(sourceDf, in.source().idColumn(), in.balanced(), seed, sourceName);
      heldOutDf = split.filter(split.col(BalancedSplit.COLUMN).equalTo(BalancedSplit.TEST));
      sourceDf = split.filter(split.col(BalancedSplit.COLUMN).notEqual(BalancedSplit.TEST));
      extraExcluded = List.of(BalancedSplit.COLUMN, in.balanced().groupColumn());
    }
    ColumnPlan sourcePlan = ColumnPlan.resolve(sourceName, sourceDf.schema(), in.source(), extraExcluded, needLabel);
    if (in.splitMode() == SplitMode.COLUMN) {
      sourcePlan.withSplitColumn(sourceDf.schema(), in.splitColumn(), in.splitTargetValue());
    } else if (in.splitMode() == SplitMode.GROUP_BALANCED) {
      sourcePlan.withSplitColumn(sourceDf.schema(), BalancedSplit.COLUMN, BalancedSplit.TARGET);
    }
    JavaRDD<CanonicalRow> all = TableReader.canonical(sourceDf, sourcePlan);
    if (in.splitMode() != SplitMode.NONE) {
      // One table feeds both the target and the source: read and convert it once.
      all.persist(StorageLevel.MEMORY_AND_DISK());
    }

    List<CanonicalRow> targetRows;
    JavaRDD<CanonicalRow> source;
    String targetName;
    switch (in.splitMode()) {
      case NONE -> {
        Dataset<Row> targetDf = TableReader.readHeld(spark, in.target(), "target");
        try {
          targetName = "target table " + in.target().path();
          ColumnPlan targetPlan = ColumnPlan.resolve(targetName, targetDf.schema(), in.target(), List.of(), needLabel);
          if (sourcePlan.featureNames() != null && targetPlan.featureNames() != null
              && !sourcePlan.featureNames().equals(targetPlan.featureNames())) {
            throw new InputException(
                "feature columns differ between " + sourceName + " " + Printable.names(sourcePlan.featureNames()) + " and " + targetName + " "
                    + Printable.names(targetPlan.featureNames()));
          }
          targetRows = TableReader.canonical(targetDf, targetPlan).collect();
        } finally {
          TableReader.release(targetDf);
        }
        source = all;
      }
      case FRACTION -> {
        targetName = "target split (fraction " + in.splitFraction() + " of " + sourceName + ")";
        double f = in.splitFraction();
        source = all.filter(new InFraction(seed, f, false));
        targetRows = all.filter(new InFraction(seed, f, true)).collect();
      }
      case COLUMN -> {
        targetName = "target split (" + in.splitColumn() + " = '" + in.splitTargetValue() + "' in " + sourceName + ")";
        source = all.filter(InputLoader::isSourceRow);
        targetRows = all.filter(CanonicalRow::target).collect();
      }
      case GROUP_BALANCED -> {
        targetName = "target sample (" + in.balanced().targetSize() + " rows balanced by " + in.balanced().groupColumn() + " in " + sourceName + ")";
        source = all.filter(InputLoader::isSourceRow);
        targetRows = all.filter(CanonicalRow::target).collect();
      }
      default -> throw new IllegalStateException();
    }

    TargetShape shape = checkTarget(targetRows, targetName, model, minTargetRows);
    int width = shape.width();
    int classes = shape.classes();

    final int w = width;
    final int c = classes;
    JavaRDD<CanonicalRow> checked = source.map(new Check(w, c)).persist(StorageLevel.MEMORY_AND_DISK());
    RowCounts sourceCounts = countRows(checked);
    long read = sourceCounts.read();
    if (read == 0) {
      // An empty value table would look like a run that valued nothing wrong; most likely the path or the split
      // is not what the user meant.
      throw new InputException(
          sourceName + " has no rows to value" + (in.splitMode() == SplitMode.NONE ? " (a header only, or no rows at all)" : " once the target rows are taken out"));
    }
    if (sourcePlan.hasIdColumn()) {
      // Generated ids are row positions in the table, unique by construction: checking them would be two Spark
      // jobs (a shuffle) that can never find anything.
      checkDuplicates(checked, sourceName);
    }
    Map<String, Long> byReason = sourceCounts.rejectedByReason();
    long rejected = sourceCounts.rejected();
    InputCounts counts;
    if (heldOutDf != null) {
      // Held-out rows are checked like source rows, so that invalid ones are counted (and left out of the test set).
      RowCounts test = countRows(TableReader.canonical(heldOutDf, sourcePlan).map(new Check(w, c)));
      counts = new InputCounts(read, rejected, read - rejected, byReason, targetRows.size(), targetRows.size(),
          test.read(), test.read(), test.valid(), test.rejected(), test.rejectedByReason());
    } else {
      counts = new InputCounts(read, rejected, read - rejected, byReason, targetRows.size(), targetRows.size(), null, null, null, null, null);
    }
    all.unpersist(false);
    LOG.info("{}: {} rows read, {} rejected {}; target {} rows; width {}", sourceName, read, rejected, byReason, targetRows.size(), width);
    return new RawInputs(List.copyOf(targetRows), checked, width, Math.max(classes, 0), needLabel, sourcePlan.featureNames(), counts);
  }

  /**
   * The feature width and classes a target defines.
   *
   * @param width features per row
   * @param classes classes (classifier), 0 (regressor) or -1 (no label: autoencoder), as {@link ColumnPlan#check}
   *     takes them
   */
  public record TargetShape(int width, int classes) {
    /** Classes for the network: the classifier's classes, else 0. */
    public int numClasses() {
      return Math.max(classes, 0);
    }
  }

  /**
   * Checks the target rows as every command and the Spark ML API do: the target is small and trusted, so an empty
   * target, any bad or duplicate row, a classifier target of one class, or fewer rows than one training batch is an
   * error naming the target (and the row).
   *
   * @param targetName the target, for messages
   * @param minTargetRows the training batch size
   */
  public static TargetShape checkTarget(List<CanonicalRow> targetRows, String targetName, ModelConfig model, int minTargetRows) {
    // The target defines the feature width and the classes; every target row must be good.
    if (targetRows.isEmpty()) {
      throw new InputException(targetName + " is empty");
    }
    for (CanonicalRow r : targetRows) {
      if (!r.valid()) {
        throw new InputException(targetName + ", sample " + r.id() + ": " + r.reason());
      }
    }
    int width = targetRows.get(0).features().length;
    int classes = -1;
    if (model.task() == Task.CLASSIFIER) {
      double maxLabel = 0;
      for (CanonicalRow r : targetRows) {
        maxLabel = Math.max(maxLabel, r.label());
      }
      classes = model.numClasses() > 0 ? model.numClasses() : (int) maxLabel + 1;
      if (classes < 2) {
        throw new InputException(targetName + ": labels hold a single class (" + (int) maxLabel + "); a classifier needs at least 2 (or set dvgs.model.num-classes)");
      }
    } else if (model.task() == Task.REGRESSOR) {
      classes = 0;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (CanonicalRow r : targetRows) {
      CanonicalRow c = ColumnPlan.check(r, width, classes);
      if (!c.valid()) {
        throw new InputException(targetName + ", sample " + r.id() + ": " + c.reason());
      }
      if (!seen.add(r.id())) {
        throw new InputException(targetName + ": duplicate sample id '" + r.id() + "'");
      }
    }
    if (targetRows.size() < minTargetRows) {
      throw new InputException(
          targetName + " has " + targetRows.size() + " rows, fewer than one training batch (dvgs.training.batch-size = "
              + minTargetRows + "); lower the batch size or add target rows");
    }
    return new TargetShape(width, classes);
  }

  /**
   * Counts checked rows in one pass: read, valid, rejected and rejected per reason category, so that
   * read = valid + rejected.
   */
  public static RowCounts countRows(JavaRDD<CanonicalRow> rows) {
    Map<String, Long> byCategory = rows.map(InputLoader::categoryOrValid).countByValue();
    Map<String, Long> byReason = new TreeMap<>();
    long valid = 0;
    long rejected = 0;
    for (Map.Entry<String, Long> e : byCategory.entrySet()) {
      if (e.getKey().isEmpty()) {
        valid += e.getValue();
      } else {
        byReason.put(e.getKey(), e.getValue());
        rejected += e.getValue();
      }
    }
    return new RowCounts(valid + rejected, valid, rejected, byReason);
  }

  /**
   * Rows of one input read and checked.
   *
   * @param read rows read
   * @param valid valid rows
   * @param rejected invalid rows
   * @param rejectedByReason invalid rows per reason, by reason
   */
  public record RowCounts(long read, long valid, long rejected, Map<String, Long> rejectedByReason) {}

  /** Applies the experiment transform (if any), fits the scaler and scales target and source. */
  public static LoadedInputs prepare(RawInputs raw, InputConfig in, SourceTransform transform) {
    List<CanonicalRow> targetRows = raw.targetRows();
    int width = raw.width();
    boolean needLabel = raw.needLabel();
    JavaRDD<CanonicalRow> valid = raw.source().filter(CanonicalRow::valid);
    JavaRDD<CanonicalRow> rejects = raw.source().filter(InputLoader::isRejected);
    int numClasses = raw.numClasses();
    if (transform != null) {
      valid = transform.apply(valid, numClasses);
    }

    Scaler scaler = fitScaler(in, width, targetRows, valid);
    JavaRDD<CanonicalRow> scaled = valid.map(new Scale(scaler));
    if (transform != null) {
      scaled = transform.afterScaling(scaled);
    }
    return new LoadedInputs(
        denseTarget(targetRows, scaler, width, needLabel), scaled, rejects, width, numClasses, scaler, raw.counts());
  }

  /**
   * Fits the scaler as configured ({@code dvgs.input.scaling}): on the target rows, and with {@code fit-on =
   * target-and-source} also on the valid source rows (exact sums, so the result does not depend on partitioning).
   *
   * @param validSource the valid source rows, or null when only the target is at hand (then {@code fit-on} must be
   *     {@code target} or the method {@code none})
   */
  public static Scaler fitScaler(InputConfig in, int width, List<CanonicalRow> targetRows, JavaRDD<CanonicalRow> validSource) {
    Scaler.Stats stats = new Scaler.Stats(width);
    for (CanonicalRow r : targetRows) {
      stats.add(r.features());
    }
    if (in.scalingFit() == ScalingFit.TARGET_AND_SOURCE && in.scaling() != org.dvgs.config.ScalingMethod.NONE) {
      if (validSource == null) {
        throw new org.dvgs.config.ConfigValidationException(
            "dvgs.input.scaling.fit-on = target-and-source fits the scaler on the source as well, but no source was given;"
                + " pass the source too or set dvgs.input.scaling.fit-on = target");
      }
      Scaler.Stats srcStats = validSource.aggregate(new Scaler.Stats(width), InputLoader::addStats, Scaler.Stats::merge);
      stats.merge(srcStats);
    }
    return Scaler.fit(in.scaling(), stats);
  }

  /** The scaled target as dense arrays (labels 0 when the task has none). */
  public static DenseRows denseTarget(List<CanonicalRow> targetRows, Scaler scaler, int width, boolean needLabel) {
    float[] tx = new float[targetRows.size() * width];
    float[] ty = new float[targetRows.size()];
    for (int i = 0; i < targetRows.size(); i++) {
      CanonicalRow r = targetRows.get(i);
      System.arraycopy(scaler.apply(r.features()), 0, tx, i * width, width);
      ty[i] = needLabel ? (float) r.label() : 0f;
    }
    return new DenseRows(tx, ty, targetRows.size(), width);
  }

  /** Checks rows against a target's feature width and classes on the executors (bad rows keep their reason). */
  public static JavaRDD<CanonicalRow> check(JavaRDD<CanonicalRow> rows, TargetShape shape) {
    return rows.map(new Check(shape.width(), shape.classes()));
  }

  /**
   * Reads a further table with the source's columns (for example a held-out test set) and checks every row against
   * the feature width and classes of {@code raw}; rows that fail keep their reason (filter with
   * {@link CanonicalRow#valid()}).
   */
  public static JavaRDD<CanonicalRow> readLike(SparkSession spark, RawInputs raw, TableConfig table, String role) {
    Dataset<Row> df = TableReader.read(spark, table, role);
    String name = role + " table " + table.path();
    ColumnPlan plan = ColumnPlan.resolve(name, df.schema(), table, List.of(), raw.needLabel());
    if (raw.featureNames() != null && plan.featureNames() != null && !raw.featureNames().equals(plan.featureNames())) {
      throw new InputException("feature columns of " + name + " " + Printable.names(plan.featureNames()) + " differ from the source's " + Printable.names(raw.featureNames()));
    }
    return TableReader.canonical(df, plan).map(new Check(raw.width(), raw.needLabel() ? raw.numClasses() : -1));
  }

  /** Applies a fitted scaler to rows on the executors. */
  public static JavaRDD<CanonicalRow> scale(JavaRDD<CanonicalRow> rows, Scaler scaler) {
    return rows.map(new Scale(scaler));
  }

  private static void checkDuplicates(JavaRDD<CanonicalRow> rows, String name) {
    List<Tuple2<String, Integer>> dups =
        rows.mapToPair(InputLoader::idOne).reduceByKey(Integer::sum).filter(InputLoader::repeated).take(5);
    if (!dups.isEmpty()) {
      List<String> ids = new ArrayList<>();
      for (Tuple2<String, Integer> t : dups) {
        ids.add("'" + t._1() + "' (" + t._2() + " rows)");
      }
      throw new InputException(name + ": duplicate sample ids " + ids + "; sample ids must be unique (or leave id-column empty for generated ids)");
    }
  }

  // Executor functions: named and static so that no closure captures more than it states.

  private static boolean isSourceRow(CanonicalRow r) {
    return !r.target();
  }

  private static boolean isRejected(CanonicalRow r) {
    return !r.valid();
  }

  /** A rejected row's reason category; "" for a valid row. */
  private static String categoryOrValid(CanonicalRow r) {
    return r.valid() ? "" : CanonicalRow.category(r.reason());
  }

  private static Scaler.Stats addStats(Scaler.Stats s, CanonicalRow r) {
    return s.add(r.features());
  }

  private static Tuple2<String, Integer> idOne(CanonicalRow r) {
    return new Tuple2<>(r.id(), 1);
  }

  private static boolean repeated(Tuple2<String, Integer> t) {
    return t._2() > 1;
  }

  /** Target rows of a fraction split: a seeded hash of the sample id below the fraction. */
  private static final class InFraction implements org.apache.spark.api.java.function.Function<CanonicalRow, Boolean> {
    private static final long serialVersionUID = 1L;
    private final long seed;
    private final double fraction;
    private final boolean target;

    InFraction(long seed, double fraction, boolean target) {
      this.seed = seed;
      this.fraction = fraction;
      this.target = target;
    }

    @Override
    public Boolean call(CanonicalRow r) {
      return (Mix.unit(Mix.mix(seed, Mix.hash(r.id()))) < fraction) == target;
    }
  }

  /** Checks a row against the target's feature width and classes. */
  private static final class Check implements org.apache.spark.api.java.function.Function<CanonicalRow, CanonicalRow> {
    private static final long serialVersionUID = 1L;
    private final int width;
    private final int classes;

    Check(int width, int classes) {
      this.width = width;
      this.classes = classes;
    }

    @Override
    public CanonicalRow call(CanonicalRow r) {
      return ColumnPlan.check(r, width, classes);
    }
  }

  /** Applies the fitted scaler. */
  private static final class Scale implements org.apache.spark.api.java.function.Function<CanonicalRow, CanonicalRow> {
    private static final long serialVersionUID = 1L;
    private final Scaler scaler;

    Scale(Scaler scaler) {
      this.scaler = scaler;
    }

    @Override
    public CanonicalRow call(CanonicalRow r) {
      return r.withFeatures(scaler.apply(r.features()));
    }
  }
}
