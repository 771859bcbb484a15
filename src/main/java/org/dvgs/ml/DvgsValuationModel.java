package org.dvgs.ml;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.ScalingMethod;
import org.dvgs.config.TableConfig;
import org.dvgs.config.Task;
import org.dvgs.core.InputException;
import org.dvgs.output.Manifest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.output.ManifestFormatException;
import org.dvgs.output.OutputDirectory;
import org.dvgs.io.Scaler;
import org.dvgs.io.TableReader;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;
import org.dvgs.spark.JobGroups;
import org.dvgs.pipeline.Sessions;
import org.dvgs.pipeline.TrainingStep;
import org.dvgs.scoring.ScoringOptions;
import org.dvgs.scoring.ScoringStage;
import org.dvgs.training.SnapshotStore;

/**
 * A fitted valuation: the network, the scaler and every parameter snapshot of its training. {@link #transform}
 * adds to a source DataFrame each row's {@code value} (the mean similarity of its loss gradient to the target
 * gradient over all snapshots), {@code value_std} (their sample standard deviation; null with one snapshot) and
 * {@code n_checkpoints}, computed on the executors exactly as the {@code value} command computes them.
 *
 * <p>Rows are checked and scaled as the command checks and scales its source. A row that cannot be valued (a
 * missing, NaN or infinite feature, a features vector of the wrong length, a missing label or a label that is not a
 * class index, a null id) is handled by {@link #setHandleInvalid}: {@code error} fails the job naming the row and
 * the reason, {@code skip} drops it, {@code keep} keeps it with a null value and the reason in
 * {@link #rejectReasonCol()}. Either way {@link #summary()} counts it.
 *
 * <p>{@link #write()} saves the model (parameters, network, scaler and snapshots, checksummed) to any Hadoop path;
 * {@link #load} reads it back and gives bit-identical values. Saving claims the directory as a dvgs output: a path
 * that holds anything dvgs did not write is refused, and {@code overwrite()} replaces only an earlier saved model.
 */
