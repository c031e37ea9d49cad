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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
    private static final String OPENS = System.getProperty("jcnn.spark.jvm.options", "");

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
        List<Process> processes = new ArrayList<>();
        try {
            int masterPort = freePort();
            processes.add(start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    Integer.toString(masterPort), "--webui-port", Integer.toString(freePort())));
            awaitPort(masterPort, processes.get(0));
            String master = "spark://127.0.0.1:" + masterPort;
            for (int w = 1; w <= 2; w++) {
                Path work = Files.createDirectories(dir.resolve("worker" + w));
                processes.add(start("worker" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(freePort()),
                        "--work-dir", work.toString(), master));
            }
            SparkConf conf = new SparkConf().setMaster(master).setAppName("jcnn-standalone-test")
                    .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.ui.enabled", "false").set("spark.executor.memory", "512m")
                    .set("spark.cores.max", "2").set("spark.executor.cores", "1")
                    .set("spark.executor.extraClassPath", classPath())
                    .set("spark.executor.extraJavaOptions", OPENS);
            try (JavaSparkContext spark = new JavaSparkContext(conf)) {
                awaitExecutors(spark, 2);
                Set<Long> pids = new HashSet<>(spark.parallelize(List.of(1, 2, 3, 4), 4)
                        .map(x -> ProcessHandle.current().pid()).collect());
                assertEquals(2, pids.size(), "two executors: " + pids);
                assertTrue(!pids.contains(ProcessHandle.current().pid()), "the executors are not the test's JVM");
                SparkTrainer.Result result = new SparkTrainer(spark, recipe).fit(SparkTrainer.examples(spark, data, 2),
                        mnist.test().subset(0, 64), clusterCheckpoint, null, TrainingListener.NONE);
                assertEquals(2, result.roundsPerEpoch());
                assertEquals(2, result.roundSeconds().size(), "two rounds");
            }
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
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

    private Process start(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(OPENS.trim().split("\\s+")));
        command.add("-Xmx512m");
        command.addAll(List.of("-cp", classPath(), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        // Without a Spark distribution: executors take their classes from spark.executor.extraClassPath.
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_TESTING", "1");
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        return builder.start();
    }

    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitPort(int port, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "the master exited: " + Files.readString(dir.resolve("master.log")));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the master did not listen on port " + port);
    }

    private void awaitExecutors(JavaSparkContext spark, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (spark.sc().getExecutorMemoryStatus().size() < count + 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("executors did not register; worker 1 log:\n"
                        + Files.readString(dir.resolve("worker1.log")));
            }
            Thread.sleep(200);
        }
    }
}
