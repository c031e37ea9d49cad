package io.jcnn.cli;

import static io.jcnn.cli.CliRun.jcnn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.BackendStatus;
import io.jcnn.backend.Backends;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void infoReportsTheRuntimeAndEveryBackend() {
        CliRun run = jcnn("info");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.err());
        List<String> lines = run.outLines();
        assertTrue(lines.get(0).matches("jcnn \\d+\\.\\d+\\.\\d+.*"), run.toString());
        assertTrue(lines.contains("java:        " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ", " + System.getProperty("java.vm.name") + ")"), run.toString());
        assertTrue(lines.contains("cpu cores:   " + Runtime.getRuntime().availableProcessors()), run.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("max heap:    \\d+\\.\\d [KMGT]iB")), run.toString());
        // The tests run with the Vector API module, as the launcher does.
        assertTrue(lines.contains("vector api:  loaded"), run.toString());
        assertTrue(lines.contains("backends:"), run.toString());
        int cores = Runtime.getRuntime().availableProcessors();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  cpu    available    cpu: pure Java, " + cores
                + " threads, ") && l.contains(", gemm: ")), run.toString());
        BackendStatus cuda = Backends.report(1).get(1);
        if (cuda.available()) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("  cuda   available    cuda: ")), run.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("device auto: cpu (cuda not chosen: ")),
                    run.toString());
        } else {
            assertTrue(lines.contains("  cuda   unavailable  " + cuda.detail()), run.toString());
            assertTrue(lines.contains("device auto: cpu (cuda unavailable: " + cuda.detail() + ")"), run.toString());
        }
        // The CUDA stack, one line per part, each loaded with its version or missing with what to install.
        int stack = lines.indexOf("cuda stack:");
        assertTrue(stack > 0, run.toString());
        for (int i = 0; i < 4; i++) {
            assertTrue(lines.get(stack + 1 + i).matches("  (driver|cuBLAS|cuDNN|kernels) +(loaded|missing) +.+"),
                    run.toString());
        }
        // Whether several GPUs would reduce through NCCL.
        assertTrue(lines.get(stack + 5).matches("nccl: +(NCCL 2\\.\\d+\\.\\d+: jcnn train --devices reduces through it"
                + "|unavailable \\(--devices reduces through host memory\\): .+)"), run.toString());
        // What a green build proves without a GPU, and what only a GPU proves.
        int testing = lines.indexOf("cuda testing:");
        assertTrue(testing > stack, run.toString());
        assertTrue(lines.get(testing + 1).startsWith("  without a GPU (every build, on jcnn's emulated CUDA driver)"),
                run.toString());
        assertTrue(lines.get(testing + 2).startsWith("  only on a real GPU: "), run.toString());
    }

    @Test
    void versionNamesTheBuildVersion() {
        CliRun run = jcnn("--version");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().matches("jcnn \\d+\\.\\d+\\.\\d+[-A-Za-z0-9.]*\\R"), run.toString());
        assertEquals(VersionProvider.version(), run.out().strip().substring("jcnn ".length()));
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRun run = jcnn("--help");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("Usage: jcnn "), run.toString());
        for (String name : Main.commandNames()) {
            assertTrue(run.out().contains("\n  " + name + " "), name + " missing from\n" + run);
        }
        assertTrue(run.out().contains("--debug"), run.toString());
        assertEquals("", run.err());
    }

    @Test
    void everyCommandHasHelp() {
        assertEquals(List.of("train", "eval", "predict", "explain", "export", "import", "download", "info", "help"), Main.commandNames());
        for (String name : Main.commandNames()) {
            CliRun run = jcnn(name, "--help");
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.out().contains("Usage: jcnn " + name + " "), run.toString());
            assertEquals("", run.err(), run.toString());
        }
        CliRun helpInfo = jcnn("help", "info");
        assertEquals(0, helpInfo.exitCode(), helpInfo.toString());
        assertTrue(helpInfo.out().startsWith("Usage: jcnn info"), helpInfo.toString());
    }

    @Test
    void infoNamesTheVectorWidthAndEachConvolutionsAlgorithms() {
        CliRun run = jcnn("info", "--model", "alexnet32", "--device", "cpu", "--batch-size", "128");
        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = run.outLines();
        assertTrue(lines.stream().anyMatch(l -> l.matches("cpu vectors: (256|512) bits, (8|16) floats per vector.*")),
                run.toString());
        int plan = lines.indexOf(lines.stream().filter(l -> l.startsWith("model alexnet32, input 128×1×32×32, on cpu: "))
                .findFirst().orElseThrow(() -> new AssertionError(run.toString())));
        for (int conv = 1; conv <= 5; conv++) {
            String line = lines.get(plan + conv);
            assertTrue(line.startsWith("  conv" + conv + " ") && line.contains("forward by ")
                    && line.contains(", backward-data by ") && line.contains(", backward-filter by "), run.toString());
        }
        assertEquals(plan + 6, lines.size(), "one line per convolution:\n" + run.out());
    }

    @Test
    void infoRejectsAnUnknownModelByName() {
        CliRun run = jcnn("info", "--model", "resnet");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("jcnn: --model: ") && run.err().contains("resnet"), run.toString());
    }

    @Test
    void unknownOptionIsAUsageErrorOnOneLine() {
        CliRun run = jcnn("--bogus");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(List.of("jcnn: Unknown option: '--bogus'"), run.errLines());
        assertEquals("", run.out());

        CliRun sub = jcnn("info", "--frobnicate");
        assertEquals(2, sub.exitCode(), sub.toString());
        assertEquals(List.of("jcnn: Unknown option: '--frobnicate'"), sub.errLines());
    }

    @Test
    void unknownCommandIsAUsageErrorOnOneLine() {
        CliRun run = jcnn("frobnicate");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.err().startsWith("jcnn: ") && run.err().contains("frobnicate"), run.toString());
        assertFalse(run.err().contains("\tat "), run.toString());
    }

    @Test
    void missingCommandSaysWhichExist() {
        CliRun run = jcnn();
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(List.of("jcnn: a command is required: one of train, eval, predict, explain, export, import, download, info, help (see jcnn --help)"), run.errLines());
    }

    @Test
    void debugAddsTheStackTrace() {
        CliRun flag = jcnn("--debug", "--bogus");
        assertEquals(2, flag.exitCode(), flag.toString());
        assertEquals("jcnn: Unknown option: '--bogus'", flag.errLines().get(0));
        assertTrue(flag.err().contains("\tat picocli."), flag.toString());

        CliRun variable = CliRun.jcnnWith(Map.of("JCNN_DEBUG", "1"), "--bogus");
        assertTrue(variable.err().contains("\tat picocli."), variable.toString());

        CliRun off = CliRun.jcnnWith(Map.of("JCNN_DEBUG", "0"), "--bogus");
        assertEquals(1, off.errLines().size(), off.toString());
    }

    @Test
    void debugAfterTheSeparatorIsNotTheOption() {
        assertTrue(Main.debugRequested(new String[] {"info", "--debug"}, Map.of()));
        assertFalse(Main.debugRequested(new String[] {"predict", "--", "--debug"}, Map.of()));
        assertFalse(Main.debugRequested(new String[] {"info"}, Map.of("JCNN_DEBUG", "false")));
    }

    @Test
    void byteCountsUseBinaryUnits() {
        assertEquals("512 B", InfoCommand.bytes(512));
        assertEquals("1.5 KiB", InfoCommand.bytes(1536));
        assertEquals("2.0 GiB", InfoCommand.bytes(2L << 30));
        assertEquals("unlimited", InfoCommand.bytes(Long.MAX_VALUE));
    }
}
