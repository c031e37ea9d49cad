package io.jcnn.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A real Spark standalone cluster on this machine for the tests: a master and workers started from the spark-core
 * jar as separate JVMs on the loopback interface, each worker launching its executors in JVMs of their own, which
 * take their classes from the test's class path. Closing it stops every process.
 */
final class StandaloneCluster implements AutoCloseable {
    static final String OPENS = System.getProperty("jcnn.spark.jvm.options", "");

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final String master;

    /**
     * Starts a master and {@code workers} workers of {@code cores} cores each; with {@code gpus} above 0, each worker
     * offers that many GPUs (addresses 0 to gpus − 1) to Spark's resource scheduling.
     */
    StandaloneCluster(Path dir, int workers, int cores, int gpus) throws Exception {
        this.dir = dir;
        try {
            int masterPort = freePort();
            Process masterProcess = start("master", List.of(), "org.apache.spark.deploy.master.Master", "--host",
                    "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(freePort()));
            awaitPort(masterPort, masterProcess);
            master = "spark://127.0.0.1:" + masterPort;
            List<String> resources = new ArrayList<>();
            if (gpus > 0) {
                Path script = dir.resolve("gpus.sh");
                StringBuilder addresses = new StringBuilder();
                for (int g = 0; g < gpus; g++) {
                    addresses.append(g == 0 ? "" : ", ").append('"').append(g).append('"');
                }
                Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [" + addresses
                        + "]}'\n");
                assertTrue(script.toFile().setExecutable(true), "make " + script + " executable");
                resources = List.of("-Dspark.worker.resource.gpu.amount=" + gpus,
                        "-Dspark.worker.resource.gpu.discoveryScript=" + script);
            }
            for (int w = 1; w <= workers; w++) {
                Path work = Files.createDirectories(dir.resolve("worker" + w));
                start("worker" + w, resources, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", Integer.toString(cores), "--memory", "1g", "--webui-port",
                        Integer.toString(freePort()), "--work-dir", work.toString(), master);
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** A driver configuration for this cluster: loopback addresses, no UI, executors on the test's class path. */
    SparkConf conf(String app) {
        return new SparkConf().setMaster(master).setAppName(app)
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false").set("spark.executor.memory", "512m")
                .set("spark.executor.extraClassPath", classPath())
                .set("spark.executor.extraJavaOptions", OPENS);
    }

    /** Waits until {@code count} executors have registered with {@code spark}. */
    void awaitExecutors(JavaSparkContext spark, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (spark.sc().getExecutorMemoryStatus().size() < count + 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("executors did not register; worker 1 log:\n"
                        + Files.readString(dir.resolve("worker1.log")));
            }
            Thread.sleep(200);
        }
    }

    private Process start(String name, List<String> properties, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(OPENS.trim().split("\\s+")));
        command.add("-Xmx512m");
        command.addAll(properties);
        command.addAll(List.of("-cp", classPath(), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        // Without a Spark distribution: executors take their classes from spark.executor.extraClassPath.
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_TESTING", "1");
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        Process process = builder.start();
        processes.add(process);
        return process;
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

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
