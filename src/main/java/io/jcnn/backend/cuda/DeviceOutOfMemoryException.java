package io.jcnn.backend.cuda;

/** The device could not provide a block even after the allocator freed its cache; the message names the sizes. */
public final class DeviceOutOfMemoryException extends RuntimeException {
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }
}
