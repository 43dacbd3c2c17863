#!/usr/bin/env bash
# Makes the STAND-IN artifacts of the offline quickstart (quickstart.stack.yaml) in a local mirror:
#
#   MIRROR/spark/spark-V/spark-V-bin-hadoop3.tgz (+ .sha512)   a Spark distribution with the real
#       layout (RELEASE, jars/, bin/, sbin/, python/pyspark/version.py, kubernetes/dockerfiles,
#       ...) whose jars are tiny placeholders and whose scripts only say they are stand-ins
#   MIRROR/maven2/<group>/<artifact>/<v>/<artifact>-<v>.jar (+ .sha1)   the stack's extra jars
#   MIRROR/kyuubi/apache-kyuubi-standin-bin.tgz (+ .sha512)              a Kyuubi stand-in
#   MIRROR/pypi/simple/<project>/<wheel>                                 stand-in wheels for the
#       notebook image (pyspark-client, jupyterhub, jupyterlab, marimo), a PEP 503 index that
#       `python3 -m http.server` serves as is
#
# NOTHING HERE IS APACHE SPARK: the files only have the names and places real ones have, so image
# builds, labels and `stackctl check --image` can be exercised offline. Serve the mirror with
#   python3 -m http.server 38517 --bind 127.0.0.1 --directory MIRROR
#
# Usage: make-standin-dist.sh MIRROR
# Versions (environment, defaults match quickstart.stack.yaml):
#   SPARK_VERSION=4.0.1 SCALA_BINARY=2.13 HADOOP_VERSION=3.4.1 AWS_SDK_VERSION=2.24.6
#   PYSPARK_VERSION=4.0.1
#   SCALA_FULL=2.13.16   scala-library's version in jars/ (Spark 4.0.0's distribution ships
#                        scala-library-2.13.16.jar; not verified for 4.0.1: a stand-in name only)
#   PY4J_VERSION=0.10.9.9  (apache/spark 4.0 line, per lance-spark docker/versions.mk)
# Output is deterministic: fixed mtimes, owners and file order, gzip without a timestamp.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 MIRROR" >&2
  exit 2
fi
mirror="$1"
spark="${SPARK_VERSION:-4.0.1}"
scala="${SCALA_BINARY:-2.13}"
scala_full="${SCALA_FULL:-2.13.16}"
hadoop="${HADOOP_VERSION:-3.4.1}"
sdk="${AWS_SDK_VERSION:-2.24.6}"
pyspark="${PYSPARK_VERSION:-4.0.1}"
py4j="${PY4J_VERSION:-0.10.9.9}"
notice="STAND-IN made by stackctl's examples/quickstart/make-standin-dist.sh: not Apache Spark"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$mirror"

# Python for the zip files (jars, wheels): the system one starts fastest.
py="$(command -v /usr/bin/python3 || command -v python3)"

# A tiny jar (a zip holding only a manifest) saying what it stands in for.
placeholder_jar() {
  "$py" - "$1" "$notice" <<'PY'
import os, sys, zipfile
out, notice = sys.argv[1:]
title = os.path.basename(out).rsplit(".", 1)[0]
manifest = f"Manifest-Version: 1.0\nCreated-By: {notice}\nImplementation-Title: {title}\n"
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(1980, 1, 1, 0, 0, 0)), manifest)
PY
}

# A script that only says it is a stand-in (and fails, so nothing mistakes it for the real one).
standin_script() {
  printf '#!/bin/sh\necho "%s: %s is a stand-in and runs nothing" >&2\nexit 1\n' \
    "$notice" "$(basename "$1")" > "$1"
  chmod 0755 "$1"
}

deterministic_tgz() {  # SRC_PARENT DIR_NAME OUT
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf - "$2" |
    gzip -n -9 > "$3"
}

