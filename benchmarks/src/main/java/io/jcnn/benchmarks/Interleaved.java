package io.jcnn.benchmarks;

import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two or more builds of jcnn timed against each other in one JVM, call for call: each benchmarks jar is loaded in its
 * own class loader, and the builds take turns in short blocks of calls (A B, then B A, ...), so a host whose speed
 * drifts by tens of percent within minutes (shared cloud machines) slows every build alike. Separate JMH runs of each
 * build, even alternated, could not tell a 5% change from that drift; this can.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar io.jcnn.benchmarks.Interleaved WORK ROUNDS BLOCK JAR...
 *   WORK   step:WORKLOAD           a StepBenchmark call, e.g. step:alexnet32-train-128
 *          conv:LAYER:PASS         a ConvBenchmark call on the CPU, e.g. conv:alexnet32Conv4:backwardFilter
 *   ROUNDS rounds of BLOCK calls per jar; the first quarter of the rounds is warm-up and not counted
 * </pre>
 * Prints each jar's median milliseconds per call (with the 25th and 75th percentiles) and each jar's speed-up over the
 * first. Both builds run on the CPU backend with the JVM's default thread count; the JIT compiles each build's
 * classes separately.
 */
public final class Interleaved {
    /** One build's benchmark, ready to call, and how to release what its setup allocated. */
    private record Subject(String name, Runnable call, Runnable tearDown) {
    }

    private Interleaved() {
    }

    /** One build's times: its name, then the median and quartiles in milliseconds per call, over {@code calls}. */
    record Result(String name, double median, double p25, double p75, int calls) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: Interleaved step:WORKLOAD|conv:LAYER:PASS ROUNDS BLOCK JAR JAR...");
            System.exit(2);
        }
        List<URL[]> builds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int j = 3; j < args.length; j++) {
            builds.add(new URL[] {new File(args[j]).toURI().toURL()});
            names.add(new File(args[j]).getName());
        }
        List<Result> results = compare(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), names, builds);
        double first = results.get(0).median();
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%s %s: median %.3f ms per call (p25 %.3f, p75 %.3f, %d calls)%s%n",
                    args[0], r.name(), r.median(), r.p25(), r.p75(), r.calls(), r == results.get(0) ? ""
                            : String.format(Locale.ROOT, "; %.3fx the first", first / r.median()));
        }
        System.exit(0);
    }

    /**
     * Times {@code work} in each build (its class path in {@code builds}), taking turns as described above: ROUNDS
     * rounds of BLOCK calls per build, the first quarter of the rounds not counted.
     */
    static List<Result> compare(String work, int rounds, int block, List<String> names, List<URL[]> builds)
            throws Exception {
        if (rounds < 2 || block < 1 || builds.size() != names.size() || builds.isEmpty()) {
            throw new IllegalArgumentException("need at least 2 rounds, 1 call per block and a name per build");
        }
        List<Subject> subjects = new ArrayList<>();
        for (int j = 0; j < builds.size(); j++) {
            subjects.add(load(work, names.get(j), builds.get(j)));
        }
        int count = subjects.size();
        List<List<Double>> millis = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            millis.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn < count; turn++) {
                int j = round % 2 == 0 ? turn : count - 1 - turn;
                for (int call = 0; call < block; call++) {
                    long start = System.nanoTime();
                    subjects.get(j).call().run();
                    long end = System.nanoTime();
                    if (round >= rounds / 4) {
                        millis.get(j).add((end - start) / 1e6);
                    }
                }
            }
        }
        for (Subject subject : subjects) {
            subject.tearDown().run();
        }
        List<Result> results = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            double[] sorted = millis.get(j).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            results.add(new Result(subjects.get(j).name(), sorted[sorted.length / 2], sorted[sorted.length / 4],
                    sorted[3 * sorted.length / 4], sorted.length));
        }
        return results;
    }

    /** The benchmark {@code work} names, from the class path {@code build}, set up in a class loader of its own. */
    private static Subject load(String work, String name, URL[] build) throws Exception {
        URLClassLoader loader = new URLClassLoader(build, ClassLoader.getPlatformClassLoader());
        String[] parts = work.split(":");
        PrintStream out = System.out;
        // The benchmarks print the backend and model when set up; keep the comparison's output to its results.
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            if (parts[0].equals("step") && parts.length == 2) {
                Class<?> type = loader.loadClass("io.jcnn.benchmarks.StepBenchmark");
                Object bench = type.getConstructor().newInstance();
                type.getField("backend").set(bench, "cpu");
                type.getField("workload").set(bench, parts[1]);
                type.getMethod("setUp").invoke(bench);
                Method step = type.getDeclaredMethod(parts[1].contains("-train-") ? "trainingStep" : "inference");
                step.setAccessible(true);
                Method tearDown = type.getMethod("tearDown");
                return new Subject(name, () -> invoke(step, bench), () -> invoke(tearDown, bench));
            }
            if (parts[0].equals("conv") && parts.length == 3) {
                Class<?> stateType = loader.loadClass("io.jcnn.benchmarks.ConvBenchmark$ConvState");
                Object state = stateType.getConstructor().newInstance();
                stateType.getField("backend").set(state, "cpu");
                stateType.getField("layer").set(state, parts[1]);
                stateType.getField("pass").set(state, parts[2]);
                stateType.getMethod("setUp").invoke(state);
                Class<?> type = loader.loadClass("io.jcnn.benchmarks.ConvBenchmark");
                Class<?> workType = loader.loadClass("io.jcnn.benchmarks.Work");
                Object bench = type.getConstructor().newInstance();
                Object counters = workType.getConstructor().newInstance();
                Method conv = type.getMethod("conv2d", stateType, workType);
                Method tearDown = stateType.getMethod("tearDown");
                return new Subject(name, () -> invoke(conv, bench, state, counters), () -> invoke(tearDown, state));
            }
        } finally {
            System.setOut(out);
        }
        throw new IllegalArgumentException("work must be step:WORKLOAD or conv:LAYER:PASS, got '" + work + "' ("
                + Arrays.toString(parts) + ")");
    }

    private static void invoke(Method method, Object target, Object... arguments) {
        try {
            method.invoke(target, arguments);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(method + " failed", e.getCause() != null ? e.getCause() : e);
        }
    }
}
