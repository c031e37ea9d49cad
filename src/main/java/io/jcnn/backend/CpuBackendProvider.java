package io.jcnn.backend;

import io.jcnn.backend.cpu.CpuBackend;

/** The pure-Java backend: available wherever Java runs, unless the system properties ask for what it cannot do. */
final class CpuBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String unavailableReason() {
        // Starting one is cheap, and it is the only check that sees every setting (such as jcnn.cpu.gemm=vector
        // without the Vector API module).
        try {
            new CpuBackend(1).close();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Override
    public Backend create(int threads) {
        return new CpuBackend(threads);
    }
}
