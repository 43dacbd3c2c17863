// `stackctl submit`'s objects, built without I/O: the submitter Job that runs
// `spark-submit --deploy-mode cluster` inside the application's own image (docs/applications.md).
//
// The Job runs as the stack's `spark` ServiceAccount, reads the spark-defaults ConfigMap that
// `stackctl deploy` applied (mounted as SPARK_CONF_DIR) and passes the application's own settings
// with --conf, so the command line carries no credential (the loader refuses them,
// E_CONF_CREDENTIAL); Secrets reach the driver and executors as
// spark.kubernetes.{driver,executor}.secretKeyRef.ENV=secret:key (Spark's running-on-kubernetes
// docs, SPARK-24232). Every object and the driver pod (spark.kubernetes.driver.label.*) carry the
// run's labels, so `--wait` finds the driver with `spark-role=driver` (the label Spark puts on
// every driver pod) plus the run.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "core/kube/object.hpp"
#include "core/stack/model.hpp"

namespace stackctl::submit {

inline constexpr const char* kRunLabel = "stackctl.dev/run";
inline constexpr const char* kApplicationLabel = "stackctl.dev/application";
inline constexpr const char* kStackLabel = "stackctl.dev/stack";

struct Request {
  std::string run_id;  // a DNS label; with the application's name it names the Job
  std::string ns;      // the target's namespace
  std::string image;   // the application image's reference (by digest from stack.lock)
};

struct Submission {
  std::string run_id;
  std::string job_name;         // "<application>-<run>"
  std::string driver_selector;  // "spark-role=driver,stackctl.dev/run=<run>"
  std::string config_map;       // the spark-defaults ConfigMap the Job mounts (deploy makes it)
  std::string service_account;  // "spark"
  std::vector<std::string> command;   // spark-submit and its arguments, as the Job runs them
  std::vector<kube::Object> objects;  // what submit creates, in order: the Job
};

// The objects for `app` of `stack` (loaded for the target). Fails with a message when the run id
// is not a DNS label, the Job name would pass 63 characters (its pods carry it as the job-name
// label), or the application is client mode (submit runs cluster mode only).
std::expected<Submission, std::string> build(const model::Stack& stack,
                                             const model::Application& app, const Request& request);

// The properties the Job passes with --conf, in order: Kubernetes wiring, sizes, secretKeyRefs,
// env, then the application's `conf`. Never a credential value.
std::vector<std::pair<std::string, std::string>> properties(const model::Stack& stack,
                                                            const model::Application& app,
                                                            const Request& request);

}  // namespace stackctl::submit
