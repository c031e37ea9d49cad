package io.jcnn.model;

import io.jcnn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/** Buffers the output, keeping a running CRC32C, and appends it as the trailer. */
final class CheckpointOutput {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    CheckpointOutput(FileChannel channel) {
        this.channel = channel;
    }

    void bytes(byte[] b) throws IOException {
        room(b.length);
        buffer.put(b);
    }

    void int8(int v) throws IOException {
        room(1);
        buffer.put((byte) v);
    }

    void int32(int v) throws IOException {
        room(4);
        buffer.putInt(v);
    }

    void int64(long v) throws IOException {
        room(8);
        buffer.putLong(v);
    }

    void float32(float v) throws IOException {
        room(4);
        buffer.putFloat(v);
    }

    void string(String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int32(utf8.length);
        for (int i = 0; i < utf8.length; i += buffer.capacity()) {
            int n = Math.min(buffer.capacity(), utf8.length - i);
            room(n);
            buffer.put(utf8, i, n);
        }
    }

    void dims(int[] dims) throws IOException {
        int32(dims.length);
        for (int d : dims) {
            int32(d);
        }
    }

    /** A layer count (0 for none), then each layer's kind, name and settings. */
    void architecture(List<LayerSpec> layers) throws IOException {
        int32(layers.size());
        for (LayerSpec layer : layers) {
            string(layer.kind());
            string(layer.name());
            Map<String, String> sorted = new TreeMap<>(layer.settings());
            int32(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                string(e.getKey());
                string(e.getValue());
            }
        }
    }

    void tensor(String name, Tensor t) throws IOException {
        string(name);
        dims(t.shape().dims());
        for (float v : t.toArray()) {
            float32(v);
        }
    }

    void finish() throws IOException {
        flush();
        ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).flip();
        while (trailer.hasRemaining()) {
            channel.write(trailer);
        }
    }

    private void room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
