package io.jcnn.backend;

/**
 * Whether one kind of backend can run on this machine, as {@code jcnn info} prints it.
 *
 * @param name      the device name ({@code cpu}, {@code cuda})
 * @param available whether {@link Backends#create} can make one
 * @param detail    when available, the backend's {@link Backend#description()}; otherwise why not
 */
public record BackendStatus(String name, boolean available, String detail) {
}
