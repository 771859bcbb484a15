package org.dvgs.evaluation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.core.Auroc;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.EvaluationConfig.RetrainModel;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.model.Network;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.model.Tensors;
import org.dvgs.training.TargetTrainer;

/**
 * The models {@link FilterRetrain} can retrain, and their test metrics: AUROC for classifiers (of the class-1
 * probability for two classes, the macro average of one-vs-rest AUROCs for more), R^2 for regressors and, over all
 * reconstructed features, for autoencoders.
 */
public final class RetrainModels {
  /** Largest {@code rows * width} the driver-trained valuation network accepts (a float each). */
  static final long DRIVER_CELLS = 200_000_000L;
  /** Largest {@code rows * width} of a training set whose driver-trained fits run several at once. */
  static final long CONCURRENT_CELLS = 10_000_000L;

  private RetrainModels() {}

  /** The configured model. */
  public static FilterRetrain.Model of(RetrainModel kind, NetworkSpec spec, TrainingConfig training, boolean classBalanced, Device device, int maxIter) {
    return switch (kind) {
      case VALUATION -> new ValuationNetwork(spec, training, classBalanced, device);
      case MLP, LOGISTIC_REGRESSION, LINEAR_REGRESSION -> new MLlibModel(kind, spec, maxIter);
    };
  }

  /** The test metric name for a task. */
  public static String metricFor(Task task) {
    return task == Task.CLASSIFIER ? "auroc" : "r2";
  }

  /** The valuation network, trained on the driver from the collected rows with the valuation's training settings. */
  static final class ValuationNetwork implements FilterRetrain.Model {
    private final NetworkSpec spec;
    private final TrainingConfig training;
    private final boolean classBalanced;
    private final Device device;
    /** The test set of the last call and its rows: every fit of one filter-and-retrain run scores the same set. */
    private JavaRDD<CanonicalRow> testSeen;
    private DenseRows testRows;

    /** The test rows of {@code test}, collected once for all the fits that score on it (some at once). */
    private synchronized DenseRows testRows(JavaRDD<CanonicalRow> test) {
      if (test != testSeen) {
        testRows = collect(test, spec.width(0), "test");
        testSeen = test;
      }
      return testRows;
    }

    ValuationNetwork(NetworkSpec spec, TrainingConfig training, boolean classBalanced, Device device) {
      this.spec = spec;
      this.training = training;
      this.classBalanced = classBalanced;
      this.device = device;
    }

    @Override
    public String metric() {
      return metricFor(spec.task());
    }

    /**
     * On the CPU, as many fits as the cores hold at the engine's intra-op thread count, for training sets of at most
     * {@value #CONCURRENT_CELLS} features in all (each fit holds its rows on the driver); on a GPU, 1. Each fit
     * trains on its own thread with its own seed and scope, and under MKL's strict mode its numbers do not depend on
     * what runs beside it.
     */
    @Override
    public int fitsAtOnce(long rows) {
      if (device.isGpu() || rows * spec.width(0) > CONCURRENT_CELLS) {
        return 1;
      }
      return Math.max(1, Runtime.getRuntime().availableProcessors() / Engines.intraOpThreads());
    }

    @Override
    public double fitAndScore(SparkSession spark, JavaRDD<CanonicalRow> train, JavaRDD<CanonicalRow> test, long seed) {
      DenseRows tr = collect(train, spec.width(0), "training");
      DenseRows te = testRows(test);
      ParameterSet p = new TargetTrainer(spec, training, classBalanced, seed, device).fit(0, tr);
      float[] out = predict(spec, p, te, device);
      return score(spec.task(), spec.numClasses(), out, te);
    }
  }

  /** Forward pass in evaluation mode (no dropout), in batches; returns the outputs row-major. */
  static float[] predict(NetworkSpec spec, ParameterSet p, DenseRows rows, Device device) {
    int outW = spec.width(spec.layers());
    float[] out = new float[rows.rows() * outW];
    int batch = 4096;
    try (NDManager root = NDManager.newBaseManager(device);
        Network net = Network.upload(root, spec, p, false)) {
      for (int start = 0; start < rows.rows(); start += batch) {
        int n = Math.min(batch, rows.rows() - start);
        try (NDManager scope = root.newSubManager()) {
          float[] x = new float[n * rows.width()];
          System.arraycopy(rows.features(), start * rows.width(), x, 0, x.length);
          NDArray y = net.forward(Tensors.floats(scope, x, new Shape(n, rows.width())), null, null, null);
          System.arraycopy(y.toFloatArray(), 0, out, start * outW, n * outW);
        }
      }
    }
    return out;
  }

