package org.dvgs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** JFreeChart charts rendered to PNG with one look: white background, light grid, a fixed palette. */
public final class Charts {
  /** Palette: blue, orange, green, red, purple, brown, pink, grey, then teal, olive, navy, gold (for up to 12 groups). */
  public static final Color[] PALETTE = {
    new Color(0x2b6cb0), new Color(0xdd6b20), new Color(0x38a169), new Color(0xc53030),
    new Color(0x805ad5), new Color(0x8c564b), new Color(0xd53f8c), new Color(0x718096),
    new Color(0x319795), new Color(0x808000), new Color(0x1a365d), new Color(0xd69e2e)};
  public static final int WIDTH = 900;
  public static final int HEIGHT = 480;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** A named series of points. */
  public record Series(String name, double[] x, double[] y) {}

  /** A series with a band: mean and standard deviation per x. */
  public record Band(String name, double[] x, double[] mean, double[] std) {}

  /** Overlaid histograms of several groups on shared bins. */
  public static byte[] histogram(String title, String xLabel, List<Series> groups, double binWidth) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series g : groups) {
      XYSeries s = new XYSeries(g.name(), true, false);
      for (int i = 0; i < g.x().length; i++) {
        s.add(g.x()[i], g.y()[i]);
      }
      data.addSeries(s);
    }
    // Bars centred on the bin centres given as x, one bin wide.
    data.setAutoWidth(false);
    data.setIntervalWidth(binWidth);
    data.setIntervalPositionFactor(0.5);
    JFreeChart chart = ChartFactory.createXYBarChart(title, xLabel, false, "fraction of rows in group", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    XYBarRenderer r = new XYBarRenderer(0.05);
    r.setBarPainter(new StandardXYBarPainter());
    r.setShadowVisible(false);
    for (int i = 0; i < groups.size(); i++) {
      Color c = PALETTE[i % PALETTE.length];
      r.setSeriesPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 130));
    }
    plot.setRenderer(r);
    return png(chart);
  }

  /** Lines; {@code dashed} series (by index) are drawn dashed. */
  public static byte[] lines(String title, String xLabel, String yLabel, List<Series> series, boolean unitSquare, int... dashed) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      data.addSeries(toXY(s));
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < series.size(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    for (int d : dashed) {
      r.setSeriesPaint(d, d == dashed[0] ? Color.DARK_GRAY : Color.GRAY);
      r.setSeriesStroke(d, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
    plot.setRenderer(r);
    if (unitSquare) {
      plot.getDomainAxis().setRange(0, 1);
      plot.getRangeAxis().setRange(0, 1.02);
    }
    return png(chart);
  }

  /** Mean lines with a shaded band of +/- one standard deviation. */
  public static byte[] bands(String title, String xLabel, String yLabel, List<Band> bands) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (Band b : bands) {
      YIntervalSeries s = new YIntervalSeries(b.name());
      for (int i = 0; i < b.x().length; i++) {
        s.add(b.x()[i], b.mean()[i], b.mean()[i] - b.std()[i], b.mean()[i] + b.std()[i]);
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    DeviationRenderer r = new DeviationRenderer(true, true);
    for (int i = 0; i < bands.size(); i++) {
      Color c = PALETTE[i % PALETTE.length];
      r.setSeriesPaint(i, c);
      r.setSeriesFillPaint(i, c);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    r.setAlpha(0.2f);
    plot.setRenderer(r);
    ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    return png(chart);
  }

  /** A scatter plot of small dots. */
  public static byte[] scatter(String title, String xLabel, String yLabel, List<Series> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      data.addSeries(toXY(s));
    }
    JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    for (int i = 0; i < series.size(); i++) {
      Color c = PALETTE[i % PALETTE.length];
      r.setSeriesPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 110));
      r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
    }
    plot.setRenderer(r);
    ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    return png(chart);
  }

  /**
   * A scatter plot whose last series is highlighted: drawn on top of the others as larger opaque black dots
   * (for example the rows a selection kept).
   */
  public static byte[] scatterHighlightLast(String title, String xLabel, String yLabel, List<Series> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    // JFreeChart draws the first series last, so the highlighted series goes first in the collection.
    data.addSeries(toXY(series.get(series.size() - 1)));
    for (int i = 0; i < series.size() - 1; i++) {
      data.addSeries(toXY(series.get(i)));
    }
    JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.REVERSE);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    r.setSeriesPaint(0, Color.BLACK);
    r.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-3.5, -3.5, 7, 7));
    for (int i = 1; i < series.size(); i++) {
      Color c = PALETTE[(i - 1) % PALETTE.length];
      r.setSeriesPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 110));
      r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
    }
    plot.setRenderer(r);
    ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    return png(chart);
  }

  private static XYSeries toXY(Series s) {
    XYSeries x = new XYSeries(s.name(), false, true);
    for (int i = 0; i < s.x().length; i++) {
      x.add(s.x()[i], s.y()[i]);
    }
    return x;
  }

  private static XYPlot style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xe2e8f0));
    plot.setRangeGridlinePaint(new Color(0xe2e8f0));
    plot.setOutlineVisible(false);
    return plot;
  }

  private static byte[] png(JFreeChart chart) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
