#!/bin/bash
# Entrypoint of images built from stackctl's spark-base recipe (and every image FROM one).
#
# Follows the official Spark image (apache/spark-docker) so Spark on Kubernetes can drive it:
#   driver ARGS...    spark-submit in client mode, bound to $SPARK_DRIVER_BIND_ADDRESS
#   executor          the Kubernetes executor backend, configured by Spark's SPARK_* variables
#   anything else     run as given (servers, notebooks, a shell)
# Every process runs under tini, which reaps zombies and forwards signals; pass-through commands
# get `tini -g` so a wrapper script's JVM child receives SIGTERM too.
set -eo pipefail

# Random uids (OpenShift, runAsUser) have no passwd entry, which Hadoop's user lookup needs.
fake_passwd_entry() {
  local uid gid wrapper
  uid="$(id -u)"
  getent passwd "$uid" > /dev/null 2>&1 && return 0
  for wrapper in {/usr,}/lib{/*,}/libnss_wrapper.so; do
    [ -s "$wrapper" ] || continue
    gid="$(id -g)"
    NSS_WRAPPER_PASSWD="$(mktemp)"
    NSS_WRAPPER_GROUP="$(mktemp)"
    printf 'spark:x:%s:%s:%s:%s:/bin/false\n' "$uid" "$gid" "${SPARK_USER_NAME:-anonymous uid}" \
      "$SPARK_HOME" > "$NSS_WRAPPER_PASSWD"
    printf 'spark:x:%s:\n' "$gid" > "$NSS_WRAPPER_GROUP"
    export LD_PRELOAD="$wrapper" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
    return 0
  done
}

# Runs as the spark user when started as root (the driver and executor never run as root).
as_spark() {
  if [ "$(id -u)" -eq 0 ]; then exec gosu spark "$@"; fi
  exec "$@"
}

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(java -XshowSettings:properties -version 2>&1 > /dev/null | awk '/java.home/ {print $3}')"
fi

SPARK_CLASSPATH="${SPARK_CLASSPATH:-}:${SPARK_HOME}/jars/*"
SPARK_EXECUTOR_JAVA_OPTS=()
for v in "${!SPARK_JAVA_OPT_@}"; do
  SPARK_EXECUTOR_JAVA_OPTS+=("${!v}")
done
if [ -n "${SPARK_EXTRA_CLASSPATH:-}" ]; then
  SPARK_CLASSPATH="$SPARK_CLASSPATH:$SPARK_EXTRA_CLASSPATH"
fi
if [ -n "${HADOOP_HOME:-}" ] && [ -z "${SPARK_DIST_CLASSPATH:-}" ]; then
  export SPARK_DIST_CLASSPATH="$("$HADOOP_HOME/bin/hadoop" classpath)"
fi
if [ -n "${HADOOP_CONF_DIR+x}" ]; then
  SPARK_CLASSPATH="$HADOOP_CONF_DIR:$SPARK_CLASSPATH"
fi
if [ -n "${SPARK_CONF_DIR+x}" ]; then
  SPARK_CLASSPATH="$SPARK_CONF_DIR:$SPARK_CLASSPATH"
else
  SPARK_CLASSPATH="$SPARK_HOME/conf:$SPARK_CLASSPATH"
fi
# SPARK-43540: the working directory is on the executor's classpath.
SPARK_CLASSPATH="$SPARK_CLASSPATH:$PWD"

case "${1:-}" in
  driver)
    shift
    fake_passwd_entry
    as_spark /usr/bin/tini -s -- "$SPARK_HOME/bin/spark-submit" \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS}" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=${SPARK_DRIVER_BIND_ADDRESS}" \
      --deploy-mode client \
      "$@"
    ;;
  executor)
    shift
    fake_passwd_entry
    as_spark /usr/bin/tini -s -- "${JAVA_HOME}/bin/java" \
      "${SPARK_EXECUTOR_JAVA_OPTS[@]}" \
      -Xms"$SPARK_EXECUTOR_MEMORY" -Xmx"$SPARK_EXECUTOR_MEMORY" \
      -cp "$SPARK_CLASSPATH:${SPARK_DIST_CLASSPATH:-}" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "$SPARK_DRIVER_URL" \
      --executor-id "$SPARK_EXECUTOR_ID" \
      --cores "$SPARK_EXECUTOR_CORES" \
      --app-id "$SPARK_APPLICATION_ID" \
      --hostname "$SPARK_EXECUTOR_POD_IP" \
      --resourceProfileId "$SPARK_RESOURCE_PROFILE_ID" \
      --podName "$SPARK_EXECUTOR_POD_NAME"
    ;;
  "")
    echo "usage: entrypoint.sh driver ARGS... | executor | COMMAND [ARGS...]" >&2
    exit 64
    ;;
  *)
    fake_passwd_entry
    exec /usr/bin/tini -s -g -- "$@"
    ;;
esac
