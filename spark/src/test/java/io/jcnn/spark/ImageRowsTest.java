package io.jcnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.model.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Training from a DataFrame of (image bytes, label) rows: the same examples, and the same training, as from an RDD. */
class ImageRowsTest {

    private static StructType schema(org.apache.spark.sql.types.DataType labelType) {
        return new StructType().add("id", DataTypes.StringType).add("pixels", DataTypes.BinaryType)
                .add("digit", labelType);
    }

    private static List<Row> rows(Dataset data) {
        List<Row> rows = new ArrayList<>();
        int size = data.sampleSize();
        for (int i = 0; i < data.size(); i++) {
            byte[] image = new byte[size];
            System.arraycopy(data.pixels(), i * size, image, 0, size);
            rows.add(RowFactory.create("digit-" + i, image, data.label(i)));
        }
        return rows;
    }

    @Test
    void aDataFrameTrainsAsItsRowsWouldAsAnRdd() throws Exception {
        Dataset data = Mnist.sample().train().subset(0, 128);
        Dataset test = Mnist.sample().test().subset(0, 64);
        TrainingRecipe recipe = new TrainingRecipe("lenet", List.of(), 1, 28, 28, 10, 32, 2, 2, 1, 7, "sgd", 0.05f,
                0.9f, 0f, 0.13f, 0.3f, 0, 0, 0, false, 1, "cpu");
        SparkSession session = SparkSession.builder().sparkContext(LocalSpark.start(2).sc()).getOrCreate();
        try {
            org.apache.spark.sql.Dataset<Row> frame = session.createDataFrame(rows(data),
                    schema(DataTypes.IntegerType));
            List<LabeledImage> examples = ImageRows.of(frame, "pixels", "digit").collect();
            assertEquals(128, examples.size());
            for (int i = 0; i < examples.size(); i++) {
                assertEquals(i, examples.get(i).index());
                assertEquals(data.label(i), examples.get(i).label());
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(data.pixels(), 5 * 784, 6 * 784),
                    examples.get(5).pixels());
            org.apache.spark.api.java.JavaSparkContext spark =
                    org.apache.spark.api.java.JavaSparkContext.fromSparkContext(session.sparkContext());
            SparkTrainer.Result fromFrame = new SparkTrainer(spark, recipe).fit(ImageRows.of(frame, "pixels",
                    "digit"), test, null, null, TrainingListener.NONE);
            SparkTrainer.Result fromRdd = new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 2),
                    test, null, null, TrainingListener.NONE);
            assertEquals(fromRdd.history().get(0).trainLoss(), fromFrame.history().get(0).trainLoss(),
                    "bit-identical training");
            assertEquals(fromRdd.history().get(0).testLoss(), fromFrame.history().get(0).testLoss());

            org.apache.spark.sql.Dataset<Row> longLabels = session.createDataFrame(rows(data.subset(0, 4)),
                    schema(DataTypes.IntegerType)).withColumn("digit", functions.col("digit").cast("long"));
            assertEquals(4, ImageRows.of(longLabels, "pixels", "digit").count());

            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> ImageRows.of(frame, "image", "digit"));
            assertEquals("spark training: the image column 'image' is not in the dataset, whose columns are id string,"
                    + " pixels binary, digit int", missing.getMessage());
            IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                    () -> ImageRows.of(frame, "pixels", "id"));
            assertEquals("spark training: the label column 'id' is string; expected int or bigint or smallint or"
                    + " tinyint", wrongType.getMessage());
            List<Row> negative = List.of(RowFactory.create("bad", new byte[784], -3));
            Exception failed = assertThrows(Exception.class, () -> ImageRows.of(session.createDataFrame(negative,
                    schema(DataTypes.IntegerType)), "pixels", "digit").collect());
            assertTrue(String.valueOf(failed.getMessage()).contains("row 0 has label -3; classes count from 0"),
                    failed.getMessage());
        } finally {
            session.stop();
        }
    }
}
