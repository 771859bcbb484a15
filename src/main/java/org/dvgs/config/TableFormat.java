package org.dvgs.config;

/** Input table format. Written in configs in kebab case. */
public enum TableFormat {
  AUTO, PARQUET, CSV
}
