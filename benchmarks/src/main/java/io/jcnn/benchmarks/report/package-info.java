/**
 * Benchmark reports anyone can read: JMH's JSON results as Markdown tables, with the machine that produced them and
 * ratios against earlier results.
 *
 * <ul>
 *   <li>{@link io.jcnn.benchmarks.report.MachineDescription} collects the machine (CPU, memory, OS, JDK, GPUs with
 *       driver and clocks from nvidia-smi, jcnn's CUDA probe) and stores it beside a results file:
 *       {@code gemm.json} gets {@code gemm.machine.properties}, a UTF-8 Java properties file.</li>
 *   <li>{@link io.jcnn.benchmarks.report.BenchmarkReport} is the summary command,
 *       {@code report RESULTS.json [--baseline EARLIER.json ...] [--out REPORT.md]}.</li>
 * </ul>
 *
 * <p>Results are compared as time per call, the median over all measured iterations of all forks, whatever JMH's
 * mode and time unit; the counters of {@code io.jcnn.benchmarks.Work} become GFLOP/s, GB/s, images/s and device time
 * per call.
 */
package io.jcnn.benchmarks.report;
