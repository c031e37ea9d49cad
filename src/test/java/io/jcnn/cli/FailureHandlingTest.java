package io.jcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.Backend;
import io.jcnn.backend.BackendStatus;
import io.jcnn.backend.Backends;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.backend.cuda.CudaException;
import io.jcnn.backend.cuda.DeviceOutOfMemoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Failures inside a command, and the shared device options, through Main's handling. */
class FailureHandlingTest {

    /** Creates its backend and prints it, or fails as asked. */
    @Command(name = "compute", mixinStandardHelpOptions = true)
    static final class ComputeCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DeviceOptions device;
        @Option(names = "--fail")
        String fail;
        @Option(names = "--debug")
        boolean debug;

        @Override
        public Integer call() throws Exception {
            if (fail != null) {
                switch (fail) {
                    case "argument" -> throw new IllegalArgumentException("batch size must be at least 1, got 0");
                    case "missing" -> throw new NoSuchFileException("/data/mnist");
                    case "unchecked" -> throw new UncheckedIOException(new NoSuchFileException("model.ckpt"));
                    case "io" -> throw new IOException("checkpoint model.ckpt is corrupted:\nchecksum mismatch");
                    case "bug" -> throw new NullPointerException("boom");
                    case "heap" -> throw new OutOfMemoryError("Java heap space");
                    case "save" -> throw new UncheckedIOException("cannot save checkpoint runs/c.jcnn: No space left"
                            + " on device (after epoch 3); the previous checkpoint is intact",
                            new IOException("cannot save checkpoint runs/c.jcnn: No space left on device"));
                    case "device-memory" -> throw new DeviceOutOfMemoryException("cuda: out of device memory"
                            + " allocating 2.0 GiB: the device has 1.0 GiB free");
                    case "cuda" -> throw new CudaException("cuda: cuModuleLoadData failed with"
                            + " CUDA_ERROR_UNSUPPORTED_PTX_VERSION (module gemm.ptx)");
                    default -> throw new AssertionError(fail);
                }
            }
            try (Backend backend = device.createBackend()) {
                spec.commandLine().getOut().println(backend.name() + " " + ((CpuBackend) backend).threads());
            }
            return 0;
        }
    }

    private static CliRun compute(String... args) {
        return CliRun.command(new ComputeCommand(), Map.of(), args);
    }

    private static void assertFailure(int code, String line, CliRun run) {
        assertEquals(code, run.exitCode(), run.toString());
        assertEquals(List.of("jcnn: " + line), run.errLines());
    }

    @Test
    void deviceOptionsCreateTheBackend() {
        CliRun run = compute("--device", "cpu", "--threads", "2");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("cpu 2\n", run.out());
        CliRun auto = compute("--threads", "1");
        assertEquals("cpu 1\n", auto.out());
    }

    @Test
    void badDeviceValuesAreUsageErrors() {
        assertFailure(2, "--device must be one of auto, cpu, cuda, got 'gpu'", compute("--device", "gpu"));
        assertFailure(2, "--threads must be at least 1, got 0", compute("--threads", "0"));
        assertFailure(2, "Invalid value for option '--threads': 'many' is not an int", compute("--threads", "many"));
    }

    @Test
    void unavailableDeviceIsARuntimeFailure() {
        BackendStatus cuda = Backends.report(1).get(1);
        Assumptions.assumeFalse(cuda.available(), "this machine has a CUDA device");
        assertFailure(1, "device cuda is not available: " + cuda.detail(), compute("--device", "cuda"));
    }

    @Test
    void userMistakesPrintTheirMessage() {
        assertFailure(1, "batch size must be at least 1, got 0", compute("--fail", "argument"));
        assertFailure(1, "no such file or directory: /data/mnist", compute("--fail", "missing"));
        assertFailure(1, "no such file or directory: model.ckpt", compute("--fail", "unchecked"));
        assertFailure(1, "checkpoint model.ckpt is corrupted:; checksum mismatch", compute("--fail", "io"));
    }

    @Test
    void deviceFailuresPrintTheirMessageNotAnInternalError() {
        assertFailure(1, "cuda: out of device memory allocating 2.0 GiB: the device has 1.0 GiB free",
                compute("--fail", "device-memory"));
        assertFailure(1, "cuda: cuModuleLoadData failed with CUDA_ERROR_UNSUPPORTED_PTX_VERSION (module gemm.ptx)",
                compute("--fail", "cuda"));
    }

    @Test
    void bugsSayHowToSeeMore() {
        assertFailure(1, "internal error: java.lang.NullPointerException: boom (run with --debug for the stack trace)",
                compute("--fail", "bug"));
        CliRun debug = compute("--fail", "bug", "--debug");
        assertEquals(1, debug.exitCode());
        assertTrue(debug.errLines().size() > 2, debug.toString());
        assertTrue(debug.err().contains("\tat io.jcnn.cli.FailureHandlingTest$ComputeCommand.call"), debug.toString());
    }

    /** picocli hands only Exceptions to the handler: an Error (heap exhausted) used to end in a raw stack trace. */
    @Test
    void runningOutOfHeapIsOneLine() {
        assertFailure(1, "out of memory (Java heap space): give Java more heap, for example JCNN_JAVA_OPTS=-Xmx8g, or"
                + " use a smaller batch", compute("--fail", "heap"));
    }

    /** A wrapped I/O failure keeps the context its wrapper gave it (which checkpoint, which epoch, what survives). */
    @Test
    void aFailedSaveKeepsItsContext() {
        assertFailure(1, "cannot save checkpoint runs/c.jcnn: No space left on device (after epoch 3); the previous"
                + " checkpoint is intact", compute("--fail", "save"));
    }
}
