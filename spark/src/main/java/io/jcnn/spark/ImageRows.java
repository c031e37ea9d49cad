package io.jcnn.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Training examples from a Spark SQL {@code Dataset<Row>} (a DataFrame), for data that lives in tables: an image
 * column of C·H·W pixel bytes ({@code binary}) and an integer label column. Rows are numbered in the dataset's order
 * ({@code zipWithIndex}), which fixes each example's shard, so the same table trains the same way every time.
 */
public final class ImageRows {
    private ImageRows() {
    }

    /**
     * The rows of {@code frame} as training examples.
     *
     * @param imageColumn a {@code binary} column of C·H·W pixel bytes, row-major (pixel values 0-255)
     * @param labelColumn an {@code int}, {@code long}, {@code short} or {@code byte} column of classes from 0
     * @throws IllegalArgumentException when a column is missing or of another type, naming the frame's columns; a row
     *     with a null or negative value fails its task with the row's number
     */
    public static JavaRDD<LabeledImage> of(Dataset<Row> frame, String imageColumn, String labelColumn) {
        StructType schema = frame.schema();
        int image = column(schema, imageColumn, "the image", List.of(DataTypes.BinaryType));
        int label = column(schema, labelColumn, "the label", List.of(DataTypes.IntegerType, DataTypes.LongType,
                DataTypes.ShortType, DataTypes.ByteType));
        return frame.toJavaRDD().zipWithIndex().map(pair -> {
            Row row = pair._1();
            long index = pair._2();
            if (row.isNullAt(image) || row.isNullAt(label)) {
                throw new IllegalArgumentException("row " + index + " has no " + (row.isNullAt(image) ? imageColumn
                        : labelColumn) + "; every training row needs an image and a label");
            }
            long value = ((Number) row.get(label)).longValue();
            if (value < 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("row " + index + " has label " + value + "; classes count from 0");
            }
            return new LabeledImage(index, (byte[]) row.get(image), (int) value);
        });
    }

    private static int column(StructType schema, String name, String role, List<DataType> types) {
        List<String> columns = new ArrayList<>();
        for (StructField field : schema.fields()) {
            columns.add(field.name() + " " + field.dataType().simpleString());
        }
        int index;
        try {
            index = schema.fieldIndex(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spark training: " + role + " column '" + name + "' is not in the"
                    + " dataset, whose columns are " + String.join(", ", columns));
        }
        DataType type = schema.fields()[index].dataType();
        if (!types.contains(type)) {
            List<String> expected = types.stream().map(DataType::simpleString).toList();
            throw new IllegalArgumentException("spark training: " + role + " column '" + name + "' is "
                    + type.simpleString() + "; expected " + String.join(" or ", expected));
        }
        return index;
    }
}
