package io.jcnn.backend.cuda;

/** The device could not provide a block even after the allocator freed its cache; the message names the sizes. */
public final class DeviceOutOfMemoryException extends RuntimeException {
    /** An exception with {@code message}, which should name the requested and available sizes. */
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }
}
