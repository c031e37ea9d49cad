package io.jcnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.data.Dataset;
import io.jcnn.data.DatasetSplit;
import io.jcnn.data.Mnist;
import io.jcnn.model.Checkpoint;
import io.jcnn.model.Sequential;
import io.jcnn.model.TrainingListener;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on this machine: a master and two workers started from the spark-core jar as
 * separate JVMs on the loopback interface, each worker launching its executor in a JVM of its own. LeNet trains two
 * rounds through it, and the result is bit for bit what local mode computes.
 */
class StandaloneClusterTest {
    @TempDir
    Path dir;

    @Test
    void aMasterAndTwoWorkersInTheirOwnJvmsTrainLenetForTwoRounds() throws Exception {
        DatasetSplit mnist = Mnist.sample();
        Dataset data = mnist.train().subset(0, 256);
        // 128 images per shard, batches of 16, 4 local steps: two rounds.
        TrainingRecipe recipe = new TrainingRecipe("lenet", List.of(), 1, 28, 28, 10, 32, 2, 4, 1, 3, "sgd", 0.05f,
                0.9f, 0.001f, 0.13f, 0.31f, 0, 0, 0, false, 1, "cpu");
        Path clusterCheckpoint = dir.resolve("cluster.jcnn");
        try (StandaloneCluster cluster = new StandaloneCluster(dir, 2, 1, 0)) {
            SparkConf conf = cluster.conf("jcnn-standalone-test").set("spark.cores.max", "2")
                    .set("spark.executor.cores", "1");
            try (JavaSparkContext spark = new JavaSparkContext(conf)) {
                cluster.awaitExecutors(spark, 2);
                Set<Long> pids = new HashSet<>(spark.parallelize(List.of(1, 2, 3, 4), 4)
                        .map(x -> ProcessHandle.current().pid()).collect());
                assertEquals(2, pids.size(), "two executors: " + pids);
                assertTrue(!pids.contains(ProcessHandle.current().pid()), "the executors are not the test's JVM");
                SparkTrainer.Result result = new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 2),
                        mnist.test().subset(0, 64), clusterCheckpoint, null, TrainingListener.NONE);
                assertEquals(2, result.roundsPerEpoch());
                assertEquals(2, result.roundSeconds().size(), "two rounds");
            }
        }
        Path localCheckpoint = dir.resolve("local.jcnn");
        try (JavaSparkContext spark = LocalSpark.start(2)) {
            new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 2), mnist.test().subset(0, 64),
                    localCheckpoint, null, TrainingListener.NONE);
        }
        try (CpuBackend cpu = new CpuBackend(1); Sequential a = recipe.newModel(); Sequential b = recipe.newModel()) {
            a.compile(cpu, recipe.localInput(), 0);
            b.compile(cpu, recipe.localInput(), 0);
            Checkpoint.load(clusterCheckpoint, a, null);
            Checkpoint.load(localCheckpoint, b, null);
            for (int i = 0; i < a.params().size(); i++) {
                assertArrayEquals(b.params().get(i).value().toArray(), a.params().get(i).value().toArray(),
                        "the cluster computes local mode's bits: " + a.params().get(i).name());
            }
        }
    }
}
