package io.jcnn.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CpuInfoTest {
    @Test
    void modelNameAndProcessorCount() {
        CpuInfo cpu = CpuInfo.parse("""
                processor\t: 0
                vendor_id\t: AuthenticAMD
                model name\t: AMD EPYC 7B13
                flags\t\t: fpu vme

                processor\t: 1
                vendor_id\t: AuthenticAMD
                model name\t: AMD EPYC 7B13
                """);
        assertEquals(new CpuInfo("AMD EPYC 7B13", 2), cpu);
    }

    @Test
    void withoutAModelNameTheModelIsUnknown() {
        // as on some ARM kernels
        CpuInfo cpu = CpuInfo.parse("processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n");
        assertEquals(new CpuInfo("unknown (no \"model name\" in /proc/cpuinfo)", 1), cpu);
    }
}
