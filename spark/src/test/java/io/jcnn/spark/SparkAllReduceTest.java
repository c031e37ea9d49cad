package io.jcnn.spark;

import io.jcnn.backend.Collectives;
import io.jcnn.backend.cuda.CudaProbe;
import io.jcnn.data.Dataset;
import io.jcnn.data.Mnist;
import io.jcnn.model.EpochMetrics;
import io.jcnn.model.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient all-reduce through NCCL in Spark barrier stages, wherever NCCL and two GPUs are present: on a GPU
 * machine, and on the emulated driver with its emulated NCCL (the spark-cuda-emulated test run). Two partitions in
 * local mode, each task given one GPU by Spark's resource scheduling, join one communicator through allGather.
 */
class SparkAllReduceTest {
    @TempDir
    Path dir;

    private static TrainingRecipe recipe(String device, int localSteps) {
        return new TrainingRecipe("lenet", List.of(), 1, 28, 28, 10, 32, 2, localSteps, 1, 5, "sgd", 0.05f, 0.9f,
                0f, 0.13f, 0.3f, 0, 0, 0, false, 1, device);
    }

    @Test
    void averagingParametersOnTheCpuRefusesTheAllReduceMode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparkTrainer(null, recipe("cpu", 1)).allReduceGradients());
        assertEquals("spark training: gradient all-reduce through NCCL needs GPUs; train with the device gpu, or"
                + " average parameters on the CPU", e.getMessage());
    }

    @Test
    void twoGpuTasksAllReduceEveryStepAndMatchParameterAveragingOfOneStepRounds() throws Exception {
        String reason = Collectives.ncclUnavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "NCCL is not available: " + reason);
        int gpus = CudaProbe.get().devices().size();
        Assumptions.assumeTrue(gpus >= 2, () -> "needs 2 GPUs; the driver reports " + gpus);
        try (StandaloneCluster cluster = new StandaloneCluster(dir, 1, 2, 2)) {
            SparkConf conf = cluster.conf("jcnn-nccl-test").set("spark.cores.max", "2")
                    .set("spark.executor.cores", "2").set("spark.executor.resource.gpu.amount", "2")
                    .set("spark.task.resource.gpu.amount", "1")
                    .set("spark.task.maxDirectResultSize", SparkTrain.DIRECT_RESULT_SIZE);
            // The executor finds the same CUDA driver and NCCL as this JVM (the emulated ones in the emulated run).
            for (String variable : List.of("LD_LIBRARY_PATH", "JCNN_CUDA_EMULATOR_DEVICES")) {
                if (System.getenv(variable) != null) {
                    conf.set("spark.executorEnv." + variable, System.getenv(variable));
                }
            }
            train(cluster, conf);
        }
    }

    private static void train(StandaloneCluster cluster, SparkConf conf) throws Exception {
        Dataset data = Mnist.sample().train().subset(0, 128);
        Dataset test = Mnist.sample().test().subset(0, 64);
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            cluster.awaitExecutors(spark, 1);
            SparkTrainer trainer = new SparkTrainer(spark, recipe("gpu", 2)).allReduceGradients();
            // The second round's task of partition 1 fails once: Spark retries the barrier stage whole, and the
            // ranks join a new communicator.
            trainer.failFirstAttempt(1, 2, 1);
            SparkTrainer.Result allReduced = trainer.fit(SparkTrainer.examples(spark, data, 2), test, null, null,
                    TrainingListener.NONE);
            SparkTrainer.Result averaged = new SparkTrainer(spark, recipe("gpu", 1)).fit(
                    SparkTrainer.examples(spark, data, 2), test, null, null, TrainingListener.NONE);
            // 128 images in 2 shards of 64, 16 per step: 4 steps. All-reduce, 2 steps per round: 2 rounds.
            assertEquals(2, allReduced.roundsPerEpoch());
            assertEquals(4, averaged.roundsPerEpoch());
            EpochMetrics a = allReduced.history().get(0);
            EpochMetrics b = averaged.history().get(0);
            // SGD with momentum is linear in the gradient: averaging gradients every step and averaging parameters
            // after every single step are the same training, up to float rounding.
            assertEquals(b.trainLoss(), a.trainLoss(), 1e-4, "train loss");
            assertEquals(b.testLoss(), a.testLoss(), 1e-4, "test loss");
            assertEquals(4, allReduced.state().step());
        }
    }
}
