package io.jcnn.cli;

import io.jcnn.model.EpochMetrics;
import io.jcnn.model.TrainingListener;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress for a terminal: a progress bar per epoch showing the batch, the running loss and accuracy and the
 * time left, replaced at the epoch's end by the epoch's summary line (as {@link LogLineListener} prints it).
 */
public final class ProgressBarListener implements TrainingListener {
    private static final int REDRAW_MILLIS = 200;

    private final PrintStream out;
    private final int width;
    private int epochs;
    private ProgressBar bar;
    private int barEpoch;

    /**
     * @param out   the terminal
     * @param width characters the bar may use, or 0 for the terminal's width
     */
    public ProgressBarListener(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    @Override
    public void onStart(int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
        out.printf("training: %d epochs of %d batches%n", epochs, batchesPerEpoch);
    }

    @Override
    public void onBatch(int epoch, int batchIndex, int batches, double runningLoss, double runningAccuracy) {
        if (bar == null || barEpoch != epoch) {
            closeBar();
            bar = newBar(epoch, batchIndex, batches);
            barEpoch = epoch;
        }
        bar.stepTo(batchIndex + 1L);
        bar.setExtraMessage(LogLineListener.runningMetrics(runningLoss, runningAccuracy));
    }

    private ProgressBar newBar(int epoch, int batchIndex, int batches) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName("epoch " + epoch + "/" + epochs)
                .setInitialMax(batches)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setUpdateIntervalMillis(REDRAW_MILLIS)
                .setConsumer(new SameLineConsumer(out, width))
                .clearDisplayOnFinish();
        if (batchIndex > 0) {
            // Resumed mid-epoch: time left is estimated from the batches this process runs.
            builder.startsFrom(batchIndex, Duration.ZERO);
        }
        return builder.build();
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
        closeBar();
        out.println(LogLineListener.epochLine(metrics, epochs));
    }

    @Override
    public void onFinish() {
        closeBar();
        out.println("training finished");
    }

    @Override
    public void onStop(String reason) {
        closeBar();
        out.println("training stopped: " + reason);
    }

    /**
     * Draws on the terminal's current line and, once cleared at the end, leaves the cursor at its start (the stock
     * consumer adds a line break there, which would leave an empty line before each epoch's summary).
     */
    private static final class SameLineConsumer extends ConsoleProgressBarConsumer {
        private final PrintStream terminal;

        /** {@code width} 0: the terminal's width. */
        SameLineConsumer(PrintStream terminal, int width) {
            super(terminal, width > 0 ? width : -1);
            this.terminal = terminal;
        }

        @Override
        public void close() {
            terminal.flush();
        }
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
