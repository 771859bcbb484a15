package org.dvgs.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.Keys;
import org.dvgs.config.TableConfig;
import org.dvgs.config.Task;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.io.InputLoader;
import org.dvgs.io.Scaler;
import org.dvgs.io.TableReader;
import org.dvgs.model.Snapshot;
import org.dvgs.spark.JobGroups;
import org.dvgs.pipeline.TrainingStep;

/**
 * Data Valuation with Gradient Similarity as a Spark ML {@link Estimator}: {@link #fit} trains the valuation network
 * on a small trusted target DataFrame on the driver, keeping a parameter snapshot every
 * {@link #setSnapshotEvery snapshot-every} steps, and returns a {@link DvgsValuationModel} that values the rows of any
 * source DataFrame.
 *
 * <p>Every parameter is a {@code dvgs.*} configuration key with its default from {@code reference.conf}; the
 * setters are shortcuts for the common ones and {@link #setConfig} takes all of them at once, validated as the
 * command line validates them. Fitting does what the {@code value} command does with its target: the same row checks
 * (any bad target row is an error naming it), the same scaler ({@code dvgs.input.scaling}), the same training, the
 * same fingerprint and, with a {@link #setCheckpointDir checkpoint directory}, the same snapshot reuse: a model fitted
 * here and a {@code value} run with the same settings and target share their snapshots and give the same values.
 */
