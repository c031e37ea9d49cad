package io.jcnn.backend.cuda;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** How many times each op ran on each implementation: the record tests check to know which tier really ran. */
final class OpTally {
    private static final CudaTier[] TIERS = CudaTier.values();

    private final Map<String, long[]> counts = new HashMap<>();

    void add(String op, CudaTier implementation) {
        counts.computeIfAbsent(op, k -> new long[TIERS.length])[implementation.ordinal()]++;
    }

    long count(String op, CudaTier implementation) {
        long[] c = counts.get(op);
        return c == null ? 0 : c[implementation.ordinal()];
    }

    /** Every non-zero count, keyed {@code "op on tier"}, in name order. */
    Map<String, Long> snapshot() {
        Map<String, Long> all = new TreeMap<>();
        counts.forEach((op, c) -> {
            for (CudaTier tier : TIERS) {
                if (c[tier.ordinal()] > 0) {
                    all.put(op + " on " + tier.label(), c[tier.ordinal()]);
                }
            }
        });
        return all;
    }
}