public final class DvgsValuationModel extends Model<DvgsValuationModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  /** Format of {@code model.json}. */
  static final String FORMAT = "dvgs-model 1";

  private final String uid;
  private final String configJson;
  private final int width;
  private final int classes;
  private final Scaler scaler;
  private final String fingerprint;
  private final long snapshotsPerRestart;
  private final List<DvgsValuationSummary.Restart> training;
  private final Map<String, Double> timings;
  private final transient List<Snapshot> snapshots;
  private final transient DvgsConfig config;
  private final transient NetworkSpec spec;
  private final transient ScoringOptions options;
  private transient volatile LastTransform last;

  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> idCol;
  private final Param<String> sampleIdCol;
  private final Param<String> valueCol;
  private final Param<String> valueStdCol;
  private final Param<String> checkpointsCol;
  private final Param<String> rejectReasonCol;
  private final Param<String> handleInvalid;
  private final IntParam scoringBatchSize;
  private final IntParam blockMemoryMb;

  /** The counters of the last transform. */
  private record LastTransform(String handleInvalid, LongAccumulator valued, ReasonCounts rejected) {}

  DvgsValuationModel(
      String uid, String configJson, int width, int classes, Scaler scaler, String fingerprint, long snapshotsPerRestart,
      List<DvgsValuationSummary.Restart> training, Map<String, Double> timings, List<Snapshot> snapshots) {
    this.uid = uid;
    this.configJson = configJson;
    this.width = width;
    this.classes = classes;
    this.scaler = scaler;
    this.fingerprint = fingerprint;
    this.snapshotsPerRestart = snapshotsPerRestart;
    this.training = List.copyOf(training);
    this.timings = Map.copyOf(timings);
    this.snapshots = List.copyOf(snapshots);
    this.config = configOf(configJson);
    this.spec = NetworkSpec.of(config.model(), width, Math.max(classes, 0));
    this.options = TrainingStep.scoringOptions(config, spec);
    featuresCol = new Param<>(this, "featuresCol", "features column: an ML vector, array<float> or array<double>");
    labelCol = new Param<>(this, "labelCol", "label column (class index for a classifier, a number for a regressor; not read for an autoencoder)");
    idCol = new Param<>(this, "idCol", "sample id column; empty = generated row ids");
    sampleIdCol = new Param<>(this, "sampleIdCol", "output column of the generated row ids when idCol is empty");
    valueCol = new Param<>(this, "valueCol", "output column: mean similarity over all snapshots");
    valueStdCol = new Param<>(this, "valueStdCol", "output column: sample standard deviation of the similarities");
    checkpointsCol = new Param<>(this, "checkpointsCol", "output column: number of similarities averaged");
    rejectReasonCol = new Param<>(this, "rejectReasonCol", "output column with handleInvalid = keep: why a row has no value");
    handleInvalid = new Param<>(this, "handleInvalid", "invalid rows: error (fail naming the row), skip (drop), keep (null value and a reason)",
        ParamValidators.inArray(new String[] {"error", "skip", "keep"}));
    scoringBatchSize = new IntParam(this, "scoringBatchSize", "source rows per scoring batch", ParamValidators.gtEq(1));
    blockMemoryMb = new IntParam(this, "blockMemoryMb", "memory budget of one broadcast block of snapshots, in MiB", ParamValidators.gtEq(1));
    setDefault(featuresCol, "features");
    setDefault(labelCol, "label");
    setDefault(idCol, "");
    setDefault(sampleIdCol, "sample_id");
    setDefault(valueCol, "value");
    setDefault(valueStdCol, "value_std");
    setDefault(checkpointsCol, "n_checkpoints");
    setDefault(rejectReasonCol, "reject_reason");
    setDefault(handleInvalid, "error");
    setDefault(scoringBatchSize, config.scoring().batchSize());
    setDefault(blockMemoryMb, config.scoring().blockMemoryMb());
  }

  private static DvgsConfig configOf(String json) {
    return DvgsConfig.fromUser(ConfigFactory.parseString(json).atKey(DvgsConfig.ROOT));
  }

  /** This model's unique id (kept by save and load). */
  @Override
  public String uid() {
    return uid;
  }

  // ---- parameters -------------------------------------------------------------------------------------------------

  /** The features column (default {@code features}): an ML vector, {@code array<float>} or {@code array<double>}. */
  public Param<String> featuresCol() {
    return featuresCol;
  }

  /** The label column (default {@code label}); not read for an autoencoder. */
  public Param<String> labelCol() {
    return labelCol;
  }

  /** The sample id column (default empty: rows get the ids the {@code value} command generates). */
  public Param<String> idCol() {
    return idCol;
  }

  /** The column of generated row ids, added when {@link #idCol()} is empty (default {@code sample_id}). */
  public Param<String> sampleIdCol() {
    return sampleIdCol;
  }

  /** The output column of values (default {@code value}). */
  public Param<String> valueCol() {
    return valueCol;
  }

  /** The output column of the values' standard deviations (default {@code value_std}). */
  public Param<String> valueStdCol() {
    return valueStdCol;
  }

  /** The output column of the number of similarities averaged (default {@code n_checkpoints}). */
  public Param<String> checkpointsCol() {
    return checkpointsCol;
  }

  /** The output column of reject reasons, added with {@code handleInvalid = keep} (default {@code reject_reason}). */
  public Param<String> rejectReasonCol() {
    return rejectReasonCol;
  }

  /** How rows that cannot be valued are handled: {@code error} (default), {@code skip} or {@code keep}. */
  public Param<String> handleInvalid() {
    return handleInvalid;
  }

  /** Source rows scored in one engine call (default {@code dvgs.scoring.batch-size}); values do not depend on it. */
  public IntParam scoringBatchSize() {
    return scoringBatchSize;
  }

  /**
   * Memory budget of one broadcast block of snapshots, in MiB (default {@code dvgs.scoring.block-memory-mb}): the
   * snapshots are scored in as many blocks as it takes, as the {@code value} command scores them; values do not
   * depend on it.
   */
  public IntParam blockMemoryMb() {
    return blockMemoryMb;
  }

  /** Sets {@link #blockMemoryMb()}. */
  public DvgsValuationModel setBlockMemoryMb(int value) {
    return (DvgsValuationModel) set(blockMemoryMb, value);
  }

  /** The block memory budget, in MiB. */
  public int getBlockMemoryMb() {
    return (Integer) $(blockMemoryMb);
  }

  /** Sets {@link #featuresCol()}. */
  public DvgsValuationModel setFeaturesCol(String value) {
    return (DvgsValuationModel) set(featuresCol, value);
  }

  /** Sets {@link #labelCol()}. */
  public DvgsValuationModel setLabelCol(String value) {
    return (DvgsValuationModel) set(labelCol, value);
  }

  /** Sets {@link #idCol()}; null or empty for generated ids. */
  public DvgsValuationModel setIdCol(String value) {
    return (DvgsValuationModel) set(idCol, value == null ? "" : value);
  }

  /** Sets {@link #sampleIdCol()}. */
  public DvgsValuationModel setSampleIdCol(String value) {
    return (DvgsValuationModel) set(sampleIdCol, value);
  }

  /** Sets {@link #valueCol()}. */
  public DvgsValuationModel setValueCol(String value) {
    return (DvgsValuationModel) set(valueCol, value);
  }

  /** Sets {@link #valueStdCol()}. */
  public DvgsValuationModel setValueStdCol(String value) {
    return (DvgsValuationModel) set(valueStdCol, value);
  }

  /** Sets {@link #checkpointsCol()}. */
  public DvgsValuationModel setCheckpointsCol(String value) {
    return (DvgsValuationModel) set(checkpointsCol, value);
  }

  /** Sets {@link #rejectReasonCol()}. */
  public DvgsValuationModel setRejectReasonCol(String value) {
    return (DvgsValuationModel) set(rejectReasonCol, value);
  }

  /** Sets {@link #handleInvalid()}: {@code error}, {@code skip} or {@code keep}. */
  public DvgsValuationModel setHandleInvalid(String value) {
    return (DvgsValuationModel) set(handleInvalid, value);
  }

  /** Sets {@link #scoringBatchSize()}. */
  public DvgsValuationModel setScoringBatchSize(int value) {
    return (DvgsValuationModel) set(scoringBatchSize, value);
  }

  /** The features column. */
  public String getFeaturesCol() {
    return $(featuresCol);
  }

  /** The label column. */
  public String getLabelCol() {
    return $(labelCol);
  }

  /** The id column ("" for generated ids). */
  public String getIdCol() {
    return $(idCol);
  }

  /** The generated id column. */
  public String getSampleIdCol() {
    return $(sampleIdCol);
  }

  /** The value column. */
  public String getValueCol() {
    return $(valueCol);
  }

  /** The standard deviation column. */
  public String getValueStdCol() {
    return $(valueStdCol);
  }

  /** The checkpoint count column. */
  public String getCheckpointsCol() {
    return $(checkpointsCol);
  }

  /** The reject reason column. */
  public String getRejectReasonCol() {
    return $(rejectReasonCol);
  }

  /** The handling of invalid rows. */
  public String getHandleInvalid() {
    return $(handleInvalid);
  }

  /** Rows per scoring batch. */
  public int getScoringBatchSize() {
    return (Integer) $(scoringBatchSize);
  }

  // ---- what the model holds ---------------------------------------------------------------------------------------

  /** The network the snapshots belong to (input width, hidden widths, output width). */
  public int[] networkWidths() {
    return spec.widths();
  }

  /** The effective {@code dvgs} configuration the model was trained with. */
  public DvgsConfig dvgsConfig() {
    return config;
  }

  /** The training fingerprint. */
  public String fingerprint() {
    return fingerprint;
  }

  /** The fitted scaler's method ({@code dvgs.input.scaling.method}). */
  public ScalingMethod scaling() {
    return scaler.method();
  }

  /** Training restarts, snapshots, losses and timings, and the rows of the last transform (null before one). */
  public DvgsValuationSummary summary() {
    LastTransform l = last;
    DvgsValuationSummary.TransformCounts counts = null;
    if (l != null) {
      Map<String, Long> byReason = l.rejected().value();
      long rejected = 0;
      for (long n : byReason.values()) {
        rejected += n;
      }
      counts = new DvgsValuationSummary.TransformCounts(l.handleInvalid(), l.valued().value(), rejected, byReason);
    }
    return new DvgsValuationSummary(config.training().restarts(), snapshots.size(), fingerprint, training, timings, counts);
  }

  // ---- transform --------------------------------------------------------------------------------------------------

  private boolean needLabel() {
    return config.model().task() != Task.AUTOENCODER;
  }

  private TableConfig table() {
    return ApiRows.table(config.input().source(), getFeaturesCol(), getLabelCol(), getIdCol(), needLabel());
  }

  /**
   * Checks the source schema: the features column exists and holds an ML vector or an array of numbers, the label
   * (except for an autoencoder) and id columns exist with usable types, and no output column exists yet. A problem
   * is an {@link InputException} naming the column and the columns there are.
   *
   * @return the schema with the output columns added
   */
  @Override
  public StructType transformSchema(StructType schema) {
    ApiRows.resolve(schema, table(), needLabel(), "source DataFrame");
    return outputSchema(schema);
  }

  private StructType outputSchema(StructType schema) {
    List<String> names = new ArrayList<>(List.of(schema.fieldNames()));
    List<StructField> add = new ArrayList<>();
    if (getIdCol().isEmpty()) {
      add.add(DataTypes.createStructField(getSampleIdCol(), DataTypes.StringType, false));
    }
    boolean keep = getHandleInvalid().equals("keep");
    add.add(DataTypes.createStructField(getValueCol(), DataTypes.DoubleType, keep));
    add.add(DataTypes.createStructField(getValueStdCol(), DataTypes.DoubleType, true));
    add.add(DataTypes.createStructField(getCheckpointsCol(), DataTypes.IntegerType, keep));
    if (keep) {
      add.add(DataTypes.createStructField(getRejectReasonCol(), DataTypes.StringType, true));
    }
    StructType out = schema;
    for (StructField f : add) {
      if (names.contains(f.name())) {
        throw new InputException("source DataFrame already has a column '" + f.name() + "', which the valuation would add;"
            + " rename it or choose another output column name (columns: " + names + ")");
      }
      names.add(f.name());
      out = out.add(f);
    }
    return out;
  }

  /**
   * Values every row of {@code source}: returns {@code source}'s columns plus the output columns (and, without an id
   * column, the generated ids), computed on the executors; nothing is collected to the driver.
   *
   * <p>Scoring goes through the {@code value} command's outer loop ({@link ScoringStage}): the snapshots are split
   * into blocks that fit {@link #blockMemoryMb()}, each block is broadcast once, and each row's statistics are summed
   * over the blocks in snapshot order. The last block is scored lazily, by the stage that emits the rows, so:
   * <ul>
   *   <li>when every snapshot fits one block (the usual case), {@code transform} runs no scoring job: the result is
   *       one {@code mapPartitions} stage of the caller's job, computed when an action runs;
   *   <li>with several blocks, {@code transform} runs one Spark job per block but the last, eagerly, before it
   *       returns (a bad row with {@code handleInvalid = error} then fails {@code transform} itself). The source rows,
   *       checked, scaled and packed, and their running statistics are persisted at {@code dvgs.scoring.storage-level}
   *       for as long as the returned DataFrame is referenced (Spark's cleaner releases them after it is gone); the
   *       last block is scored when an action computes the result.
   * </ul>
   * Without an id column, a Parquet-scan source first counts its rows per file (one small job) to number its rows as
   * the command does.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> source) {
    @SuppressWarnings("unchecked")
    Dataset<Row> df = (Dataset<Row>) source.toDF();
    StructType out = transformSchema(df.schema());
    SparkSession spark = df.sparkSession();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JobGroups saved = JobGroups.save(jsc);
    try {
      jsc.setJobGroup("dvgs-transform", "dvgs: numbering the source rows", false);
      ApiRows.Prepared p = ApiRows.prepare(df, table(), needLabel(), "source DataFrame");
      Map<String, Long> offsets = TableReader.fileOffsets(p.frame(), p.plan());
      LongAccumulator valued = spark.sparkContext().longAccumulator("dvgs rows valued");
      ReasonCounts rejected = new ReasonCounts();
      spark.sparkContext().register(rejected, "dvgs rows rejected");
      last = new LastTransform(getHandleInvalid(), valued, rejected);
      int threads = Sessions.threadsPerTask(jsc.getConf(), config.scoring().intraOpThreads());
      ScoreRows.Settings settings = new ScoreRows.Settings(
          p.plan(), offsets, p.userColumns(), getIdCol().isEmpty(), scaler, width, classes, spec, options, config.device(), threads,
          getScoringBatchSize(), getHandleInvalid(), "source DataFrame");
      long budget = (long) getBlockMemoryMb() << 20;
      StorageLevel level = StorageLevel.fromString(config.scoring().storageLevel());
      JavaRDD<ScoreRows.Chunk> chunks = p.frame().javaRDD().mapPartitionsWithIndex(new ScoreRows.Pack(settings), true);
      if (ScoringStage.blocks(spec, options, snapshots.size(), budget) > 1) {
        // Every block's job reads the packed rows again, and the last pass zips them with the statistics by position.
        chunks = chunks.persist(level);
      }
      ScoringStage.Pending pending = ScoringStage.runAllButLast(
          jsc, chunks.map(new ScoreRows.BatchOf()), -1, spec, options, snapshots.iterator(), snapshots.size(), budget,
          config.device(), threads, level, config.aggregation(), config.training().learningRate());
      ScoreRows.Emit emit = new ScoreRows.Emit(settings, pending, valued, rejected);
      JavaRDD<Row> rows = pending.stats() == null ? chunks.mapPartitions(emit, true) : pending.stats().zipPartitions(chunks, emit);
      return spark.createDataFrame(rows, out);
    } finally {
      saved.restore();
    }
  }

  /** A copy sharing the snapshots, with {@code extra}'s parameter values on top of this model's. */
  @Override
  public DvgsValuationModel copy(ParamMap extra) {
    DvgsValuationModel m = new DvgsValuationModel(uid, configJson, width, classes, scaler, fingerprint, snapshotsPerRestart, training, timings, snapshots);
    return copyValues(m, extra).setParent(parent());
  }

  // ---- persistence ------------------------------------------------------------------------------------------------

  /** A writer saving this model; {@code overwrite()} replaces only a model dvgs saved at that path before. */
  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** The reader of saved models ({@code DvgsValuationModel.read().load(path)}; also used by {@code PipelineModel.load}). */
  public static MLReader<DvgsValuationModel> read() {
    return new Reader();
  }

  /** Loads a model saved with {@link #write()}: its values are bit-identical to the saved model's. */
  public static DvgsValuationModel load(String path) {
    return read().load(path);
  }

  private int classGradients() {
    return options.withinClass() ? spec.numClasses() : 0;
  }

  @SuppressWarnings("unchecked")
  private ModelFile describe() {
    List<ModelFile.Restart> restarts = new ArrayList<>();
    for (DvgsValuationSummary.Restart r : training) {
      restarts.add(ModelFile.Restart.of(r));
    }
    return new ModelFile(FORMAT, spec.toString(), width, classes, fingerprint, snapshotsPerRestart, snapshots.size(),
        new ModelFile.ScalerBits(scaler.method().name(), ModelFile.ScalerBits.of(scaler.shift()), ModelFile.ScalerBits.of(scaler.scale())),
        restarts, timings, (Map<String, Object>) Manifest.parse(configJson));
  }

  /** Saves metadata (Spark's format, so that pipelines load the stage), {@code model.json} and the snapshots. */
  private static final class Writer extends MLWriter {
    private final DvgsValuationModel model;

    Writer(DvgsValuationModel model) {
      this.model = model;
    }

    @Override
    public void save(String path) throws IOException {
      // Spark's own writer deletes whatever is at the path on overwrite; dvgs claims it as its output instead, so
      // that only a model it saved there is ever replaced.
      Configuration hadoop = sparkSession().sparkContext().hadoopConfiguration();
      OutputDirectory.Replace replace = shouldOverwrite() ? OutputDirectory.Replace.SAME_COMMAND : OutputDirectory.Replace.NONE;
      try (OutputDirectory.Claim claim = OutputDirectory.prepare(hadoop, path, "model", replace, sparkSession().sparkContext().applicationId(), List.of())) {
        saveImpl(path);
      }
    }

    @Override
    public void saveImpl(String path) {
      SparkSession spark = sparkSession();
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      DefaultParamsWriter.saveMetadata(model, path, spark);
      Path json = new Path(path, "model.json");
      try {
        FileSystem fs = json.getFileSystem(hadoop);
        try (FSDataOutputStream out = fs.create(json, false)) {
          out.write(ManifestCodec.toJson(model.describe()).getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
      }
      // The snapshots are written as training wrote them: with Adam's preconditioner weights when the model scores in
      // that metric (snapshot format 4), so that the loaded model scores exactly as this one.
      SnapshotStore store = new SnapshotStore(hadoop, new Path(path, "snapshots").toString(), model.fingerprint, model.spec,
          model.classGradients(), model.options.preconditioned(), model.snapshotsPerRestart);
      Iterator<Snapshot> it = model.snapshots.iterator();
      Snapshot pending = it.hasNext() ? it.next() : null;
      for (int r = 0; r < model.config.training().restarts(); r++) {
        try (SnapshotStore.Writer w = store.writer(r)) {
          while (pending != null && pending.restart() == r) {
            w.accept(pending);
            pending = it.hasNext() ? it.next() : null;
          }
          w.commit();
        }
      }
    }
  }

  /** Loads a saved model, checking its snapshots' checksums. */
  private static final class Reader extends MLReader<DvgsValuationModel> {
    @Override
    public DvgsValuationModel load(String path) {
      SparkSession spark = sparkSession();
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, spark, DvgsValuationModel.class.getName());
      Path json = new Path(path, "model.json");
      ModelFile m;
      try {
        FileSystem fs = json.getFileSystem(hadoop);
        try (FSDataInputStream in = fs.open(json)) {
          m = ManifestCodec.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), ModelFile.class);
        }
      } catch (IOException e) {
        throw new InputException("cannot read the saved model " + path + ": " + e.getMessage(), e);
      } catch (ManifestFormatException e) {
        throw new InputException(json + ": " + e.getMessage(), e);
      }
      if (!FORMAT.equals(m.format())) {
        throw new InputException(json + " is not a dvgs model (format " + m.format() + ", expected " + FORMAT + ")");
      }
      String configJson = Manifest.toJson(m.config());
      ModelFile.ScalerBits sc = m.scaler();
      Scaler scaler = new Scaler(ScalingMethod.valueOf(sc.method()), ModelFile.ScalerBits.floats(sc.shiftBits()), ModelFile.ScalerBits.floats(sc.scaleBits()));
      List<DvgsValuationSummary.Restart> training = new ArrayList<>();
      for (ModelFile.Restart r : m.training()) {
        training.add(r.toSummary());
      }
      Map<String, Double> timings = m.timings();
      int width = m.width();
      int classes = m.classes();
      String fingerprint = m.fingerprint();
      long perRestart = m.snapshotsPerRestart();
      DvgsConfig cfg = configOf(configJson);
      NetworkSpec spec = NetworkSpec.of(cfg.model(), width, Math.max(classes, 0));
      if (!spec.toString().equals(m.network())) {
        throw new InputException(json + ": network " + m.network() + " does not match its configuration (" + spec + ")");
      }
      ScoringOptions options = TrainingStep.scoringOptions(cfg, spec);
      SnapshotStore store = new SnapshotStore(hadoop, new Path(path, "snapshots").toString(), fingerprint, spec,
          options.withinClass() ? spec.numClasses() : 0, options.preconditioned(), perRestart);
      List<Snapshot> snaps = new ArrayList<>();
      try {
        store.readAll(cfg.training().restarts()).forEachRemaining(snaps::add);
      } catch (UncheckedIOException e) {
        throw new InputException("the saved model " + path + " cannot be used: " + e.getMessage(), e);
      }
      long expected = m.snapshots();
      if (snaps.size() != expected) {
        throw new InputException("the saved model " + path + " holds " + snaps.size() + " snapshots, its model.json " + expected);
      }
      DvgsValuationModel model = new DvgsValuationModel(meta.uid(), configJson, width, classes, scaler, fingerprint, perRestart, training, timings, snaps);
      meta.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }

  /** Refuses a configuration the API cannot honour (checked when fitting and loading). */
  static void checkApiConfig(DvgsConfig cfg) {
    if (!cfg.input().target().featureColumns().isEmpty() || !cfg.input().source().featureColumns().isEmpty()) {
      throw new ConfigValidationException("dvgs.input.*.features.columns lists feature columns; the Spark ML API reads one features"
          + " column (setFeaturesCol): assemble the columns with a VectorAssembler");
    }
    if (cfg.aggregation().combine() != org.dvgs.config.ValueCombine.NONE) {
      // Its ranks span the whole source table; a transform stage values the rows it is given, so it would silently
      // give plain similarities instead.
      throw new ConfigValidationException("dvgs.aggregation.combine = " + org.dvgs.config.Keys.kebab(cfg.aggregation().combine())
          + " ranks over the whole value table and is not supported by the Spark ML API: use `dvgs value`, or none");
    }
  }

  static String newUid() {
    return Identifiable.randomUID("dvgsValuationModel");
  }
}
