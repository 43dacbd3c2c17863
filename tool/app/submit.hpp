// `stackctl submit`'s executor over the kube::Client port (docs/applications.md): creates the
// submitter Job, or on a target with `sparkOperator: true` the SparkApplication, that
// core/submit builds, refusing a run that exists already, and with `wait` follows the run to its
// end, explaining a failure with the doctor's rules (core/doctor).
//
// Steps:
//   1 discovery of Job, ConfigMap, ServiceAccount, Pod, Event, and for the operator path
//     sparkoperator.k8s.io/v1beta2 SparkApplication: not served -> refused, naming the target
//     and the missing API (nothing created)
//   2 GET the Job (SparkApplication): one that exists is this run already submitted -> refused
//     (nothing changed)
//   3 GET the spark-defaults ConfigMap (the Job mounts it) and the spark ServiceAccount: deploy
//     makes them; missing -> refused, "deploy first"
//   4 POST (create, never apply) the object: a 409 AlreadyExists (a concurrent submit of the
//     same run) is refused like 2
//   5 wait: poll the pods selected by `spark-role=driver,stackctl.dev/run=<run>` (and the Job's
//     own pods while no driver exists) until the driver Succeeded or Failed, the submitter Job
//     failed, or the deadline; progress on every change (pending, running, executors up). On a
//     failure or at the deadline one LIST of the namespace's events, the logs of the containers
//     that failed, and the doctor's pod and log rules over them. A SparkApplication's end is
//     its .status.applicationState.state (COMPLETED, FAILED, SUBMISSION_FAILED:
//     submit::operator_end); its driver pod gives the progress and the diagnosis.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <vector>

#include "adapters/kube.hpp"
#include "app/ports.hpp"
#include "core/doctor/rules.hpp"
#include "core/submit/submission.hpp"

namespace stackctl::app {

class SubmitProgress {
 public:
  virtual ~SubmitProgress() = default;
  virtual void step(const std::string& line) = 0;
};

struct SubmitRequest {
  submit::Submission submission;
  std::string ns;
  bool wait = false;
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  std::chrono::milliseconds poll{std::chrono::seconds(2)};
};

enum class RunState { submitted, pending, running, succeeded, failed };
std::string to_string(RunState s);

struct SubmitResult {
  std::string job;  // "Job ns/name" or "SparkApplication ns/name"
  RunState state = RunState::submitted;
  std::string driver_pod;                 // "" until one is seen
  int executors = 0;                      // running executor pods last seen
  std::string message;                    // the last progress line
  std::vector<doctor::Finding> findings;  // for a failed or unfinished run
};

struct SubmitError {
  enum class Kind {
    refused,    // the run exists already, or the target is not deployed
    api,        // the cluster refused or failed
    failed,     // the application (or its submitter) failed: findings in `result`
    timed_out,  // --wait's deadline passed before the driver ended: findings in `result`
  };
  Kind kind = Kind::api;
  std::string message;
  SubmitResult result;
};

std::expected<SubmitResult, SubmitError> submit(const SubmitRequest& request, kube::Client& client,
                                                Clock& clock, SubmitProgress& progress);

}  // namespace stackctl::app
