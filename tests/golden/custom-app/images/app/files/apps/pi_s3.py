"""Estimates pi with Spark, writes the estimate to S3 and reads it back (the seed's application).

    spark-submit ... local:///opt/app/pi_s3.py --bucket BUCKET --prefix PREFIX [--samples N]
                                               [--partitions P] [--run ID]

The estimate is written as JSON to s3a://BUCKET/PREFIX/run=ID/ (ID defaults to the Spark
application id, so reruns do not overwrite each other), read back with a second Spark job, and
compared with what was written: the exit code is 0 when they agree, 1 when they do not, 2 for bad
arguments. S3A takes its credentials from the environment (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, which the stack passes to the driver and every executor by secretKeyRef) or,
on EKS, from the pod's IAM role (IRSA): none is an argument here.

Shipped into custom-app's `app` image by the stack's images[].files (stacks/custom-app.stack.yaml),
run by its `pi-s3` application (docs/applications.md).
"""

import argparse
import random
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(prog="pi_s3.py", description=__doc__.splitlines()[0])
    p.add_argument("--bucket", required=True, help="the S3 bucket to write to")
    p.add_argument("--prefix", required=True, help="the key prefix under the bucket")
    p.add_argument("--samples", type=int, default=1_000_000, help="random points (default 1e6)")
    p.add_argument("--partitions", type=int, default=8, help="Spark partitions (default 8)")
    p.add_argument("--run", default="", help="run id in the path (default: the application id)")
    args = p.parse_args(argv)
    if args.samples < 1 or args.partitions < 1:
        p.error("--samples and --partitions must be at least 1")
    if "/" in args.bucket or not args.bucket:
        p.error("--bucket is a bucket name, without s3a:// or /")
    args.prefix = args.prefix.strip("/")
    if not args.prefix:
        p.error("--prefix must name a key prefix")
    return args


def output_uri(bucket, prefix, run):
    return f"s3a://{bucket}/{prefix}/run={run}"


def inside(_):
    x, y = random.random() * 2 - 1, random.random() * 2 - 1
    return 1 if x * x + y * y <= 1 else 0


def estimate(spark, samples, partitions):
    hits = spark.sparkContext.parallelize(range(samples), partitions).map(inside).sum()
    return 4.0 * hits / samples


def same_result(written, read_back):
    """True when the rows read back are exactly the one row written."""
    return len(read_back) == 1 and read_back[0] == written


def main(argv):
    args = parse_args(argv)
    from pyspark.sql import Row, SparkSession  # here, so --help and the tests need no Spark

    spark = SparkSession.builder.appName("pi-s3").getOrCreate()
    try:
        run = args.run or spark.sparkContext.applicationId
        uri = output_uri(args.bucket, args.prefix, run)
        pi = estimate(spark, args.samples, args.partitions)
        written = {"run": run, "samples": args.samples, "pi": pi}
        spark.createDataFrame([Row(**written)]).coalesce(1).write.mode("overwrite").json(uri)
        rows = [r.asDict() for r in spark.read.json(uri).collect()]
        if not same_result(written, rows):
            print(f"pi_s3: {uri} holds {rows}, not the {written} written", file=sys.stderr)
            return 1
        print(f"pi is roughly {pi:.6f} ({args.samples} samples), written to and read back from {uri}")
        return 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
