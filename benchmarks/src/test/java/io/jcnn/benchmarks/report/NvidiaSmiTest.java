package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaSmiTest {
    private static final MachineDescription.Gpu H100 = new MachineDescription.Gpu("NVIDIA H100 80GB HBM3",
            "550.54.15", "1980 MHz", "2619 MHz", "1980 MHz", "2619 MHz", "81559 MiB");

    @Test
    void parsesALinePerGpu() {
        NvidiaSmi.Answer answer = NvidiaSmi.parse("""
                NVIDIA H100 80GB HBM3, 550.54.15, 1980 MHz, 2619 MHz, 1980 MHz, 2619 MHz, 81559 MiB
                Tesla T4, 550.54.15, 300 MHz, 405 MHz, 1590 MHz, 5001 MHz, 15360 MiB
                """);
        assertEquals(List.of(H100, new MachineDescription.Gpu("Tesla T4", "550.54.15", "300 MHz", "405 MHz",
                "1590 MHz", "5001 MHz", "15360 MiB")), answer.gpus());
        assertEquals("", answer.note());
    }

    @Test
    void aCommaInTheNameStaysInTheName() {
        NvidiaSmi.Answer answer = NvidiaSmi.parse("Board, rev 2, 535.1, [N/A], 405 MHz, 1590 MHz, 5001 MHz, 1 MiB");
        assertEquals("Board, rev 2", answer.gpus().get(0).name());
        assertEquals("[N/A]", answer.gpus().get(0).smClock());
        assertEquals("1 MiB", answer.gpus().get(0).memoryTotal());
    }

    @Test
    void anUnexpectedAnswerIsANoteNotAnError() {
        NvidiaSmi.Answer answer = NvidiaSmi.parse("Field \"clocks.max.foo\" is not a valid field to query.");
        assertEquals(List.of(), answer.gpus());
        assertEquals("GPU unknown (nvidia-smi answered \"Field \"clocks.max.foo\" is not a valid field to query.\"; "
                + "expected 7 fields: " + NvidiaSmi.QUERY + ")", answer.note());
        assertEquals("no GPU (nvidia-smi lists none)", NvidiaSmi.parse("\n").note());
    }

    @Test
    void withoutNvidiaSmiThereIsNoGpu() {
        NvidiaSmi.Answer answer = NvidiaSmi.query(List.of("no-such-nvidia-smi-here", "--query-gpu=name"));
        assertEquals(new NvidiaSmi.Answer(List.of(), "no GPU (nvidia-smi not found)"), answer);
    }

    @Test
    void aFailingNvidiaSmiIsNamedWithItsMessage() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh to stand in for nvidia-smi");
        NvidiaSmi.Answer answer = NvidiaSmi.query(List.of("/bin/sh", "-c",
                "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9"));
        assertEquals("no GPU (nvidia-smi failed with exit status 9: NVIDIA-SMI has failed because it could not "
                + "communicate with the NVIDIA driver.)", answer.note());
    }

    @Test
    void readsTheAnswerOfTheCommand() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh to stand in for nvidia-smi");
        NvidiaSmi.Answer answer = NvidiaSmi.query(List.of("/bin/sh", "-c", "echo 'NVIDIA H100 80GB HBM3, "
                + "550.54.15, 1980 MHz, 2619 MHz, 1980 MHz, 2619 MHz, 81559 MiB'"));
        assertEquals(List.of(H100), answer.gpus());
    }
}
