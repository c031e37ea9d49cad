package io.jcnn.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What each measured call did, counted as it runs: JMH reports every counter as a rate beside the calls per second,
 * so in a throughput benchmark {@code gflop} reads as GFLOP/s, {@code gbyte} as GB/s and {@code images} as images/s.
 * {@code deviceSeconds} adds the CUDA-event time of each call on a GPU backend: divided by the calls per second it is
 * the device time per call, to set beside the wall time (the difference is launch and host overhead).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Work {
    public double gflop;
    public double gbyte;
    public double images;
    public double deviceSeconds;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
        gbyte = 0;
        images = 0;
        deviceSeconds = 0;
    }
}
