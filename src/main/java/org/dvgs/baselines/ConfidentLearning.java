package org.dvgs.baselines;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.Task;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.core.Mix;
import org.dvgs.model.ParameterSet;
import org.dvgs.training.TargetTrainer;

/**
 * Confident learning's self-confidence (Northcutt, Jiang & Chuang 2021): the source is split into k folds by a
 * seeded hash of the sample id, a model is fitted on every k - 1 of them, and each row's value is the predicted
 * probability of its given label under the model that did not see it. A flipped label is one the other rows'
 * model finds unlikely. This is the ranking score of confident learning; its count-based pruning is not needed to
 * rank.
 *
 * <p>The model is the valuation network ({@code model = valuation}: dvgs.model / dvgs.training, one restart per
 * fold, trained on the driver from the collected source, which must fit {@code max-rows}) or Spark MLlib's
 * LogisticRegression ({@code logistic-regression}, distributed; the source is not collected). Classifier only.
 */
public final class ConfidentLearning implements ValuationMethod {
  private static final long FOLD_STREAM = 0x636f6e666964L;

  @Override
  public String name() {
    return "confident-learning";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    if (ctx.task() != Task.CLASSIFIER) {
      throw new ConfigValidationException(
          "dvgs.evaluation.methods includes confident-learning, which needs dvgs.model.task = classifier, got " + ctx.task());
    }
    BaselinesConfig.ConfidentLearning c = ctx.config().confidentLearning();
    long stream = Mix.mix(ctx.seed(), FOLD_STREAM);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("folds", c.folds());
    details.put("model", org.dvgs.config.Keys.kebab(c.model()));
    JavaRDD<SampleValue> values = c.model() == BaselinesConfig.ConfidenceModel.LOGISTIC_REGRESSION
        ? logistic(spark, ctx, c, stream)
        : network(spark, ctx, c, stream);
    return new MethodResult(values, details);
  }

  /** The fold of a sample id: a seeded hash, so it depends on neither partitioning nor row order. */
  static int fold(long stream, String id, int folds) {
    return (int) Long.remainderUnsigned(Mix.mix(stream, Mix.hash(id)), folds);
  }

  private static JavaRDD<SampleValue> network(SparkSession spark, MethodContext ctx, BaselinesConfig.ConfidentLearning c, long stream) {
    SourceRows all = SourceRows.collect(ctx.inputs().source(), "confident-learning (model = valuation)", ctx.config().maxRows());
    int n = all.size();
    int k = ctx.spec().numClasses();
    int[] foldOf = new int[n];
    for (int i = 0; i < n; i++) {
      foldOf[i] = fold(stream, all.ids()[i], c.folds());
    }
    double[] value = new double[n];
    for (int f = 0; f < c.folds(); f++) {
      List<Integer> train = new ArrayList<>();
      List<Integer> held = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        (foldOf[i] == f ? held : train).add(i);
      }
      if (held.isEmpty()) {
        continue;
      }
      TargetTrainer trainer = new TargetTrainer(ctx.spec(), ctx.training(), ctx.model().classBalanced(), Mix.mix(ctx.seed(), FOLD_STREAM, f), ctx.device());
      ParameterSet p = trainer.fit(0, subset(all.rows(), train));
      DenseRows h = subset(all.rows(), held);
      float[] logits = outputs(ctx.spec(), p, h, ctx.device());
      for (int j = 0; j < held.size(); j++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < k; q++) {
          max = Math.max(max, logits[j * k + q]);
        }
        double z = 0;
        for (int q = 0; q < k; q++) {
          z += Math.exp(logits[j * k + q] - max);
        }
        int y = (int) h.labels()[j];
        value[held.get(j)] = Math.exp(logits[j * k + y] - max) / z;
      }
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(all.values(value, null, null));
  }

  /** The network's outputs (logits) for every row, row-major, evaluation mode. */
  private static float[] outputs(org.dvgs.model.NetworkSpec spec, ParameterSet p, DenseRows rows, ai.djl.Device device) {
    try (ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager(device);
        org.dvgs.model.Network net = org.dvgs.model.Network.upload(root, spec, p, false)) {
      return net.forward(org.dvgs.model.Tensors.floats(root, rows.features(), new ai.djl.ndarray.types.Shape(rows.rows(), rows.width())), null, null, null)
          .toFloatArray();
    }
  }

  private static DenseRows subset(DenseRows rows, List<Integer> idx) {
    int w = rows.width();
    float[] x = new float[idx.size() * w];
    float[] y = new float[idx.size()];
    for (int j = 0; j < idx.size(); j++) {
      System.arraycopy(rows.features(), idx.get(j) * w, x, j * w, w);
      y[j] = rows.labels()[idx.get(j)];
    }
    return new DenseRows(x, y, idx.size(), w);
  }

  private static JavaRDD<SampleValue> logistic(SparkSession spark, MethodContext ctx, BaselinesConfig.ConfidentLearning c, long stream) {
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("sample_id", DataTypes.StringType, false),
        DataTypes.createStructField("label", DataTypes.DoubleType, false),
        DataTypes.createStructField("features", SQLDataTypes.VectorType(), false),
        DataTypes.createStructField("corrupted", DataTypes.BooleanType, false),
        DataTypes.createStructField("fold", DataTypes.IntegerType, false)));
    Dataset<Row> frame = spark.createDataFrame(ctx.inputs().source().map(new ToFoldRow(stream, c.folds())), schema);
    JavaRDD<SampleValue> out = null;
    for (int f = 0; f < c.folds(); f++) {
      Dataset<Row> train = frame.filter(frame.col("fold").notEqual(f));
      Dataset<Row> held = frame.filter(frame.col("fold").equalTo(f));
      LogisticRegressionModel m = new LogisticRegression().setMaxIter(c.maxIter()).fit(train);
      JavaRDD<SampleValue> v = m.transform(held).select("sample_id", "label", "probability", "corrupted").javaRDD().map(new GivenLabelProbability());
      out = out == null ? v : out.union(v);
    }
    return out;
  }

  /** Executor: a source row with its fold, in MLlib's (label, features) form. */
  private static final class ToFoldRow implements Function<CanonicalRow, Row> {
    private static final long serialVersionUID = 1L;
    private final long stream;
    private final int folds;

    ToFoldRow(long stream, int folds) {
      this.stream = stream;
      this.folds = folds;
    }

    @Override
    public Row call(CanonicalRow r) {
      double[] x = new double[r.features().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.features()[i];
      }
      return RowFactory.create(r.id(), r.label(), Vectors.dense(x), r.corrupted(), fold(stream, r.id(), folds));
    }
  }

  /** Executor: the predicted probability of the row's given label. */
  private static final class GivenLabelProbability implements Function<Row, SampleValue> {
    private static final long serialVersionUID = 1L;

    @Override
    public SampleValue call(Row r) {
      Vector p = r.getAs(2);
      int y = (int) r.getDouble(1);
      return new SampleValue(r.getString(0), y < p.size() ? p.apply(y) : 0.0, Double.NaN, 1, r.getBoolean(3));
    }
  }
}
