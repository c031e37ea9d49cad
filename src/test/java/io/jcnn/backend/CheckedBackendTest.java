package io.jcnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcnn.backend.CheckedBackend.Difference;
import io.jcnn.backend.cpu.CpuBackend;
import io.jcnn.loss.SoftmaxCrossEntropyLoss;
import io.jcnn.model.Models;
import io.jcnn.model.Sequential;
import io.jcnn.optim.Sgd;
import io.jcnn.tensor.Shape;
import io.jcnn.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The checked backend on a LeNet training step: every op the step uses is recorded, with no difference between two
 * CPU backends (their results do not depend on the thread count), and a backend that gets one op slightly wrong is
 * caught on exactly that op.
 */
class CheckedBackendTest {

    private static Map<String, Difference> trainingStep(Backend tested) {
        try (CheckedBackend checked = new CheckedBackend(tested, new CpuBackend(2))) {
            Sequential model = Models.lenet();
            model.compile(checked, Shape.nchw(8, 1, 28, 28), 3);
            SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
            loss.compile(checked, model.outputShape());
            Sgd sgd = new Sgd(0.01f).withMomentum(0.9f);
            sgd.compile(checked, model.params());
            float[] labels = {0, 1, 2, 3, 4, 5, 6, 7};
            try (Tensor x = checked.tensor(Shape.nchw(8, 1, 28, 28), TestData.uniform(5, 8 * 784));
                 Tensor y = checked.tensor(loss.targetShape(model.outputShape()), labels)) {
                loss.compute(model.forward(x, true), y);
                model.backward(loss.gradient());
                sgd.step();
            } finally {
                sgd.close();
                loss.close();
                model.close();
            }
            return checked.differences().stream().collect(Collectors.toMap(Difference::op, d -> d));
        }
    }

    @Test
    void everyOpOfATrainingStepIsCheckedAndTwoCpuBackendsAgreeExactly() {
        // The same thread count: CPU results are reproducible per thread count, not across them.
        Map<String, Difference> differences = trainingStep(new CpuBackend(2));
        for (String op : List.of("conv2dForwardBias", "conv2dBackwardData", "conv2dBackwardFilter", "pool2dForward",
                "pool2dBackward", "gemm", "biasGradient", "activationForward RELU", "softmaxCrossEntropy", "sgdStep")) {
            Difference d = differences.get(op);
            assertTrue(d != null && d.calls() > 0, op + " was not checked: " + differences.keySet());
            assertEquals(0.0, d.maxAbsolute(), op + ": " + d);
        }
    }

    /** A CPU backend whose ReLU forward adds 0.01 to every output. */
    private static Backend reluOffByOneHundredth() {
        CpuBackend cpu = new CpuBackend(2);
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    for (int i = 0; args != null && i < args.length; i++) {
                        if (args[i] instanceof Tensor t && t.backend() == proxy) {
                            args[i] = t.viewOn(cpu);
                        }
                    }
                    try {
                        Object result = method.invoke(cpu, args);
                        if (method.getName().equals("activationForward")) {
                            Tensor y = (Tensor) args[2];
                            float[] values = y.toArray();
                            for (int i = 0; i < values.length; i++) {
                                values[i] += 0.01f;
                            }
                            y.copyFrom(values);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aWrongOpIsCaughtOnThatOp() {
        Map<String, Difference> differences = trainingStep(reluOffByOneHundredth());
        Difference relu = differences.get("activationForward RELU");
        assertEquals(0.01, relu.maxAbsolute(), 1e-6, relu.toString());
        assertEquals(0.0, differences.get("conv2dForwardBias").maxAbsolute(), "inputs are copied from the tested "
                + "backend, so ops before the wrong one agree");
        assertTrue(differences.get("gemm").maxAbsolute() == 0, "each op is checked on the tested backend's inputs: "
                + differences.get("gemm"));
    }
}
