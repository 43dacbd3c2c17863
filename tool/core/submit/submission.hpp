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
//
// On a target with `sparkOperator: true` the run is a SparkApplication instead
// (core/submit/spark_application.hpp): build() chooses by the target the stack was loaded for.
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

// How a run reaches the cluster: the submitter Job, or a SparkApplication the kubeflow
// spark-operator submits (targets[].sparkOperator).
enum class Via { submitter_job, spark_operator };

// The SparkApplication API (kubeflow/spark-operator, api/v1beta2; the CRD vendored under
// tests/k8s/crds/).
inline constexpr const char* kOperatorGroup = "sparkoperator.k8s.io";
inline constexpr const char* kOperatorVersion = "v1beta2";
inline constexpr const char* kOperatorResource = "sparkapplications";

struct Request {
  std::string run_id;  // a DNS label; with the application's name it names the Job
  std::string ns;      // the target's namespace
  std::string image;   // the application image's reference (by digest from stack.lock)
};

struct Submission {
  Via via = Via::submitter_job;
  std::string target;  // the target's name, for messages
  // Where the target says `sparkOperator` ("s.yaml:40:5"), "" when it does not: for the message
  // of a cluster without the operator's API.
  std::string operator_at;
  std::string run_id;
  std::string name;             // "<application>-<run>": the Job's, or the SparkApplication's
  std::string driver_selector;  // "spark-role=driver,stackctl.dev/run=<run>"
  // The spark-defaults ConfigMap the Job mounts (deploy makes it); "" for a SparkApplication,
  // which carries the settings in its sparkConf.
  std::string config_map;
  std::string service_account;        // "spark"
  std::vector<std::string> command;   // the submitter Job: spark-submit and its arguments
  std::vector<kube::Object> objects;  // what submit creates: the Job, or the SparkApplication

  // "Job" or "SparkApplication".
  std::string kind() const { return via == Via::spark_operator ? "SparkApplication" : "Job"; }
};

// The objects for `app` of `stack` (loaded for the target): a SparkApplication when the target
// says `sparkOperator: true`, else the submitter Job. Fails with a message when the run id is not
// a DNS label, the name would pass 63 characters (the Job's pods carry it as the job-name label;
// the operator names the driver pod and its Service after the SparkApplication), or the
// application is client mode (submit runs cluster mode only).
std::expected<Submission, std::string> build(const model::Stack& stack,
                                             const model::Application& app, const Request& request);

// The properties the Job passes with --conf, in order: Kubernetes wiring, sizes, secretKeyRefs,
// env, then the application's `conf`. Never a credential value.
std::vector<std::pair<std::string, std::string>> properties(const model::Stack& stack,
                                                            const model::Application& app,
                                                            const Request& request);

namespace detail {
// The labels of every object of a run and of its driver and executor pods; `component` is the
// app.kubernetes.io/name ("spark-submit", "spark-application").
kube::Json run_labels(const model::Stack& stack, const model::Application& app,
                      const Request& request, const std::string& component);
// What both kinds of run share: the checks of build() and the names, `via` from the target.
std::expected<Submission, std::string> begin(const model::Stack& stack,
                                             const model::Application& app, const Request& request);
}  // namespace detail

}  // namespace stackctl::submit