make_spark() {
  local name="spark-$spark-bin-hadoop3" root
  root="$work/$name"
  mkdir -p "$root"/{jars,bin,sbin,conf,data,examples/jars,licenses,R,yarn,python/pyspark,python/lib}
  mkdir -p "$root/kubernetes/dockerfiles/spark"
  printf 'Spark %s (git revision 0000000000) built for Hadoop %s\nBuild flags: %s\n' \
    "$spark" "$hadoop" "$notice" > "$root/RELEASE"
  local j
  for j in "spark-core_$scala-$spark" "spark-sql_$scala-$spark" "spark-catalyst_$scala-$spark" \
           "spark-kubernetes_$scala-$spark" "spark-connect_$scala-$spark" \
           "scala-library-$scala_full" "hadoop-client-api-$hadoop" \
           "hadoop-client-runtime-$hadoop" "py4j-$py4j"; do
    placeholder_jar "$root/jars/$j.jar"
  done
  placeholder_jar "$root/examples/jars/spark-examples_$scala-$spark.jar"
  for j in spark-submit spark-class spark-shell pyspark beeline load-spark-env.sh; do
    standin_script "$root/bin/$j"
  done
  for j in start-connect-server.sh start-history-server.sh spark-daemon.sh start-thriftserver.sh; do
    standin_script "$root/sbin/$j"
  done
  standin_script "$root/kubernetes/dockerfiles/spark/decom.sh"
  standin_script "$root/kubernetes/dockerfiles/spark/entrypoint.sh"
  printf '# %s\n__version__: str = "%s"\n' "$notice" "$pyspark" > "$root/python/pyspark/version.py"
  printf '# %s\n' "$notice" > "$root/python/pyspark/__init__.py"
  placeholder_jar "$root/python/lib/py4j-$py4j-src.zip"
  printf '# %s\n' "$notice" > "$root/conf/spark-defaults.conf.template"
  printf '%s\n' "$notice" > "$root/LICENSE"
  mkdir -p "$mirror/spark/spark-$spark"
  deterministic_tgz "$work" "$name" "$mirror/spark/spark-$spark/$name.tgz"
  (cd "$mirror/spark/spark-$spark" && sha512sum "$name.tgz" > "$name.tgz.sha512")
}

make_maven_jar() {  # GROUP ARTIFACT VERSION
  local dir="$mirror/maven2/${1//.//}/$2/$3" file="$2-$3.jar"
  mkdir -p "$dir"
  placeholder_jar "$dir/$file"
  (cd "$dir" && sha1sum "$file" | cut -d' ' -f1 > "$file.sha1")
}

make_kyuubi() {
  local name="apache-kyuubi-standin-bin" root
  root="$work/$name"
  mkdir -p "$root"/{bin,conf,jars}
  standin_script "$root/bin/kyuubi"
  placeholder_jar "$root/jars/kyuubi-server_$scala-standin.jar"
  printf '# %s\n' "$notice" > "$root/conf/kyuubi-defaults.conf.template"
  mkdir -p "$mirror/kyuubi"
  deterministic_tgz "$work" "$name" "$mirror/kyuubi/$name.tgz"
  # Apache publishes a .sha512 beside each Kyuubi release too; `stackctl lock` reads it.
  (cd "$mirror/kyuubi" && sha512sum "$name.tgz" > "$name.tgz.sha512")
}

# A pure-Python wheel: one module printing that it is a stand-in, and console scripts that do too.
make_wheel() {  # PROJECT VERSION MODULE [SCRIPT...]
  local project="$1" version="$2" module="$3"
  shift 3
  local dir="$mirror/pypi/simple/$project"
  mkdir -p "$dir"
  "$py" - "$dir" "$project" "$version" "$module" "$notice" "$@" <<'PY'
import base64, hashlib, sys, zipfile
out, project, version, module, notice, *scripts = sys.argv[1:]
dist = project.replace("-", "_")
info = f"{dist}-{version}.dist-info"
files = {
    f"{module}/__init__.py": f'"""{notice}."""\n__version__ = "{version}"\n\n'
    f'def main():\n    import sys\n    print("{project} {version}: {notice}", file=sys.stderr)\n'
    f'    return 1\n',
    f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n"
    f"Summary: {notice}\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: stackctl-standin\nRoot-Is-Purelib: true\n"
    "Tag: py3-none-any\n",
    f"{info}/entry_points.txt": "[console_scripts]\n"
    + "".join(f"{s} = {module}:main\n" for s in scripts),
}
record = ""
for name, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
    record += f"{name},sha256={digest.decode()},{len(text.encode())}\n"
record += f"{info}/RECORD,,\n"
files[f"{info}/RECORD"] = record
with zipfile.ZipFile(f"{out}/{dist}-{version}-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(files):
        z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), files[name])
PY
}

make_spark
make_maven_jar org.apache.hadoop hadoop-aws "$hadoop"
make_maven_jar software.amazon.awssdk bundle "$sdk"
make_kyuubi
# "+standin" local versions: `pyspark-client==4.0.1` still matches (PEP 440), and pip's freeze
# output shows plainly what was installed.
make_wheel pyspark-client "$pyspark+standin" pyspark pyspark
make_wheel jupyterhub "0.0.0+standin" jupyterhub_standin jupyterhub jupyterhub-singleuser
make_wheel jupyterlab "0.0.0+standin" jupyterlab_standin jupyter jupyter-lab
make_wheel marimo "0.0.0+standin" marimo_standin marimo
echo "stand-in mirror ready: $mirror" >&2