public final class DvgsValuation extends Estimator<DvgsValuationModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final DvgsConfig DEFAULTS = DvgsConfig.fromUser(ConfigFactory.empty());

  private final String uid;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> idCol;
  private final Param<String> sampleIdCol;
  private final Param<String> valueCol;
  private final Param<String> valueStdCol;
  private final Param<String> checkpointsCol;
  private final Param<String> rejectReasonCol;
  private final Param<String> handleInvalid;
  private final Param<String> task;
  private final IntParam numClasses;
  private final IntArrayParam hidden;
  private final Param<String> activation;
  private final DoubleParam dropout;
  private final BooleanParam perSampleNorm;
  private final BooleanParam classBalanced;
  private final Param<String> optimizer;
  private final DoubleParam learningRate;
  private final IntParam batchSize;
  private final IntParam epochs;
  private final IntParam restarts;
  private final IntParam snapshotEvery;
  private final Param<String> similarity;
  private final Param<String> preconditioner;
  private final IntParam scoringBatchSize;
  private final LongParam seed;
  private final Param<String> checkpointDir;
  private final Param<String> config;

  /** A parameter that mirrors a configuration key. */
  private record Binding(String key, Param<?> param, Function<DvgsConfig, Object> value) {}

  // Driver-side only (never shipped to executors), so the lambdas need not be serialisable.
  private final transient List<Binding> bindings = new ArrayList<>();

  /** A valuation with a random uid and every parameter at its default. */
  public DvgsValuation() {
    this(Identifiable.randomUID("dvgsValuation"));
  }

  /** A valuation with the given uid (Spark ML copies and loads stages through this constructor). */
  public DvgsValuation(String uid) {
    this.uid = uid;
    featuresCol = new Param<>(this, "featuresCol", "features column: an ML vector, array<float> or array<double>");
    labelCol = new Param<>(this, "labelCol", "label column (class index for a classifier, a number for a regressor; not read for an autoencoder)");
    idCol = new Param<>(this, "idCol", "sample id column; empty = generated row ids, as the value command generates them");
    sampleIdCol = new Param<>(this, "sampleIdCol", "output column of the generated row ids when idCol is empty");
    valueCol = new Param<>(this, "valueCol", "output column: mean similarity over all snapshots");
    valueStdCol = new Param<>(this, "valueStdCol", "output column: sample standard deviation of the similarities");
    checkpointsCol = new Param<>(this, "checkpointsCol", "output column: number of similarities averaged");
    rejectReasonCol = new Param<>(this, "rejectReasonCol", "output column with handleInvalid = keep: why a row has no value");
    handleInvalid = new Param<>(this, "handleInvalid", "invalid source rows: error (fail naming the row), skip (drop), keep (null value and a reason)",
        ParamValidators.inArray(new String[] {"error", "skip", "keep"}));
    task = new Param<>(this, "task", "dvgs.model.task: classifier, regressor or autoencoder",
        ParamValidators.inArray(new String[] {"classifier", "regressor", "autoencoder"}));
    numClasses = new IntParam(this, "numClasses", "dvgs.model.num-classes: classes of a classifier; 0 = max target label + 1");
    hidden = new IntArrayParam(this, "hidden", "dvgs.model.hidden: hidden layer widths");
    activation = new Param<>(this, "activation", "dvgs.model.activation: relu, mish or tanh");
    dropout = new DoubleParam(this, "dropout", "dvgs.model.dropout: dropout probability after each hidden activation");
    perSampleNorm = new BooleanParam(this, "perSampleNorm", "dvgs.model.per-sample-norm: parameter-free per-row normalisation");
    classBalanced = new BooleanParam(this, "classBalanced", "dvgs.model.class-balanced: weight the target loss by inverse class frequency");
    optimizer = new Param<>(this, "optimizer", "dvgs.training.optimizer: adam or sgd");
    learningRate = new DoubleParam(this, "learningRate", "dvgs.training.learning-rate");
    batchSize = new IntParam(this, "batchSize", "dvgs.training.batch-size: target rows per training step");
    epochs = new IntParam(this, "epochs", "dvgs.training.epochs");
    restarts = new IntParam(this, "restarts", "dvgs.training.restarts: independent trainings whose snapshots all count");
    snapshotEvery = new IntParam(this, "snapshotEvery", "dvgs.training.snapshot-every: a snapshot every this many steps");
    similarity = new Param<>(this, "similarity", "dvgs.scoring.similarity: cosine, dot, neg-euclidean or scalar-projection",
        ParamValidators.inArray(new String[] {"cosine", "dot", "neg-euclidean", "scalar-projection"}));
    preconditioner = new Param<>(this, "preconditioner",
        "dvgs.scoring.preconditioner: auto (adam with optimizer adam, else none), none (Euclidean metric) or adam (Adam's diagonal"
            + " preconditioner at each snapshot; needs optimizer adam)",
        ParamValidators.inArray(new String[] {"auto", "none", "adam"}));
    scoringBatchSize = new IntParam(this, "scoringBatchSize", "dvgs.scoring.batch-size: source rows per scoring batch");
    seed = new LongParam(this, "seed", "dvgs.seed: the one seed behind every random choice");
    checkpointDir = new Param<>(this, "checkpointDir", "dvgs.training.checkpoint-dir: where snapshots are kept and reused; empty = a temporary directory");
    config = new Param<>(this, "config", "the whole dvgs configuration (HOCON/JSON of the dvgs section) the other parameters apply to");

    setDefault(featuresCol, "features");
    setDefault(labelCol, "label");
    setDefault(idCol, "");
    setDefault(sampleIdCol, "sample_id");
    setDefault(valueCol, "value");
    setDefault(valueStdCol, "value_std");
    setDefault(checkpointsCol, "n_checkpoints");
    setDefault(rejectReasonCol, "reject_reason");
    setDefault(handleInvalid, "error");
    setDefault(config, "{}");

    bind("input.target.id-column", idCol, c -> c.input().target().idColumn());
    bind("model.task", task, c -> Keys.kebab(c.model().task()));
    bind("model.num-classes", numClasses, c -> c.model().numClasses());
    bind("model.hidden", hidden, c -> c.model().hidden().stream().mapToInt(Integer::intValue).toArray());
    bind("model.activation", activation, c -> Keys.kebab(c.model().activation()));
    bind("model.dropout", dropout, c -> c.model().dropout());
    bind("model.per-sample-norm", perSampleNorm, c -> c.model().perSampleNorm());
    bind("model.class-balanced", classBalanced, c -> c.model().classBalanced());
    bind("training.optimizer", optimizer, c -> Keys.kebab(c.training().optimizer()));
    bind("training.learning-rate", learningRate, c -> c.training().learningRate());
    bind("training.batch-size", batchSize, c -> c.training().batchSize());
    bind("training.epochs", epochs, c -> c.training().epochs());
    bind("training.restarts", restarts, c -> c.training().restarts());
    bind("training.snapshot-every", snapshotEvery, c -> c.training().snapshotEvery());
    bind("training.checkpoint-dir", checkpointDir, c -> c.training().checkpointDir());
    bind("scoring.similarity", similarity, c -> Keys.kebab(c.scoring().similarity()));
    // The setting as written (auto by default), not what it resolved to for the default optimizer: with auto as the
    // default, setting the optimizer to sgd alone gives the Euclidean metric instead of a conflict.
    bind("scoring.preconditioner", preconditioner, c -> c.resolved().getString("scoring.preconditioner"));
    bind("scoring.batch-size", scoringBatchSize, c -> c.scoring().batchSize());
    bind("seed", seed, c -> c.seed());
    for (Binding b : bindings) {
      if (b.param() != idCol) {
        setDefaultUnchecked(b.param(), b.value().apply(DEFAULTS));
      }
    }
  }

  private void bind(String key, Param<?> param, Function<DvgsConfig, Object> value) {
    bindings.add(new Binding(key, param, value));
  }

  @SuppressWarnings("unchecked")
  private void setDefaultUnchecked(Param<?> p, Object v) {
    setDefault((Param<Object>) p, v);
  }

  @SuppressWarnings("unchecked")
  private void setUnchecked(Param<?> p, Object v) {
    set((Param<Object>) p, v);
  }

  /** This estimator's unique id. */
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

  /** The model's column of generated ids, added when {@link #idCol()} is empty (default {@code sample_id}). */
  public Param<String> sampleIdCol() {
    return sampleIdCol;
  }

  /** The model's value column (default {@code value}). */
  public Param<String> valueCol() {
    return valueCol;
  }

  /** The model's standard deviation column (default {@code value_std}). */
  public Param<String> valueStdCol() {
    return valueStdCol;
  }

  /** The model's checkpoint count column (default {@code n_checkpoints}). */
  public Param<String> checkpointsCol() {
    return checkpointsCol;
  }

  /** The model's reject reason column with {@code handleInvalid = keep} (default {@code reject_reason}). */
  public Param<String> rejectReasonCol() {
    return rejectReasonCol;
  }

  /** The model's handling of invalid source rows: {@code error} (default), {@code skip} or {@code keep}. */
  public Param<String> handleInvalid() {
    return handleInvalid;
  }

  /** {@code dvgs.model.task}: {@code classifier}, {@code regressor} or {@code autoencoder}. */
  public Param<String> task() {
    return task;
  }

  /** {@code dvgs.model.num-classes}. */
  public IntParam numClasses() {
    return numClasses;
  }

  /** {@code dvgs.model.hidden}. */
  public IntArrayParam hidden() {
    return hidden;
  }

  /** {@code dvgs.model.activation}. */
  public Param<String> activation() {
    return activation;
  }

  /** {@code dvgs.model.dropout}. */
  public DoubleParam dropout() {
    return dropout;
  }

  /** {@code dvgs.model.per-sample-norm}. */
  public BooleanParam perSampleNorm() {
    return perSampleNorm;
  }

  /** {@code dvgs.model.class-balanced}. */
  public BooleanParam classBalanced() {
    return classBalanced;
  }

  /** {@code dvgs.training.optimizer}. */
  public Param<String> optimizer() {
    return optimizer;
  }

  /** {@code dvgs.training.learning-rate}. */
  public DoubleParam learningRate() {
    return learningRate;
  }

  /** {@code dvgs.training.batch-size}. */
  public IntParam batchSize() {
    return batchSize;
  }

  /** {@code dvgs.training.epochs}. */
  public IntParam epochs() {
    return epochs;
  }

  /** {@code dvgs.training.restarts}. */
  public IntParam restarts() {
    return restarts;
  }

  /** {@code dvgs.training.snapshot-every}. */
  public IntParam snapshotEvery() {
    return snapshotEvery;
  }

  /** {@code dvgs.scoring.similarity}. */
  public Param<String> similarity() {
    return similarity;
  }

  /** {@code dvgs.scoring.preconditioner}. */
  public Param<String> preconditioner() {
    return preconditioner;
  }

  /** {@code dvgs.scoring.batch-size}. */
  public IntParam scoringBatchSize() {
    return scoringBatchSize;
  }

  /** {@code dvgs.seed}. */
  public LongParam seed() {
    return seed;
  }

  /** {@code dvgs.training.checkpoint-dir} (empty: snapshots live in a temporary directory during the fit). */
  public Param<String> checkpointDir() {
    return checkpointDir;
  }

  /** The whole {@code dvgs} section as JSON: every key, including those without a setter of their own. */
  public Param<String> config() {
    return config;
  }

  /** Sets {@link #featuresCol()}. */
  public DvgsValuation setFeaturesCol(String value) {
    return checked(featuresCol, value);
  }

  /** Sets {@link #labelCol()}. */
  public DvgsValuation setLabelCol(String value) {
    return checked(labelCol, value);
  }

  /** Sets {@link #idCol()}; null or empty for generated ids. */
  public DvgsValuation setIdCol(String value) {
    return checked(idCol, value == null ? "" : value);
  }

  /** Sets {@link #sampleIdCol()}. */
  public DvgsValuation setSampleIdCol(String value) {
    return checked(sampleIdCol, value);
  }

  /** Sets {@link #valueCol()}. */
  public DvgsValuation setValueCol(String value) {
    return checked(valueCol, value);
  }

  /** Sets {@link #valueStdCol()}. */
  public DvgsValuation setValueStdCol(String value) {
    return checked(valueStdCol, value);
  }

  /** Sets {@link #checkpointsCol()}. */
  public DvgsValuation setCheckpointsCol(String value) {
    return checked(checkpointsCol, value);
  }

  /** Sets {@link #rejectReasonCol()}. */
  public DvgsValuation setRejectReasonCol(String value) {
    return checked(rejectReasonCol, value);
  }

  /** Sets {@link #handleInvalid()}. */
  public DvgsValuation setHandleInvalid(String value) {
    return checked(handleInvalid, value);
  }

  /** Sets {@link #task()}. */
  public DvgsValuation setTask(String value) {
    return checked(task, value);
  }

  /** Sets {@link #numClasses()}. */
  public DvgsValuation setNumClasses(int value) {
    return checked(numClasses, value);
  }

  /** Sets {@link #hidden()}. */
  public DvgsValuation setHidden(int[] value) {
    return checked(hidden, value.clone());
  }

  /** Sets {@link #activation()}. */
  public DvgsValuation setActivation(String value) {
    return checked(activation, value);
  }

  /** Sets {@link #dropout()}. */
  public DvgsValuation setDropout(double value) {
    return checked(dropout, value);
  }

  /** Sets {@link #perSampleNorm()}. */
  public DvgsValuation setPerSampleNorm(boolean value) {
    return checked(perSampleNorm, value);
  }

  /** Sets {@link #classBalanced()}. */
  public DvgsValuation setClassBalanced(boolean value) {
    return checked(classBalanced, value);
  }

  /** Sets {@link #optimizer()}. */
  public DvgsValuation setOptimizer(String value) {
    return checked(optimizer, value);
  }

  /** Sets {@link #learningRate()}. */
  public DvgsValuation setLearningRate(double value) {
    return checked(learningRate, value);
  }

  /** Sets {@link #batchSize()}. */
  public DvgsValuation setBatchSize(int value) {
    return checked(batchSize, value);
  }

  /** Sets {@link #epochs()}. */
  public DvgsValuation setEpochs(int value) {
    return checked(epochs, value);
  }

  /** Sets {@link #restarts()}. */
  public DvgsValuation setRestarts(int value) {
    return checked(restarts, value);
  }

  /** Sets {@link #snapshotEvery()}. */
  public DvgsValuation setSnapshotEvery(int value) {
    return checked(snapshotEvery, value);
  }

  /** Sets {@link #similarity()}. */
  public DvgsValuation setSimilarity(String value) {
    return checked(similarity, value);
  }

  /**
   * Sets {@link #preconditioner()}: {@code auto} (default) is {@code adam} when the {@link #setOptimizer optimizer}
   * is {@code adam} and {@code none} otherwise; {@code none} compares gradients in the Euclidean metric; {@code adam}
   * in the metric of Adam's diagonal preconditioner {@code 1 / (sqrt(v_hat) + eps)} of the training step each
   * snapshot was taken at. {@code adam} needs {@link #setOptimizer optimizer} {@code adam}: setting either so that
   * {@code adam} meets {@code sgd} throws a {@link org.dvgs.config.ConfigValidationException} naming
   * {@code dvgs.scoring.preconditioner} and leaves the parameter as it was. Its snapshots are kept apart from
   * unpreconditioned ones (their own fingerprint).
   *
   * @param value {@code auto}, {@code none} or {@code adam}
   */
  public DvgsValuation setPreconditioner(String value) {
    return checked(preconditioner, value);
  }

  /** Sets {@link #scoringBatchSize()}. */
  public DvgsValuation setScoringBatchSize(int value) {
    return checked(scoringBatchSize, value);
  }

  /** Sets {@link #seed()}. */
  public DvgsValuation setSeed(long value) {
    return checked(seed, value);
  }

  /** Sets {@link #checkpointDir()}: a local path or Hadoop URI; null or empty for a temporary directory. */
  public DvgsValuation setCheckpointDir(String value) {
    return checked(checkpointDir, value == null ? "" : value);
  }

  /**
   * Sets every {@code dvgs.*} key at once, validated as the command line validates a config file: a key that
   * {@code reference.conf} does not define is an error, and so is a bad value. Keys may sit under a {@code dvgs}
   * root (as in a config file) or without it. The parameters with setters take the values the config sets; the
   * config's input paths, splits and output settings are not read (the DataFrames are the inputs). A setter called
   * later overrides the config's value.
   *
   * @throws ConfigValidationException naming the key
   */
  public DvgsValuation setConfig(Config value) {
    Config user = value.hasPath(DvgsConfig.ROOT) || value.root().containsKey(DvgsConfig.ROOT) ? value : value.atKey(DvgsConfig.ROOT);
    DvgsConfig cfg = DvgsConfig.fromUser(user);
    DvgsValuationModel.checkApiConfig(cfg);
    set(config, cfg.toJson());
    for (Binding b : bindings) {
      if (has(user, DvgsConfig.ROOT + "." + b.key())) {
        setUnchecked(b.param(), b.value().apply(cfg));
      }
    }
    if (has(user, "dvgs.input.target.features.column") && !cfg.input().target().featureColumn().isEmpty()) {
      set(featuresCol, cfg.input().target().featureColumn());
    }
    if (has(user, "dvgs.input.target.label-column") && !cfg.input().target().labelColumn().isEmpty()) {
      set(labelCol, cfg.input().target().labelColumn());
    }
    return this;
  }

  private static boolean has(Config c, String path) {
    try {
      return c.hasPathOrNull(path);
    } catch (ConfigException e) {
      return false;
    }
  }

  /** Sets a parameter and checks the configuration it gives; a bad value is refused and the old one kept. */
  private <T> DvgsValuation checked(Param<T> p, T value) {
    scala.Option<T> old = get(p);
    set(p, value);
    try {
      dvgsConfig();
    } catch (RuntimeException e) {
      if (old.isDefined()) {
        set(p, old.get());
      } else {
        clear(p);
      }
      throw e;
    }
    return this;
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

  /** The handling of invalid source rows. */
  public String getHandleInvalid() {
    return $(handleInvalid);
  }

  /** The task. */
  public String getTask() {
    return $(task);
  }

  /** Classes of a classifier (0 = from the target labels). */
  public int getNumClasses() {
    return (Integer) $(numClasses);
  }

  /** Hidden layer widths. */
  public int[] getHidden() {
    return $(hidden).clone();
  }

  /** The hidden activation. */
  public String getActivation() {
    return $(activation);
  }

  /** The dropout probability. */
  public double getDropout() {
    return (Double) $(dropout);
  }

  /** Whether hidden pre-activations are normalised per row. */
  public boolean getPerSampleNorm() {
    return (Boolean) $(perSampleNorm);
  }

  /** Whether the target loss is class balanced. */
  public boolean getClassBalanced() {
    return (Boolean) $(classBalanced);
  }

  /** The optimizer. */
  public String getOptimizer() {
    return $(optimizer);
  }

  /** The learning rate. */
  public double getLearningRate() {
    return (Double) $(learningRate);
  }

  /** Target rows per training step. */
  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  /** Training epochs. */
  public int getEpochs() {
    return (Integer) $(epochs);
  }

  /** Training restarts. */
  public int getRestarts() {
    return (Integer) $(restarts);
  }

  /** Steps between snapshots. */
  public int getSnapshotEvery() {
    return (Integer) $(snapshotEvery);
  }

  /** The similarity measure. */
  public String getSimilarity() {
    return $(similarity);
  }

  /** The metric of the similarity: {@code none} or {@code adam}. */
  public String getPreconditioner() {
    return $(preconditioner);
  }

  /** Source rows per scoring batch. */
  public int getScoringBatchSize() {
    return (Integer) $(scoringBatchSize);
  }

  /** The seed. */
  public long getSeed() {
    return (Long) $(seed);
  }

  /** The checkpoint directory ("" for a temporary one). */
  public String getCheckpointDir() {
    return $(checkpointDir);
  }

  /**
   * The effective configuration: {@link #setConfig}'s keys (or the defaults), with every parameter's value on top,
   * validated as a config file is.
   *
   * @throws ConfigValidationException naming the key of a bad value
   */
  public DvgsConfig dvgsConfig() {
    Config user = ConfigFactory.parseString($(config)).atKey(DvgsConfig.ROOT);
    Map<String, Object> set = new LinkedHashMap<>();
    for (Binding b : bindings) {
      Object v = $(b.param());
      set.put(b.key(), v instanceof int[] a ? java.util.Arrays.stream(a).boxed().toList() : v);
    }
    for (String side : List.of("source", "target")) {
      set.put("input." + side + ".features.column", getFeaturesCol());
      set.put("input." + side + ".features.columns", List.of());
      set.put("input." + side + ".label-column", getTask().equals("autoencoder") ? "" : getLabelCol());
      set.put("input." + side + ".id-column", getIdCol());
    }
    for (Map.Entry<String, Object> e : set.entrySet()) {
      user = ConfigValueFactory.fromAnyRef(e.getValue()).atPath(DvgsConfig.ROOT + "." + e.getKey()).withFallback(user);
    }
    DvgsConfig cfg = DvgsConfig.fromUser(user);
    DvgsValuationModel.checkApiConfig(cfg);
    return cfg;
  }

  // ---- fitting ----------------------------------------------------------------------------------------------------

  private boolean needLabel(DvgsConfig cfg) {
    return cfg.model().task() != Task.AUTOENCODER;
  }

  /**
   * Checks the target schema (features, label and id columns; see {@link DvgsValuationModel#transformSchema}) and
   * returns the schema the fitted model's transform gives.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    DvgsConfig cfg = dvgsConfig();
    TableConfig t = ApiRows.table(cfg.input().target(), getFeaturesCol(), getLabelCol(), getIdCol(), needLabel(cfg));
    ApiRows.resolve(schema, t, needLabel(cfg), "target DataFrame");
    StructType out = schema;
    if (getIdCol().isEmpty()) {
      out = out.add($(sampleIdCol), org.apache.spark.sql.types.DataTypes.StringType, false);
    }
    boolean keep = getHandleInvalid().equals("keep");
    out = out.add($(valueCol), org.apache.spark.sql.types.DataTypes.DoubleType, keep)
        .add($(valueStdCol), org.apache.spark.sql.types.DataTypes.DoubleType, true)
        .add($(checkpointsCol), org.apache.spark.sql.types.DataTypes.IntegerType, keep);
    return keep ? out.add($(rejectReasonCol), org.apache.spark.sql.types.DataTypes.StringType, true) : out;
  }

  /**
   * Trains on {@code target}. The scaler is fitted on the target; with {@code dvgs.input.scaling.fit-on =
   * target-and-source} and a scaling method other than none (the command's default fit for min-max and z-score),
   * use {@link #fitWithSource} so that the source takes part as it does in the command.
   */
  @Override
  public DvgsValuationModel fit(Dataset<?> target) {
    return train(target, null);
  }

  /**
   * Trains on {@code target}, fitting the scaler on the target and, as {@code dvgs.input.scaling.fit-on =
   * target-and-source} asks, on the valid rows of {@code source} (null for none): the scaler the {@code value}
   * command fits for the same inputs.
   *
   * @throws org.dvgs.core.InputException for a bad target (empty, a bad or duplicate row, one class, fewer rows than
   *     one training batch), naming the row
   */
  public DvgsValuationModel fitWithSource(Dataset<?> target, Dataset<?> source) {
    return train(target, source);
  }

  private DvgsValuationModel train(Dataset<?> target, Dataset<?> source) {
    long t0 = System.nanoTime();
    DvgsConfig cfg = dvgsConfig();
    transformSchema(target.schema());
    @SuppressWarnings("unchecked")
    Dataset<Row> targetDf = (Dataset<Row>) target.toDF();
    SparkSession spark = targetDf.sparkSession();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    JobGroups saved = JobGroups.save(jsc);
    java.nio.file.Path temp = null;
    try {
      jsc.setJobGroup("dvgs-load", "dvgs: reading and checking the target DataFrame", false);
      boolean needLabel = needLabel(cfg);
      TableConfig t = ApiRows.table(cfg.input().target(), getFeaturesCol(), getLabelCol(), getIdCol(), needLabel);
      ApiRows.Prepared p = ApiRows.prepare(targetDf, t, needLabel, "target DataFrame");
      List<CanonicalRow> targetRows = TableReader.canonical(p.frame(), p.plan()).collect();
      InputLoader.TargetShape shape = InputLoader.checkTarget(targetRows, "target DataFrame", cfg.model(), cfg.training().batchSize());
      JavaRDD<CanonicalRow> validSource = null;
      if (source != null) {
        @SuppressWarnings("unchecked")
        Dataset<Row> sourceDf = (Dataset<Row>) source.toDF();
        TableConfig st = ApiRows.table(cfg.input().source(), getFeaturesCol(), getLabelCol(), getIdCol(), needLabel);
        ApiRows.Prepared sp = ApiRows.prepare(sourceDf, st, needLabel, "source DataFrame");
        validSource = InputLoader.check(TableReader.canonical(sp.frame(), sp.plan()), shape).filter(CanonicalRow::valid);
      }
      Scaler scaler = InputLoader.fitScaler(cfg.input(), shape.width(), targetRows, validSource);
      DenseRows dense = InputLoader.denseTarget(targetRows, scaler, shape.width(), needLabel);
      double loadS = (System.nanoTime() - t0) / 1e9;

      jsc.setJobGroup("dvgs-training", "dvgs: training on the target DataFrame (driver)", false);
      String root;
      if (cfg.training().checkpointDir().isEmpty()) {
        temp = Files.createTempDirectory("dvgs-fit-");
        root = temp.toUri().toString();
      } else {
        root = cfg.training().checkpointDir();
      }
      TrainingStep.Trained trained = TrainingStep.train(hadoop, cfg, dense, shape.numClasses(), root);
      List<Snapshot> snapshots = new ArrayList<>();
      trained.snapshots().forEachRemaining(snapshots::add);
      List<DvgsValuationSummary.Restart> restartsDone = new ArrayList<>();
      for (TrainingStep.Restart r : trained.restartSummaries()) {
        restartsDone.add(new DvgsValuationSummary.Restart(r.restart(), r.reused(), r.snapshots(), r.iterations(), r.firstLoss(), r.lastLoss(), r.seconds()));
      }
      Map<String, Double> timings = new LinkedHashMap<>();
      timings.put("load_s", loadS);
      timings.put("train_s", trained.seconds());
      timings.put("total_s", (System.nanoTime() - t0) / 1e9);
      DvgsValuationModel model = new DvgsValuationModel(DvgsValuationModel.newUid(), cfg.toJson(), shape.width(), shape.classes(),
          scaler, trained.fingerprint(), trained.snapshotsPerRestart(), restartsDone, timings, snapshots);
      model.set(model.scoringBatchSize(), (Object) getScoringBatchSize());
      copyValues(model, ParamMap.empty());
      return model.setParent(this);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create a temporary checkpoint directory: " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        deleteTemp(hadoop, temp);
      }
      saved.restore();
    }
  }

  /** Removes the temporary checkpoint directory this fit created (the snapshots are in the model by then). */
  private static void deleteTemp(Configuration hadoop, java.nio.file.Path temp) {
    try {
      Path p = new Path(temp.toUri());
      p.getFileSystem(hadoop).delete(p, true);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(DvgsValuation.class).warn("cannot remove the temporary checkpoint directory {}: {}", temp, e.getMessage());
    }
  }

  /** A copy with {@code extra}'s parameter values on top of this estimator's. */
  @Override
  public DvgsValuation copy(ParamMap extra) {
    return (DvgsValuation) defaultCopy(extra);
  }

  /** Saves the estimator's parameters (Spark's default format), for example as a stage of an unfitted pipeline. */
  @Override
  public MLWriter write() {
    return new DefaultParamsWriter(this);
  }

  /** The reader of saved estimators. */
  public static MLReader<DvgsValuation> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads an estimator saved with {@link #write()}. */
  public static DvgsValuation load(String path) {
    return read().load(path);
  }
}
