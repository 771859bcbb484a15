package org.dvgs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Charts of the report, drawn with JFreeChart and returned as PNG bytes for {@link HtmlPage#image}. All share one
 * look (white background, light grid, the fonts and sizes below) and one meaning per colour: {@link #CLEAN} and
 * {@link #CORRUPTED} rows everywhere, {@link #seedColor} for per-seed curves, {@link #REFERENCE} for reference
 * lines (optimal, random).
 *
 * <p>Rendering needs no display: this class switches AWT to headless mode before any AWT class is touched, and the
 * launchers pass {@code -Djava.awt.headless=true} as well.
 */
public final class Charts {
  static {
    // Before the first AWT class below initialises the toolkit (GraphicsEnvironment caches the mode).
    System.setProperty("java.awt.headless", "true");
  }

  /** Clean rows (and "lowest values removed", the filter that should help). */
  public static final Color CLEAN = new Color(0x2b6cb0);
  /** Corrupted rows (and "highest values removed", the filter that should hurt). */
  public static final Color CORRUPTED = new Color(0xdd6b20);
  /** A second kind of corruption shown beside {@link #CORRUPTED} (label corruption in the noise scatter). */
  public static final Color CORRUPTED_OTHER = new Color(0x9b2c2c);
  /** Reference lines: optimal and random curves, diagonals. */
  public static final Color REFERENCE = new Color(0x4a5568);
  /** Per-seed curves, in seed order; none is blue or orange, which mean clean and corrupted. */
  private static final Color[] SEEDS = {
    new Color(0x2c7a7b), new Color(0x805ad5), new Color(0xb7791f), new Color(0xd53f8c), new Color(0x38a169),
    new Color(0x744210), new Color(0x3182ce), new Color(0x718096)};
  /** Width of every chart in pixels. */
  public static final int WIDTH = 960;
  /** Height of every chart in pixels. */
  public static final int HEIGHT = 500;

  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
  private static final Font AXIS_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Color GRID = new Color(0xe2e8f0);

  private Charts() {}

  /**
   * Fails early, with the fix in the message, when the JVM finds no fonts to draw text with (a bare container image
   * without fontconfig or any font package); otherwise the first chart would fail deep inside AWT.
   */
  public static void requireFonts() {
    String[] families;
    try {
      families = java.awt.GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames();
    } catch (RuntimeException | LinkageError | InternalError e) {
      throw new IllegalStateException("cannot draw charts: the JVM found no fonts (" + e + "); install fontconfig and a "
          + "font package, e.g. apt-get install fontconfig fonts-dejavu-core", e);
    }
    if (families.length == 0) {
      throw new IllegalStateException("cannot draw charts: the JVM found no fonts; install fontconfig and a font package, "
          + "e.g. apt-get install fontconfig fonts-dejavu-core");
    }
  }

  /** Colour of the {@code i}-th seed's curve (0-based position in the run's seed list). */
  public static Color seedColor(int i) {
    return SEEDS[Math.floorMod(i, SEEDS.length)];
  }

  /**
   * A named series of points.
   *
   * @param color line, bar or dot colour
   * @param dashed draw as a thin dashed line (reference curves)
   */
  public record Series(String name, double[] x, double[] y, Color color, boolean dashed) {
    /** A solid series. */
    public Series(String name, double[] x, double[] y, Color color) {
      this(name, x, y, color, false);
    }
  }

  /** A mean curve with a band of one standard deviation at each x. */
  public record Band(String name, double[] x, double[] mean, double[] std, Color color) {}

  /**
   * Overlaid histograms on shared bins, drawn translucent so both groups stay visible.
   *
   * @param groups x = bin centres, y = bar heights
   * @param binWidth width of every bin, in x units
   */
  public static byte[] histogram(String title, String xLabel, String yLabel, List<Series> groups, double binWidth) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series g : groups) {
      data.addSeries(toXY(g));
    }
    data.setAutoWidth(false);
    data.setIntervalWidth(binWidth);
    data.setIntervalPositionFactor(0.5);
    JFreeChart chart = ChartFactory.createXYBarChart(title, xLabel, false, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    XYBarRenderer r = new XYBarRenderer(0.04);
    r.setBarPainter(new StandardXYBarPainter());
    r.setShadowVisible(false);
    r.setDrawBarOutline(false);
    for (int i = 0; i < groups.size(); i++) {
      r.setSeriesPaint(i, translucent(groups.get(i).color(), 140));
    }
    plot.setRenderer(r);
    return png(chart);
  }

  /**
   * Lines without markers.
   *
   * @param unitSquare fix both axes to [0, 1] (ROC and discovery curves)
   */
  public static byte[] lines(String title, String xLabel, String yLabel, List<Series> series, boolean unitSquare) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      data.addSeries(toXY(s));
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      r.setSeriesPaint(i, s.color());
      r.setSeriesStroke(i, s.dashed() ? dashedStroke() : new BasicStroke(2.2f));
    }
    plot.setRenderer(r);
    if (unitSquare) {
      plot.getDomainAxis().setRange(0, 1);
      plot.getRangeAxis().setRange(0, 1.02);
    }
    return png(chart);
  }

  /** Mean curves with markers and a shaded band of plus or minus one standard deviation. */
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
      Color c = bands.get(i).color();
      r.setSeriesPaint(i, c);
      r.setSeriesFillPaint(i, c);
      r.setSeriesStroke(i, new BasicStroke(2.2f));
      r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
    }
    r.setAlpha(0.18f);
    plot.setRenderer(r);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    // The first point is usually at x = 0 (nothing removed): keep its marker clear of the axis.
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeStickyZero(false);
    return png(chart);
  }

  /** Small translucent dots, one series per colour. */
  public static byte[] scatter(String title, String xLabel, String yLabel, List<Series> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      data.addSeries(toXY(s));
    }
    JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    for (int i = 0; i < series.size(); i++) {
      r.setSeriesPaint(i, translucent(series.get(i).color(), 120));
      r.setSeriesShape(i, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
      // Larger legend swatches: 5-pixel translucent dots are hard to read there.
      r.setLegendShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
    }
    plot.setRenderer(r);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    // Points at x = 0 (rows without noise) would sit on the axis line: keep a margin below the smallest x.
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeStickyZero(false);
    return png(chart);
  }

  /**
   * Small translucent dots, one series per colour, with the last series highlighted: drawn on top of the others as
   * larger opaque dots in its colour (for example the rows a selection kept).
   */
  public static byte[] scatterHighlightLast(String title, String xLabel, String yLabel, List<Series> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    // With the reverse rendering order the first series in the collection is drawn last, on top.
    data.addSeries(toXY(series.get(series.size() - 1)));
    for (int i = 0; i < series.size() - 1; i++) {
      data.addSeries(toXY(series.get(i)));
    }
    JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = style(chart);
    plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.REVERSE);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    r.setSeriesPaint(0, series.get(series.size() - 1).color());
    r.setSeriesShape(0, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
    r.setLegendShape(0, new Ellipse2D.Double(-5, -5, 10, 10));
    for (int i = 1; i < series.size(); i++) {
      r.setSeriesPaint(i, translucent(series.get(i - 1).color(), 120));
      r.setSeriesShape(i, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
      r.setLegendShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
    }
    plot.setRenderer(r);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    return png(chart);
  }

  private static XYSeries toXY(Series s) {
    // Not auto-sorted, duplicates allowed: a curve keeps its order (ROC points share x within a tie group).
    XYSeries x = new XYSeries(s.name(), false, true);
    for (int i = 0; i < s.x().length; i++) {
      x.add(s.x()[i], s.y()[i]);
    }
    return x;
  }

  private static BasicStroke dashedStroke() {
    return new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f);
  }

  private static Color translucent(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }

  private static XYPlot style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(TITLE);
    chart.getTitle().setPaint(new Color(0x1a202c));
    LegendTitle legend = chart.getLegend();
    if (legend != null) {
      legend.setItemFont(LEGEND);
      legend.setPosition(RectangleEdge.BOTTOM);
      legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
    }
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setDomainGridlineStroke(new BasicStroke(1f));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setOutlinePaint(GRID);
    for (ValueAxis axis : new ValueAxis[] {plot.getDomainAxis(), plot.getRangeAxis()}) {
      axis.setLabelFont(AXIS_LABEL);
      axis.setTickLabelFont(TICKS);
      axis.setAxisLinePaint(REFERENCE);
    }
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
