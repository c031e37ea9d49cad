package io.jcnn.backend;

/**
 * Which backend a device request resolves to, and why; {@code auto} in particular says what it skipped.
 *
 * @param backend the device name that will run: {@code cpu} or {@code cuda}
 * @param reason  one line, for example {@code "cuda unavailable: this build of jcnn has no CUDA backend yet"}
 */
public record BackendChoice(String backend, String reason) {
}
