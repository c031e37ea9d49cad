package io.jcnn.cli;

import io.jcnn.model.EpochMetrics;
import io.jcnn.model.TrainingListener;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Training progress as plain lines, for logs and pipes: one line about every tenth of an epoch's batches and one per
 * epoch, for example
 * <pre>
 * epoch 2/10  batch 94/938  loss 0.2114  accuracy 93.61%
 * epoch 2/10  train loss 0.0938 accuracy 97.12%  test loss 0.0712 accuracy 97.80%  1712 images/s  35.0 s  lr 0.01
 * </pre>
 */
public final class LogLineListener implements TrainingListener {
    /** Progress lines per epoch, at most. */
    private static final int LINES_PER_EPOCH = 10;

    private final PrintStream out;
    private int epochs;

    /** A listener printing its lines to {@code out}. */
    public LogLineListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStart(int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
        out.printf(Locale.ROOT, "training: %d epochs of %d batches%n", epochs, batchesPerEpoch);
    }

    @Override
    public void onBatch(int epoch, int batchIndex, int batches, double runningLoss, double runningAccuracy) {
        int done = batchIndex + 1;
        int interval = Math.max(1, (batches + LINES_PER_EPOCH - 1) / LINES_PER_EPOCH);
        // The epoch's last batch is reported by its epoch line.
        if (done % interval == 0 && done < batches) {
            out.printf(Locale.ROOT, "epoch %d/%d  batch %d/%d  %s%n", epoch, epochs, done, batches,
                    runningMetrics(runningLoss, runningAccuracy));
        }
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
        out.println(epochLine(metrics, epochs));
    }

    @Override
    public void onFinish() {
        out.println("training finished");
    }

    @Override
    public void onStop(String reason) {
        out.println("training stopped: " + reason);
    }

    /** {@code loss 0.2114  accuracy 93.61%}. */
    static String runningMetrics(double loss, double accuracy) {
        return String.format(Locale.ROOT, "loss %.4f  accuracy %.2f%%", loss, 100 * accuracy);
    }

    /** The summary line of one epoch (shared with the progress-bar display). */
    static String epochLine(EpochMetrics m, int epochs) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "epoch %d/%d  train loss %.4f accuracy %.2f%%", m.epoch(), epochs, m.trainLoss(),
                100 * m.trainAccuracy()));
        if (m.hasTestMetrics()) {
            line.append(String.format(Locale.ROOT, "  test loss %.4f accuracy %.2f%%", m.testLoss(),
                    100 * m.testAccuracy()));
        }
        line.append(String.format(Locale.ROOT, "  %.0f images/s  %.1f s  lr %s", m.imagesPerSecond(),
                m.wallSeconds(), threeDigits(m.learningRate())));
        return line.toString();
    }

    /** A learning rate in at most three significant digits, without exponent or trailing zeros: 0.01, 0.000125. */
    static String threeDigits(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
