package io.jcnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark in local mode for the tests: {@code threads} task threads, each task retried up to 4 times, partitions'
 * states returned directly with the task's status, as {@link SparkTrain} sets up.
 */
final class LocalSpark {
    private LocalSpark() {
    }

    static JavaSparkContext start(int threads) {
        SparkConf conf = new SparkConf().setMaster("local[" + threads + ",4]").setAppName("jcnn-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.sql.shuffle.partitions", "2")
                .set("spark.task.maxDirectResultSize", SparkTrain.DIRECT_RESULT_SIZE);
        return new JavaSparkContext(conf);
    }
}
