package io.jcnn.parallel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The devices of a data-parallel run, one replica each, as a user writes them: {@code cuda:0,cuda:1} for two GPUs,
 * {@code cuda:0,cuda:1,cuda:2,cuda:3} for four, or {@code cpu,cpu}, which splits the CPU's threads between two
 * replicas (slower than one CPU replica with every thread; it is there to run the parallel path where there is no
 * GPU). A GPU may appear once; CPU and GPU replicas do not mix, since the GPUs would wait for the CPU at every step.
 *
 * @param devices the device names, in rank order: {@code cpu} or {@code cuda:N}
 */
public record DeviceList(List<String> devices) {

    /**
     * @throws IllegalArgumentException when the list is empty or names a device twice
     */
    public DeviceList {
        devices = List.copyOf(devices);
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a device list needs at least one device");
        }
    }

    /**
     * Reads a comma-separated list; {@code cuda} alone means {@code cuda:0}.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code cpu} or {@code cuda:N}, a GPU listed twice,
     *                                  or a list that mixes the CPU with GPUs
     */
    public static DeviceList parse(String text) {
        List<String> devices = new ArrayList<>();
        Set<String> gpus = new HashSet<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.strip();
            String device;
            if (entry.equals("cpu")) {
                device = "cpu";
            } else if (entry.equals("cuda")) {
                device = "cuda:0";
            } else if (entry.matches("cuda:[0-9]{1,4}")) {
                device = "cuda:" + Integer.parseInt(entry.substring(5));
            } else {
                throw new IllegalArgumentException("device list '" + text + "': '" + entry + "' is not a device;"
                        + " expected cpu or cuda:N (N the GPU's number, from 0), separated by commas");
            }
            if (!device.equals("cpu") && !gpus.add(device)) {
                throw new IllegalArgumentException("device list '" + text + "' names " + device + " twice; each GPU"
                        + " holds one replica");
            }
            devices.add(device);
        }
        if (!gpus.isEmpty() && gpus.size() != devices.size()) {
            throw new IllegalArgumentException("device list '" + text + "' mixes the CPU with GPUs; the GPUs would"
                    + " wait for the CPU at every step: list GPUs only, or cpu only");
        }
        return new DeviceList(devices);
    }

    /** The number of replicas. */
    public int size() {
        return devices.size();
    }

    /** Whether every device is a GPU. */
    public boolean gpus() {
        return devices.stream().allMatch(d -> d.startsWith("cuda"));
    }

    @Override
    public String toString() {
        return String.join(",", devices);
    }
}
