package org.dvgs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/**
 * The estimator behind Spark's own feature stages: a string label indexed by {@code StringIndexer} (a double column
 * with nominal metadata) and numeric columns assembled and standardised by {@code VectorAssembler} and
 * {@code StandardScaler} (an ML vector), as a user's table would be prepared.
 */
class DvgsValuationFeatureStagesTest {
  private static final String[] CLASS_NAMES = {"heron", "egret", "bittern"};
  private static final int WIDTH = 8;

  /** Class-cluster rows as a user's table: id, a string class name, eight double columns, the flip marker. */
  static Dataset<Row> table(SparkSession spark, String prefix, int rows, double flipFraction) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("id", DataTypes.StringType, false));
    fields.add(DataTypes.createStructField("species", DataTypes.StringType, false));
    for (int j = 0; j < WIDTH; j++) {
      fields.add(DataTypes.createStructField("f" + j, DataTypes.DoubleType, false));
    }
    fields.add(DataTypes.createStructField("corrupted", DataTypes.BooleanType, false));
    List<Row> out = new ArrayList<>();
    for (Row r : SyntheticData.classification(21, prefix, rows, CLASS_NAMES.length, WIDTH, 1.2, flipFraction)) {
      Object[] v = new Object[WIDTH + 3];
      v[0] = r.getString(0);
      v[1] = CLASS_NAMES[r.getInt(2)];
      Float[] x = (Float[]) r.get(1);
      for (int j = 0; j < WIDTH; j++) {
        v[2 + j] = (double) x[j];
      }
      v[WIDTH + 2] = r.getBoolean(3);
      out.add(RowFactory.create(v));
    }
    return spark.createDataFrame(out, DataTypes.createStructType(fields));
  }

  @Test
  void runsAfterStringIndexerAssemblerAndScaler() throws Exception {
    SparkSession spark = SharedSpark.get();
    Dataset<Row> target = table(spark, "t", 200, 0.0);
    Dataset<Row> source = table(spark, "s", 400, 0.2).repartition(3);
    String[] inputs = new String[WIDTH];
    for (int j = 0; j < WIDTH; j++) {
      inputs[j] = "f" + j;
    }
    StringIndexer indexer = new StringIndexer().setInputCol("species").setOutputCol("species_index");
    VectorAssembler assembler = new VectorAssembler().setInputCols(inputs).setOutputCol("raw");
    StandardScaler scaler = new StandardScaler().setInputCol("raw").setOutputCol("scaled").setWithMean(true).setWithStd(true);
    DvgsValuation valuation = DvgsValuationTest.small(new DvgsValuation()).setFeaturesCol("scaled").setLabelCol("species_index").setIdCol("id");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {indexer, assembler, scaler, valuation}).fit(target);

    Dataset<Row> valued = fitted.transform(source).cache();
    assertEquals(400, valued.count());
    double auc = DvgsValuationTest.auroc(valued);
    assertTrue(auc >= 0.85, "AUROC(corrupted, -value) after the feature stages = " + auc);
    Map<String, double[]> inPipeline = DvgsValuationTest.values(valued, "id");

    String path = SharedSpark.tempDir("ml-stages").resolve("pipeline").toString();
    fitted.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    assertEquals(4, loaded.stages().length);
    DvgsValuationTest.assertSameValues(inPipeline, DvgsValuationTest.values(loaded.transform(source), "id"));

    // The same estimator fitted directly on the DataFrames the fitted feature stages give: the same values.
    Dataset<Row> preparedTarget = target;
    Dataset<Row> preparedSource = source;
    Transformer[] stages = fitted.stages();
    for (int i = 0; i < 3; i++) {
      preparedTarget = stages[i].transform(preparedTarget);
      preparedSource = stages[i].transform(preparedSource);
    }
    assertEquals(DataTypes.DoubleType, preparedTarget.schema().apply("species_index").dataType());
    DvgsValuationModel direct = DvgsValuationTest.small(new DvgsValuation()).setFeaturesCol("scaled").setLabelCol("species_index").setIdCol("id").fit(preparedTarget);
    assertEquals(((DvgsValuationModel) stages[3]).fingerprint(), direct.fingerprint());
    DvgsValuationTest.assertSameValues(inPipeline, DvgsValuationTest.values(direct.transform(preparedSource), "id"));
    valued.unpersist();
  }
}
