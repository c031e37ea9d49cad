package io.jcnn.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.HeatMapStyler;

/**
 * Draws a confusion matrix as a heat map (XChart): one row per true class, top to bottom, one column per predicted
 * class; each cell shows the percentage of the row's images predicted as its column, white at 0 to blue at 100.
 */
final class ConfusionMatrixChart {
    static {
        // Must precede AWT's first use; a caller that chose otherwise keeps its choice.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ConfusionMatrixChart() {
    }

    /** {@code confusion[label][predicted]} counts as an image of about {@code size × size} pixels. */
    static BufferedImage render(int[][] confusion, String title, int size) {
        int classes = confusion.length;
        List<String> predicted = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            predicted.add(Integer.toString(c));
            labels.add(Integer.toString(classes - 1 - c)); // the chart's y axis runs upwards
        }
        List<Number[]> cells = new ArrayList<>();
        for (int label = 0; label < classes; label++) {
            int total = 0;
            for (int count : confusion[label]) {
                total += count;
            }
            for (int c = 0; c < classes; c++) {
                double percent = total == 0 ? 0 : 100.0 * confusion[label][c] / total;
                cells.add(new Number[] {c, classes - 1 - label, percent});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(size).height(size).title(title)
                .xAxisTitle("predicted class").yAxisTitle("true class").build();
        HeatMapStyler styler = chart.getStyler();
        styler.setShowValue(true)
                .setMin(0)
                .setMax(100)
                .setRangeColors(new Color[] {Color.WHITE, new Color(107, 174, 214)})
                .setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, size / (5 * classes))))
                .setValueFontColor(Color.BLACK)
                .setHeatMapValueDecimalPattern("0.0");
        styler.setLegendVisible(false);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesVisible(false);
        styler.setChartTitleBoxVisible(false);
        chart.addSeries("confusion", predicted, labels, cells);
        return BitmapEncoder.getBufferedImage(chart);
    }
}
