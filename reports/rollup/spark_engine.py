"""Spark in local mode (or on the cluster ``--master`` names): the same roll-up SQL as DuckDB.

Table access lives here and only here: each table is read from its verified files with an
explicit schema (``county`` a string, ``year`` an integer; nothing inferred), one read per
export folder, and the year selection is a temporary view over it. Needs the ``spark``
extra (pyspark) and Java 17 or later (``scripts/sysdeps.sh`` installs it on Debian).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from functools import reduce
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.parquet as pq
from fupin.reports import parquet_format as fmt
from fupin.reports import row_digest
from fupin.reports.rollup.views import COUNTIES, counties_table, full_schema, view_filters

if TYPE_CHECKING:
    from fupin.reports.rollup.dataset import Dataset
    from fupin.reports.row_digest import Sums
    from pyspark.sql import DataFrame, SparkSession


class SparkUnavailable(Exception):
    """pyspark or Java is missing (the message says how to install them)."""


def spark_session(master: str = "local[*]", memory: str = "2g") -> SparkSession:
    """A quiet Spark session for roll-ups (no UI, no progress bars, errors only)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(
            "--engine spark 需要 pyspark: pip install 'fupin-ledger[spark]'"
        ) from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkUnavailable(
            "--engine spark 需要 Java 17 或更高版本: Debian/Ubuntu 上运行 "
            "sudo apt-get install default-jre-headless (在源码目录中也可运行 scripts/sysdeps.sh)"
        )
    log4j = resources.files("fupin.reports.rollup") / "log4j2.properties"
    if master.startswith("local"):  # one machine: listen on the loopback only
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # this Python, should one be needed
    builder = (
        SparkSession.builder.master(master)
        .appName("fupin-rollup")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(max(2, (os.cpu_count() or 1) * 2)))
        .config("spark.driver.memory", memory)
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log4j}")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: say so, without Java's stack
        raise SparkUnavailable(
            f"Spark 未能启动 (did not start): {str(exc).splitlines()[0]}"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkEngine:
    """Temporary views over the verified files in a Spark session."""

    name = "spark"

    def __init__(self, dataset: Dataset, *, session: SparkSession | None = None) -> None:
        self.owned = session is None
        self.spark = session or spark_session()
        # small tables made here go through Parquet files too, so that Spark never needs a
        # Python worker (a local Python list would be a Python RDD)
        self._tmp = tempfile.TemporaryDirectory(prefix="fupin-spark-")
        for table in dataset.files:
            frame = self._read(dataset, table)
            frame.createOrReplaceTempView(f"{table}_files")
        self._local(counties_table(dataset), COUNTIES).createOrReplaceTempView("counties")
        for view, where in view_filters(dataset.year).items():
            self.spark.sql(
                f"CREATE OR REPLACE TEMPORARY VIEW {view} AS SELECT * FROM {view}_files {where}"
            )

    def _read(self, dataset: Dataset, table: str) -> DataFrame:
        schema = _struct(full_schema(table))
        frames = [
            self.spark.read.schema(schema)
            .option("basePath", str(root / table))
            .parquet(*(str(f.path) for f in files))
            for root, files in sorted(dataset.by_root(table).items())
        ]
        if not frames:
            return self._local(full_schema(table).empty_table(), full_schema(table))
        return reduce(lambda a, b: a.unionByName(b), frames)

    def _local(self, table: pa.Table, schema: pa.Schema) -> DataFrame:
        path = Path(self._tmp.name) / f"local-{len(list(Path(self._tmp.name).iterdir()))}.parquet"
        pq.write_table(table, path)
        return self.spark.read.schema(_struct(schema)).parquet(str(path))

    def run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of one query."""
        frame = self.spark.sql(sql)
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def close(self) -> None:
        if self.owned:
            self.spark.stop()
        self._tmp.cleanup()


def file_sums(spark: SparkSession, table: str, paths: list[Path]) -> dict[Path, Sums]:
    """Each file's rows, amount totals and row digest computed by Spark with the same SQL
    definition as DuckDB's (:func:`fupin.reports.row_digest.checks_sql`); files without
    rows have none. The roll-up verifies on DuckDB before any engine reads; this is the
    same check where only Spark reaches the files."""
    from pyspark.sql import functions as f

    frame = (
        spark.read.schema(_struct(fmt.TABLES[table]))
        .parquet(*(str(p) for p in paths))
        .withColumn("filename", f.col("_metadata.file_path"))
    )
    frame.createOrReplaceTempView("fupin_file_sums")
    query = row_digest.checks_sql(fmt.TABLES[table], "spark", "fupin_file_sums", "filename")
    return {
        Path(unquote(urlparse(uri).path)): row_digest.sums(rest)
        for uri, *rest in spark.sql(query).collect()
    }


def _struct(schema: pa.Schema) -> Any:
    from pyspark.sql import types as t

    return t.StructType([t.StructField(f.name, _type(f.type), True) for f in schema])


def _type(kind: pa.DataType) -> Any:
    from pyspark.sql import types as t

    if pa.types.is_decimal(kind):
        return t.DecimalType(kind.precision, kind.scale)
    simple = {
        pa.string(): t.StringType(),
        pa.int64(): t.LongType(),
        pa.int32(): t.IntegerType(),
        pa.date32(): t.DateType(),
        pa.bool_(): t.BooleanType(),
    }
    return simple[kind]
