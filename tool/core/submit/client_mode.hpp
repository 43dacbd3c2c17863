// A client-mode application's driver, built without I/O: the properties file `<app>.conf` that
// `spark-submit --properties-file` (or `pyspark`) reads, the command that runs it, and what the
// orchestrator running the driver must provide (docs/applications.md, "Client mode").
//
// In client mode Spark does not create the driver: an orchestrator (an Airflow worker, a
// notebook, a shell on a host) runs spark-submit itself, and Spark creates only the executors,
// which dial the driver back. Spark's running-on-kubernetes.md, "Client Mode Networking":
// "Spark executors must be able to connect to the Spark driver over a hostname and a port that
// is routable from the Spark executors"; for a driver in a pod, a headless Service "whose label
// selector will only match the driver pod", with spark.driver.host and spark.driver.port set.
//
// Credentials are never values here: executors get Secrets by
// spark.kubernetes.executor.secretKeyRef.ENV=secret:key; the driver is not a pod Spark makes, so
// spark.kubernetes.driver.secretKeyRef does nothing for it and its environment must come from
// the orchestrator (driver_env(): which variable from which Secret key).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/stack/model.hpp"

namespace stackctl::submit::client {

// The fixed ports of one application's drivers. Spark's configuration.md, spark.port.maxRetries
// (default 16): "When a port is given a specific value (non 0), each subsequent retry will
// increment the port used in the previous attempt by 1 before retrying. This essentially allows
// it to try a range of ports from the start port specified to port + maxRetries"
// (Utils.startServiceOnPort: `for (offset <- 0 to maxRetries)`, port startPort + offset). N
// drivers on one host (concurrentDrivers) need N ports per service, so:
//   spark.driver.port 7078 .. 7078+N-1, spark.driver.blockManager.port 7078+N .. 7078+2N-1,
//   the UI from 4040 .. 4040+N-1, and spark.port.maxRetries = N-1,
// two ranges that never overlap, so no driver's retry lands on another service's port, and the
// (N+1)-th driver fails at start with Spark's bind error instead of listening on a port outside
// the declared ranges (which the headless Service lists, and a NetworkPolicy would allow).
struct Ports {
  int count = 1;          // concurrentDrivers
  int driver = 0;         // first driver port
  int block_manager = 0;  // first block manager port
  int ui = 0;             // first UI port
  int max_retries = 0;    // spark.port.maxRetries
};
Ports ports(const model::Application& app);

// spark.master: the in-cluster API server for a driver in the cluster, else k8s://<apiServer>.
std::string master(const model::Application& app);

// The address executors dial: <stack>-<app>-driver.<namespace>.svc for a driver in the cluster
// (the headless Service), client.driverHost outside; "" outside without one (check: SC029).
std::string driver_host(const model::Stack& stack, const model::Application& app);

// One environment variable taken from a Kubernetes Secret key.
struct SecretRef {
  std::string env;
  std::string secret;
  std::string key;
};

struct Inputs {
  std::string image;  // the executors' image: the application image's reference (lock digest)
  // Keys of the spark.env Secret render writes (<stack>-spark-env), each read by its own name:
  // executors get them by secretKeyRef like the platform's pods.
  std::vector<SecretRef> rendered_env;
};

// The properties of `<app>.conf`, in order: the stack's spark-defaults (without its driver
// secretKeyRefs, which apply only to a driver pod Spark creates), the application's image,
// labels, sizes, executor secretKeyRefs and executor env, its `conf`, then the client-mode
// wiring (master, deploy mode, driver host, bind address, ports, retries, the kubeconfig
// context outside the cluster). A key set twice keeps its last value, at its first place.
std::vector<std::pair<std::string, std::string>> properties(const model::Stack& stack,
                                                            const model::Application& app,
                                                            const Inputs& in);

// What the driver's own environment must hold, from Secrets: the stack's Secret-sourced
// variables (spark.env keys of kubernetesSecret sources, the object store's credentialsSecret),
// the rendered spark.env Secret's keys, and the application's `secrets`. Never a value.
std::vector<SecretRef> driver_env(const model::Stack& stack, const model::Application& app,
                                  const Inputs& in);

// The text of `<app>.conf`: a header naming what the driver's environment needs, then one
// `key value` line per property, escaped as java.util.Properties#store writes them.
std::string properties_file(const model::Stack& stack, const model::Application& app,
                            const Inputs& in);

// The command as an argument vector, `conf` being the properties file's path:
// spark-submit --deploy-mode client --properties-file CONF --name APP [--class C]
// [--py-files F] MAIN ARGS..., or pyspark --properties-file CONF --name APP [--py-files F] for an
// interactive application. The first word is "spark-submit" or "pyspark" (on PATH, or under
// SPARK_HOME/bin in the script).
std::vector<std::string> command(const model::Application& app, const std::string& conf);

// `<app>.submit.sh`: a POSIX sh script that exports the application's plain env, adds
// spark.kubernetes.driver.pod.name from POD_NAME for a driver in a pod (executors then belong to
// it and are deleted with it), and execs the command with the properties file beside the script,
// every word shell-quoted; extra arguments are passed on after the application's own.
std::string script(const model::Stack& stack, const model::Application& app, const Inputs& in);

std::string conf_file(const model::Application& app);    // "<app>.conf"
std::string script_file(const model::Application& app);  // "<app>.submit.sh"

}  // namespace stackctl::submit::client
