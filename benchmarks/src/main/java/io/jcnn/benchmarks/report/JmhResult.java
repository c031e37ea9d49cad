package io.jcnn.benchmarks.report;

import java.util.List;
import java.util.Map;

/**
 * One entry of JMH's JSON results: a benchmark method with one combination of parameters, as run.
 *
 * @param benchmark the benchmark's full name, {@code package.Class.method}
 * @param mode      JMH's short mode name: thrpt, avgt, sample or ss
 * @param params    the {@code @Param} values, in JMH's order; empty for a benchmark without parameters
 * @param primary   the score of the benchmark method itself
 * @param secondary further metrics by name (auxiliary counters, profilers), in JMH's order
 */
record JmhResult(String benchmark, String mode, Map<String, String> params, Metric primary,
                 Map<String, Metric> secondary, Settings settings) {

    /**
     * A score with its unit and the values it summarises.
     *
     * @param samples the per-iteration scores of all forks, or the sample-mode histogram; just the score when JMH
     *                wrote no raw data
     */
    record Metric(double score, String unit, Samples samples) {
    }

    /** How the benchmark was run; strings as JMH wrote them, empty when absent. */
    record Settings(String jmhVersion, String jdkVersion, String vmName, String vmVersion, List<String> jvmArgs,
                    int forks, int threads, int warmupIterations, String warmupTime, int measurementIterations,
                    String measurementTime) {
    }

    /** {@code Class.method}: the name without its package, as tables show it. */
    String shortName() {
        return shortName(benchmark);
    }

    static String shortName(String benchmark) {
        int method = benchmark.lastIndexOf('.');
        int type = method < 0 ? -1 : benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(type + 1);
    }

    /** The parameters as {@code name=value, ...}, or "no parameters". */
    String paramsText() {
        if (params.isEmpty()) {
            return "no parameters";
        }
        StringBuilder text = new StringBuilder();
        params.forEach((name, value) -> text.append(text.length() == 0 ? "" : ", ").append(name).append('=')
                .append(value));
        return text.toString();
    }
}
