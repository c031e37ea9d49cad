package io.jcnn.model;

import io.jcnn.optim.Optimizer;

/**
 * One replica of a data-parallel run ({@link io.jcnn.parallel.Replicas}): a model and its optimizer, compiled on one
 * device for that device's share of the batch. Closing it closes both.
 *
 * @param model     the model, compiled for the batch divided by the number of replicas
 * @param optimizer its optimizer, compiled for the model's parameters
 */
public record TrainingReplica(Sequential model, Optimizer optimizer) implements AutoCloseable {

    @Override
    public void close() {
        try (Sequential m = model) {
            optimizer.close();
        }
    }
}
