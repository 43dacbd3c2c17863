// The SparkApplication (kubeflow/spark-operator, sparkoperator.k8s.io/v1beta2) of one run, built
// without I/O, for a target with `sparkOperator: true` (docs/applications.md, "The operator
// path"). The schema is the operator's published CRD, vendored at tests/k8s/crds/ (v2.5.2);
// the integration test has the apiserver validate every object against it.
//
// What goes where:
//   spec.image                      the application image by the digest stack.lock records
//   spec.type                       Python (.py), R (.R), else Java (a JVM application)
//   spec.mode                       cluster
//   spec.sparkVersion               the stack's versions.spark
//   spec.mainApplicationFile, mainClass, arguments, deps.pyFiles   the application's
//   spec.restartPolicy              Never: a retry would be a second run under the same name
//   spec.sparkConf                  the target's spark-defaults, then the application's sizes and
//                                   conf over them, less what the fields below carry
//   spec.driver / spec.executor     cores, memory, memoryOverhead (executor: instances), the
//                                   spark ServiceAccount, the run's labels, and `env`: plain
//                                   values and secretKeyRefs (the stack's credentials Secret, the
//                                   application's `secrets`), never a credential value
// The operator passes sparkConf before the driver and executor fields on its spark-submit line
// (internal/controller/sparkapplication/submission.go, buildSparkSubmitArgs), so a setting in
// both would be decided by the field: each setting is in one place only. `env` with valueFrom
// reaches the pods through the operator's mutating webhook (internal/webhook/
// sparkpod_defaulter.go, addEnvVars; the chart enables it by default, values.yaml
// webhook.enable).
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "core/submit/submission.hpp"

namespace stackctl::submit {

// The run as a SparkApplication; `started` is detail::begin's (names, checks done).
std::expected<Submission, std::string> spark_application(const model::Stack& stack,
                                                         const model::Application& app,
                                                         const Request& request,
                                                         Submission started);

// The operator's application states that end a run (api/v1beta2/sparkapplication_types.go,
// ApplicationStateType): COMPLETED succeeded; FAILED and SUBMISSION_FAILED failed. Every other
// state (none yet, SUBMITTED, RUNNING, SUCCEEDING, FAILING, PENDING_RERUN, INVALIDATING,
// SUSPENDING, SUSPENDED, RESUMING, UNKNOWN) is not an end.
enum class OperatorEnd { none, succeeded, failed };
OperatorEnd operator_end(const std::string& state);
// The states in which the driver runs or finishes (RUNNING, SUCCEEDING, FAILING).
bool operator_running(const std::string& state);

}  // namespace stackctl::submit
