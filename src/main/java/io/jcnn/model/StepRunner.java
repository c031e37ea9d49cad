package io.jcnn.model;

import io.jcnn.data.DataLoader;

/**
 * The device side of the training loop: uploads the next batch while the current step computes, then runs a step
 * (forward, loss, backward, update) on it. {@link Trainer} keeps the loop itself, the schedule, the metrics and the
 * checkpoints, whichever runner it drives: {@link SingleDeviceSteps} or {@link DataParallelSteps}.
 */
interface StepRunner extends AutoCloseable {

    /** Uploads {@code batch}; it becomes current at {@link #next()}. The loader may reuse its arrays afterwards. */
    void stage(DataLoader.Batch batch);

    /** Whether a staged batch waits for {@link #next()}. */
    boolean hasNext();

    /** Makes the staged batch current. */
    void next();

    /**
     * One training step on the current batch at learning rate {@code rate}, with dropout seeded by {@code seed}.
     *
     * @throws ArithmeticException when the loss is NaN or infinite; no parameter has changed then
     */
    Outcome run(long seed, float rate);

    @Override
    void close();

    /** What a step measured: its mean loss, and how many of its samples were classified right. */
    record Outcome(float loss, int correct, int size) {
    }
}
