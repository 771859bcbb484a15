package org.dvgs.l1000;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.IngestConfig;
import org.dvgs.core.InputException;
import org.dvgs.output.IngestManifest;
import org.dvgs.output.Manifest;
import org.dvgs.output.TotalTime;
import org.dvgs.output.OutputDirectory;
import org.dvgs.output.Outputs;
import org.dvgs.output.StagedOutput;
import org.dvgs.pipeline.ValuationJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ingest} command: an L1000 GCTX or GCT file to the canonical source table.
 *
 * <p>Output under {@code --output DIR}: {@code signatures/} (Parquet: {@code sample_id}, {@code features} (float
 * array, genes in {@code genes/} order), every sample metadata field, and with a level 4 file {@code apc} and
 * {@code apc_replicates}), {@code genes/} (Parquet: {@code position}, {@code gene_id}) and {@code manifest.json}.
 * Both tables are staged under {@code _staging/} and moved into place together at the end, so a failed ingest
 * leaves no table behind and its re-run on the same output needs no overwrite.
 * Value it with {@code input.source.features.column = features} and {@code input.source.id-column = sample_id};
 * the value table joins back on {@code sample_id}.
 */
public final class IngestRun {
  private static final Logger LOG = LoggerFactory.getLogger(IngestRun.class);

  private IngestRun() {}

  /** Runs the ingest and returns the manifest. */
  public static IngestManifest run(SparkSession spark, DvgsConfig cfg) {
    cfg.ingest().requireInput();
    cfg.output().requirePath();
    try (OutputDirectory.Claim claim = Outputs.claim(spark, cfg, cfg.output().path(), "ingest")) {
      return ingest(spark, cfg);
    } catch (Exception e) {
      // Spark throws a failed job's SparkException undeclared: a RuntimeException catch would let an executor's
      // input error (a corrupt block of the matrix) out as a raw job failure.
      throw L1000Table.unwrap(e);
    }
  }

  private static IngestManifest ingest(SparkSession spark, DvgsConfig cfg) {
    long t0 = System.nanoTime();
    IngestConfig ic = cfg.ingest();
    ic.requireInput();
    cfg.output().requirePath();
    String out = cfg.output().path();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    IngestConfig.IngestFormat format = ic.resolvedFormat();
    L1000Table.GeneSelection sel = new L1000Table.GeneSelection(
        ic.genesIdsFile(), ic.genesField(), ic.genesValues(), ic.genesInfoFile(), ic.genesInfoIdColumn());
    // Both tables are written in full under _staging/ and moved into place at the end: a failed ingest leaves only
    // staging leftovers, which the next run on the same output removes.
    StagedOutput staged = new StagedOutput(hadoop, out, "");

    IngestManifest.Source source;
    Dataset<Row> table;
    L1000Table.Genes genes;
    Map<String, String> fields;
    if (format == IngestConfig.IngestFormat.GCTX) {
      int samples;
      List<GctxFile.Field> colFields;
      try (GctxFile f = GctxFile.open(ic.input(), hadoop)) {
        samples = f.samples();
        genes = L1000Table.selectGenes(ic.input(), f.rowIds(), f::rowFieldAsStrings, sel, hadoop);
        colFields = f.columnFields();
        source = new IngestManifest.Source(f.version(), samples, f.genes(), null);
      }
      fields = L1000Table.describeFields(colFields);
      table = L1000Table.readGctx(spark, ic.input(), samples, genes.index(), colFields, ic.blockRows());
    } else {
      GctFile f = GctFile.read(ic.input(), hadoop);
      genes = L1000Table.selectGenes(ic.input(), f.rowIds(), name -> {
        String[] v = f.rowMeta().get(name);
        if (v == null) {
          throw new InputException("GCT file " + ic.input() + " has no gene metadata field '" + org.dvgs.io.Printable.of(name) + "' (fields: " + org.dvgs.io.Printable.names(f.rowMeta().keySet()) + ")");
        }
        return v;
      }, sel, hadoop);
      fields = L1000Table.describeFields(L1000Table.kinds(f.columnMeta()));
      table = L1000Table.fromGct(spark, f, genes.index());
      source = new IngestManifest.Source(f.version(), f.samples(), f.genes(), null);
    }

    IngestManifest.Apc apcCounts = null;
    if (!ic.level4().isEmpty()) {
      if (!fields.containsKey(ic.replicateField())) {
        throw new InputException(ic.input() + " has no sample metadata field '" + ic.replicateField() + "' (dvgs.ingest.replicate-field) listing replicate ids; fields: " + org.dvgs.io.Printable.names(fields.keySet()));
      }
      Dataset<Row> replicates;
      try (GctxFile f4 = GctxFile.open(ic.level4(), hadoop)) {
        int[] idx = L1000Table.indexOf("level 4 file " + ic.level4(), f4.rowIds(), genes.ids());
        replicates = L1000Table.readGctx(spark, ic.level4(), f4.samples(), idx, List.of(), ic.blockRows());
        source = new IngestManifest.Source(source.version(), source.samples(), source.genes(), (long) f4.samples());
      }
      Dataset<Row> apc = Apc.compute(table, ic.replicateField(), replicates);
      table = table.join(apc, new String[] {L1000Table.ID}, "left").na().fill(0, new String[] {Apc.FOUND});
    }

    String sigPath = new Path(out, "signatures").toString();
    table.write().mode(SaveMode.Overwrite).parquet(staged.stagedTable("signatures"));
    Dataset<Row> written = spark.read().parquet(staged.stagedTable("signatures"));
    long rows = written.count();
    long distinctIds = written.select(L1000Table.ID).distinct().count();
    if (distinctIds != rows) {
      List<Row> dups = written.groupBy(L1000Table.ID).count().filter("count > 1").limit(5).collectAsList();
      throw new InputException(ic.input() + ": sample ids are not unique, e.g. " + dups);
    }
    if (!ic.level4().isEmpty()) {
      Row sum = written.agg(org.apache.spark.sql.functions.sum(Apc.FOUND)).first();
      apcCounts = new IngestManifest.Apc(written.filter(written.col(Apc.APC).isNotNull()).count(),
          written.filter(written.col(Apc.APC).isNull()).count(), sum.isNullAt(0) ? 0L : sum.getLong(0));
    }

    List<Row> geneRows = new java.util.ArrayList<>();
    for (int i = 0; i < genes.ids().length; i++) {
      geneRows.add(RowFactory.create(i, genes.ids()[i]));
    }
    spark.createDataFrame(geneRows, DataTypes.createStructType(List.of(
            DataTypes.createStructField("position", DataTypes.IntegerType, false),
            DataTypes.createStructField("gene_id", DataTypes.StringType, false))))
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(staged.stagedTable("genes"));
    staged.commitTables(List.of("genes", "signatures"));

    boolean apc = apcCounts != null;
    IngestManifest m = new IngestManifest(
        IngestManifest.COMMAND, ic.input(), format.name().toLowerCase(java.util.Locale.ROOT), source, ValuationJob.versions(spark), rows,
        genes.ids().length, sel.describe(), List.of(genes.ids()), fields, apc ? ic.level4() : null, apc ? ic.replicateField() : null, apcCounts,
        new IngestManifest.Output(sigPath, new Path(out, "genes").toString()), new TotalTime((System.nanoTime() - t0) / 1e9),
        Manifest.parse(cfg.toJson()));
    Manifest.write(hadoop, out, m);
    LOG.info("ingest {}: {} samples x {} genes ({}) -> {}", ic.input(), rows, genes.ids().length, sel.describe(), sigPath);
    return m;
  }
}