  /** The task's test metric from outputs (logits, predictions or reconstructions). */
  static double score(Task task, int classes, float[] out, DenseRows te) {
    int n = te.rows();
    return switch (task) {
      case CLASSIFIER -> {
        boolean[][] isClass = new boolean[classes][n];
        double[][] prob = new double[classes][n];
        for (int i = 0; i < n; i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int c = 0; c < classes; c++) {
            max = Math.max(max, out[i * classes + c]);
          }
          double z = 0;
          for (int c = 0; c < classes; c++) {
            z += Math.exp(out[i * classes + c] - max);
          }
          for (int c = 0; c < classes; c++) {
            prob[c][i] = Math.exp(out[i * classes + c] - max) / z;
          }
          isClass[(int) te.labels()[i]][i] = true;
        }
        yield classes == 2 ? Auroc.of(prob[1], isClass[1]) : Auroc.macro(prob, isClass);
      }
      case REGRESSOR -> {
        double[] y = new double[n];
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
          y[i] = te.labels()[i];
          f[i] = out[i];
        }
        yield r2(y, f);
      }
      case AUTOENCODER -> {
        double[] y = new double[te.features().length];
        double[] f = new double[y.length];
        for (int i = 0; i < y.length; i++) {
          y[i] = te.features()[i];
          f[i] = out[i];
        }
        yield r2Columns(y, f, te.width());
      }
    };
  }

  /** Coefficient of determination {@code 1 - SS_res / SS_tot}. */
  public static double r2(double[] y, double[] f) {
    return r2Columns(y, f, 1);
  }

  /** R^2 over row-major data of {@code width} columns, each column centred on its own mean. */
  public static double r2Columns(double[] y, double[] f, int width) {
    int n = y.length / width;
    double[] mean = new double[width];
    for (int i = 0; i < y.length; i++) {
      mean[i % width] += y[i] / n;
    }
    double res = 0;
    double tot = 0;
    for (int i = 0; i < y.length; i++) {
      res += (y[i] - f[i]) * (y[i] - f[i]);
      tot += (y[i] - mean[i % width]) * (y[i] - mean[i % width]);
    }
    return tot == 0 ? Double.NaN : 1 - res / tot;
  }

  private static DenseRows collect(JavaRDD<CanonicalRow> rows, int width, String what) {
    long n = rows.count();
    if (n * width > DRIVER_CELLS) {
      throw new ConfigValidationException(
          "dvgs.evaluation.retrain.model = valuation trains on the driver, but the " + what + " set has " + n + " rows x " + width
              + " features; use an MLlib model (mlp, logistic-regression, linear-regression) for sets this large");
    }
    List<CanonicalRow> list = new ArrayList<>(rows.collect());
    // Partition order is not guaranteed across recomputations: sort so that batches are the same every run.
    list.sort((a, b) -> a.id().compareTo(b.id()));
    float[] x = new float[list.size() * width];
    float[] y = new float[list.size()];
    for (int i = 0; i < list.size(); i++) {
      System.arraycopy(list.get(i).features(), 0, x, i * width, width);
      y[i] = Double.isNaN(list.get(i).label()) ? 0f : (float) list.get(i).label();
    }
    return new DenseRows(x, y, list.size(), width);
  }

  /** MLlib models, trained distributed. */
  static final class MLlibModel implements FilterRetrain.Model {
    private final RetrainModel kind;
    private final NetworkSpec spec;
    private final int maxIter;

    MLlibModel(RetrainModel kind, NetworkSpec spec, int maxIter) {
      this.kind = kind;
      this.spec = spec;
      this.maxIter = maxIter;
    }

    @Override
    public String metric() {
      return metricFor(spec.task());
    }

    @Override
    public double fitAndScore(SparkSession spark, JavaRDD<CanonicalRow> train, JavaRDD<CanonicalRow> test, long seed) {
      Dataset<Row> tr = frame(spark, train);
      Dataset<Row> te = frame(spark, test);
      Model<?> model = switch (kind) {
        case MLP -> {
          int[] layers = new int[spec.layers() + 1];
          for (int l = 0; l <= spec.layers(); l++) {
            layers[l] = spec.width(l);
          }
          yield new MultilayerPerceptronClassifier().setLayers(layers).setMaxIter(maxIter).setSeed(seed).fit(tr);
        }
        case LOGISTIC_REGRESSION -> new LogisticRegression().setMaxIter(maxIter).fit(tr);
        case LINEAR_REGRESSION -> new LinearRegression().setMaxIter(maxIter).fit(tr);
        case VALUATION -> throw new IllegalStateException();
      };
      Dataset<Row> pred = model.transform(te);
      if (kind == RetrainModel.LINEAR_REGRESSION) {
        return new RegressionEvaluator().setMetricName("r2").evaluate(pred);
      }
      if (spec.numClasses() == 2) {
        return new BinaryClassificationEvaluator().setRawPredictionCol("probability").setNumBins(0).evaluate(pred);
      }
      List<Row> rows = pred.select("label", "probability").collectAsList();
      int c = spec.numClasses();
      double[][] prob = new double[c][rows.size()];
      boolean[][] isClass = new boolean[c][rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        Vector v = rows.get(i).getAs(1);
        for (int k = 0; k < c; k++) {
          prob[k][i] = v.apply(k);
        }
        isClass[(int) rows.get(i).getDouble(0)][i] = true;
      }
      return Auroc.macro(prob, isClass);
    }

    private static Dataset<Row> frame(SparkSession spark, JavaRDD<CanonicalRow> rows) {
      StructType schema = DataTypes.createStructType(List.of(
          DataTypes.createStructField("label", DataTypes.DoubleType, false),
          DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)));
      return spark.createDataFrame(rows.map(new ToLabeledRow()), schema);
    }
  }

  private static final class ToLabeledRow implements Function<CanonicalRow, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(CanonicalRow r) {
      double[] x = new double[r.features().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.features()[i];
      }
      return RowFactory.create(r.label(), Vectors.dense(x));
    }
  }
}
