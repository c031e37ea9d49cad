package io.jcnn.parallel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceListTest {

    @Test
    void readsGpusAndCpusInRankOrder() {
        DeviceList gpus = DeviceList.parse("cuda:1, cuda,cuda:03");
        assertEquals(List.of("cuda:1", "cuda:0", "cuda:3"), gpus.devices());
        assertTrue(gpus.gpus());
        assertEquals(3, gpus.size());
        assertEquals("cuda:1,cuda:0,cuda:3", gpus.toString());
        DeviceList cpus = DeviceList.parse("cpu,cpu,cpu");
        assertEquals(List.of("cpu", "cpu", "cpu"), cpus.devices());
        assertFalse(cpus.gpus());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cuda:0,,cuda:1|device list 'cuda:0,,cuda:1': '' is not a device; expected cpu or cuda:N (N the GPU's"
                    + " number, from 0), separated by commas",
            "gpu0|device list 'gpu0': 'gpu0' is not a device; expected cpu or cuda:N (N the GPU's number, from 0),"
                    + " separated by commas",
            "cuda:-1|device list 'cuda:-1': 'cuda:-1' is not a device; expected cpu or cuda:N (N the GPU's number,"
                    + " from 0), separated by commas",
            "cuda:0,cuda|device list 'cuda:0,cuda' names cuda:0 twice; each GPU holds one replica",
            "cpu,cuda:0|device list 'cpu,cuda:0' mixes the CPU with GPUs; the GPUs would wait for the CPU at every"
                    + " step: list GPUs only, or cpu only",
    })
    void refusesWhatIsNotAListOfDistinctDevicesOfOneKind(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> DeviceList.parse(text))
                .getMessage());
    }

    @Test
    void anEmptyListIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DeviceList(List.of()));
    }
}
