package io.jcnn.cli;

import io.jcnn.model.EpochMetrics;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Draws a run's training curves as a PNG: two panels side by side, loss (left) and accuracy in percent (right), each
 * with a training and a test line against the epoch number. Drawn off-screen, so it works without a display.
 */
public final class TrainingCurveChart {
    /** Name of the chart's file in the run directory. */
    public static final String FILE = "training-curves.png";
    /** Default image width, in pixels. */
    public static final int DEFAULT_WIDTH = 1200;
    /** Default image height, in pixels. */
    public static final int DEFAULT_HEIGHT = 450;
    private static final Color TRAIN_COLOR = new Color(31, 119, 180);
    private static final Color TEST_COLOR = new Color(255, 127, 14);

    static {
        // Must precede AWT's first use; a caller that chose otherwise keeps its choice.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private TrainingCurveChart() {
    }

    /**
     * Writes the chart as a PNG, atomically.
     *
     * @param history epochs, oldest first; at least one
     * @param width   pixels, at least 200 (each panel gets half)
     * @param height  pixels, at least 150
     */
    public static void write(List<EpochMetrics> history, Path file, int width, int height) throws IOException {
        PngFiles.write(file, render(history, width, height));
    }

    /** The chart as an RGB image of {@code width × height} pixels; see {@link #write} for the arguments. */
    public static BufferedImage render(List<EpochMetrics> history, int width, int height) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("training curves need at least one epoch of metrics, got none");
        }
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("training-curve chart must be at least 200×150 pixels, got "
                    + width + "×" + height);
        }
        int leftWidth = width / 2;
        // Legends in the corner the curves usually leave empty: loss falls, accuracy rises.
        XYChart loss = panel("Loss", "loss", leftWidth, height, Styler.LegendPosition.InsideNE);
        addSeries(loss, history, "train", EpochMetrics::trainLoss, TRAIN_COLOR);
        addSeries(loss, history, "test", EpochMetrics::testLoss, TEST_COLOR);
        XYChart accuracy = panel("Accuracy", "accuracy (%)", width - leftWidth, height, Styler.LegendPosition.InsideSE);
        addSeries(accuracy, history, "train", m -> 100 * m.trainAccuracy(), TRAIN_COLOR);
        addSeries(accuracy, history, "test", m -> 100 * m.testAccuracy(), TEST_COLOR);

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        try {
            graphics.drawImage(BitmapEncoder.getBufferedImage(loss), 0, 0, null);
            graphics.drawImage(BitmapEncoder.getBufferedImage(accuracy), leftWidth, 0, null);
        } finally {
            graphics.dispose();
        }
        return image;
    }

    private static XYChart panel(String title, String yAxisTitle, int width, int height,
                                 Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("epoch").yAxisTitle(yAxisTitle).build();
        chart.getStyler()
                .setLegendPosition(legend)
                .setChartBackgroundColor(Color.WHITE)
                .setAntiAlias(true)
                .setMarkerSize(6);
        return chart;
    }

    /** Adds one line, leaving out epochs without the value; a series with no values at all is not drawn. */
    private static void addSeries(XYChart chart, List<EpochMetrics> history, String name,
                                  ToDoubleFunction<EpochMetrics> value, Color color) {
        double[] epochs = history.stream().filter(m -> Double.isFinite(value.applyAsDouble(m)))
                .mapToDouble(EpochMetrics::epoch).toArray();
        double[] values = history.stream().mapToDouble(value).filter(Double::isFinite).toArray();
        if (values.length > 0) {
            XYSeries series = chart.addSeries(name, epochs, values);
            series.setLineColor(color);
            series.setMarkerColor(color);
        }
    }
}
