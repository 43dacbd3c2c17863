#!/usr/bin/env python3
"""stacks/apps/pi_s3.py, the seed's application, without Spark (none is installed here).

  pi_s3_app.py PATH/TO/pi_s3.py

1. It compiles (py_compile) under this machine's python3.
2. Its arguments: the bucket, the prefix and the sizes are checked, bad ones exit 2.
3. Its logic runs against a stand-in for pyspark.sql (below, a test double: a SparkSession whose
   DataFrame writes go to a dict keyed by URI and whose reads return what the dict holds): with
   storage that keeps what was written it exits 0 and prints the estimate; with storage that
   hands back another value, or nothing, it exits 1; Spark is stopped either way. The estimate
   itself is computed by the script's own map function over the stand-in's parallelize.

What this does not exercise: Spark, S3A and MinIO (none runs here), so the write to s3a:// and
the read back through a real object store are not run; docs/applications.md says so.
"""
import contextlib
import importlib.util
import io
import os
import py_compile
import sys
import tempfile
import types

sys.dont_write_bytecode = True  # nothing written beside the script in the source tree

FAILED = []


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILED.append(what)


class Row(dict):
    def __init__(self, **kw):
        super().__init__(kw)

    def asDict(self):
        return dict(self)


class FakeSpark:
    """The part of SparkSession pi_s3.py uses. `storage` maps URIs to rows; `tamper` changes
    what a read returns."""

    def __init__(self, storage, tamper=None):
        self.storage, self.tamper, self.stopped = storage, tamper, False
        spark = self

        class RDD:
            def __init__(self, items):
                self.items = list(items)

            def map(self, f):
                return RDD(map(f, self.items))

            def sum(self):
                return sum(self.items)

        class Context:
            applicationId = "spark-application-1"

            def parallelize(self, items, partitions):
                assert partitions >= 1
                return RDD(items)

        class Writer:
            def __init__(self, rows):
                self.rows = rows

            def mode(self, m):
                assert m == "overwrite"
                return self

            def json(self, uri):
                spark.storage[uri] = [Row(**r) for r in self.rows]

        class Frame:
            def __init__(self, rows):
                self.rows = rows
                self.write = Writer(rows)

            def coalesce(self, n):
                return self

            def collect(self):
                return self.rows

        class Reader:
            def json(self, uri):
                rows = list(spark.storage.get(uri, []))
                return Frame(spark.tamper(rows) if spark.tamper else rows)

        self.sparkContext = Context()
        self.read = Reader()
        self.Frame = Frame

    def createDataFrame(self, rows):
        return self.Frame([dict(r) for r in rows])

    def stop(self):
        self.stopped = True


def load(path, spark):
    sql = types.ModuleType("pyspark.sql")

    class Builder:
        def appName(self, name):
            assert name == "pi-s3"
            return self

        def getOrCreate(self):
            return spark

    sql.SparkSession = types.SimpleNamespace(builder=Builder())
    sql.Row = Row
    sys.modules["pyspark"] = types.ModuleType("pyspark")
    sys.modules["pyspark.sql"] = sql
    spec = importlib.util.spec_from_file_location("pi_s3", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(module, argv):
    out, err = io.StringIO(), io.StringIO()
    code = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = module.main(argv)
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


def main(path):
    with tempfile.TemporaryDirectory() as tmp:
        py_compile.compile(path, doraise=True, cfile=os.path.join(tmp, "pi_s3.pyc"))
    check("pi_s3.py compiles", True)

    storage = {}
    spark = FakeSpark(storage)
    m = load(path, spark)
    args = ["--bucket", "results", "--prefix", "/pi/", "--samples", "4000", "--partitions", "4"]
    for bad in (["--prefix", "pi"], ["--bucket", "s3a://b", "--prefix", "pi"],
                ["--bucket", "b", "--prefix", "/"], ["--bucket", "b", "--prefix", "p", "--samples", "0"]):
        code, _, err = run(m, bad)
        check(f"bad arguments {bad} exit 2 ({err.strip().splitlines()[-1]})", code == 2)

    code, out, _ = run(m, args + ["--run", "r1"])
    uri = "s3a://results/pi/run=r1"
    check("agreeing storage: exit 0", code == 0)
    check("the result was written to s3a://BUCKET/PREFIX/run=RUN", list(storage) == [uri])
    row = storage[uri][0]
    check("one row: run, samples, pi", len(storage[uri]) == 1 and set(row) == {"run", "samples", "pi"})
    check("the estimate is near pi", abs(row["pi"] - 3.14159) < 0.2)
    check("it says what it read back", f"read back from {uri}" in out)
    check("Spark stopped", spark.stopped)

    code, _, _ = run(m, args)
    check("the run id defaults to the application id",
          code == 0 and "s3a://results/pi/run=spark-application-1" in storage)

    for what, tamper in [("another value", lambda rows: [Row(**dict(rows[0], pi=3.0))]),
                         ("nothing", lambda rows: []),
                         ("two rows", lambda rows: rows + rows)]:
        spark2 = FakeSpark({}, tamper)
        m2 = load(path, spark2)
        code, _, err = run(m2, args)
        check(f"storage that returns {what}: exit 1, said on stderr", code == 1 and "not the" in err)
        check(f"storage that returns {what}: Spark stopped", spark2.stopped)

    if FAILED:
        print(f"{len(FAILED)} failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
