package io.jcnn.model;

import io.jcnn.data.DataLoader;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.optim.Optimizer;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;

/** Training steps of one model on one device. */
final class SingleDeviceSteps implements StepRunner {
    private final Sequential model;
    private final Optimizer optimizer;
    private final SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
    private final BatchUploads uploads;
    private final float[] logits;
    private final int classes;
    private BatchUploads.Slot current;

    SingleDeviceSteps(Sequential model, Optimizer optimizer, Shape input, int classes) {
        this.model = model;
        this.optimizer = optimizer;
        this.classes = classes;
        this.logits = new float[input.dim(0) * classes];
        try {
            loss.compile(model.backend(), model.outputShape());
            uploads = new BatchUploads(model.backend(), input, loss.targetShape(model.outputShape()));
        } catch (RuntimeException e) {
            loss.close();
            throw e;
        }
    }

    @Override
    public void stage(DataLoader.Batch batch) {
        uploads.stage(batch);
    }

    @Override
    public boolean hasNext() {
        return uploads.hasNext();
    }

    @Override
    public void next() {
        current = uploads.next();
    }

    @Override
    public Outcome run(long seed, float rate) {
        optimizer.setLearningRate(rate);
        model.reseed(seed);
        Tensor output = model.forward(current.images(), true);
        float value = loss.compute(output, current.labels());
        output.backend().download(output, logits);
        int correct = Trainer.countCorrect(logits, current.hostLabels(), current.size(), classes);
        model.backward(loss.gradient());
        optimizer.step();
        return new Outcome(value, correct, current.size());
    }

    @Override
    public void close() {
        try (SoftmaxCrossEntropyLoss l = loss) {
            uploads.close();
        }
    }
}
