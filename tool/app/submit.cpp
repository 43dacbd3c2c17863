#include "app/submit.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "app/deploy.hpp"
#include "core/doctor/log_rules.hpp"
#include "core/doctor/scrub.hpp"
#include "core/submit/spark_application.hpp"

namespace stackctl::app {

std::string to_string(RunState s) {
  switch (s) {
    case RunState::submitted:
      return "submitted";
    case RunState::pending:
      return "pending";
    case RunState::running:
      return "running";
    case RunState::succeeded:
      return "succeeded";
    case RunState::failed:
      return "failed";
  }
  return "submitted";
}

namespace {

using kube::Json;

struct Kinds {
  kube::Resource job, config_map, service_account, pod, event;
  kube::Resource spark_application;  // on a target with sparkOperator: true
  const kube::Resource& run(const submit::Submission& s) const {
    return s.via == submit::Via::spark_operator ? spark_application : job;
  }
};

SubmitError api_error(const kube::Failure& f, const std::string& what, SubmitResult r = {}) {
  return {SubmitError::Kind::api, explain(f, what), std::move(r)};
}

// The target says the operator is there and the cluster does not serve its API.
SubmitError no_operator(const SubmitRequest& req, kube::Client& client) {
  const auto& s = req.submission;
  return {SubmitError::Kind::refused,
          "target \"" + s.target + "\" says sparkOperator: true" +
              (s.operator_at.empty() ? "" : " (" + s.operator_at + ")") + ", but " +
              client.server() + " does not serve " + submit::kOperatorGroup + "/" +
              submit::kOperatorVersion + " " + submit::kOperatorResource +
              " (the kubeflow spark-operator's SparkApplication CRD); nothing was submitted.\n"
              "  install the operator on the cluster (its Helm chart installs the CRD), or remove "
              "`sparkOperator` from the target to submit with the submitter Job",
          {}};
}

std::expected<Kinds, SubmitError> discover(const SubmitRequest& req, kube::Client& client) {
  Kinds k;
  const std::vector<std::pair<kube::GroupVersionKind, kube::Resource*>> wanted = {
      {{"batch", "v1", "Job"}, &k.job},
      {{"", "v1", "ConfigMap"}, &k.config_map},
      {{"", "v1", "ServiceAccount"}, &k.service_account},
      {{"", "v1", "Pod"}, &k.pod},
      {{"", "v1", "Event"}, &k.event}};
  for (const auto& [gvk, into] : wanted) {
    auto r = client.resource_for(gvk);
    if (!r) return std::unexpected(api_error(r.error(), "discovery of " + gvk.kind));
    *into = *r;
  }
  if (req.submission.via == submit::Via::spark_operator) {
    auto r =
        client.resource_for({submit::kOperatorGroup, submit::kOperatorVersion, "SparkApplication"});
    if (!r && r.error().kind == kube::Failure::Kind::not_found)
      return std::unexpected(no_operator(req, client));
    if (!r) return std::unexpected(api_error(r.error(), "discovery of SparkApplication"));
    k.spark_application = *r;
  }
  return k;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string already(const submit::Submission& s, const std::string& ns) {
  return "run \"" + s.run_id + "\" was already submitted (" + s.kind() + " " + ns + "/" + s.name +
         " exists); nothing was changed. A run is submitted once: pass another --run (the "
         "default is a new one each time), or delete the " +
         s.kind() + " (`kubectl -n " + ns + " delete " + lower(s.kind()) + " " + s.name +
         "`) to submit this run again";
}

// Steps 2 and 3: refuse a run that exists, and a target that is not deployed.
std::expected<void, SubmitError> preflight(const SubmitRequest& req, const Kinds& k,
                                           kube::Client& client) {
  const auto& s = req.submission;
  auto job = client.get(k.run(s), req.ns, s.name);
  if (!job) return std::unexpected(api_error(job.error(), s.kind() + " " + req.ns + "/" + s.name));
  if (*job) return std::unexpected(SubmitError{SubmitError::Kind::refused, already(s, req.ns), {}});
  std::vector<std::pair<const kube::Resource*, std::string>> needed;
  if (!s.config_map.empty()) needed.emplace_back(&k.config_map, s.config_map);
  needed.emplace_back(&k.service_account, s.service_account);
  for (const auto& [r, name] : needed) {
    auto got = client.get(*r, req.ns, name);
    if (!got) return std::unexpected(api_error(got.error(), r->kind + " " + req.ns + "/" + name));
    if (!*got)
      return std::unexpected(SubmitError{
          SubmitError::Kind::refused,
          r->kind + " " + req.ns + "/" + name + " does not exist: " +
              (s.config_map.empty()
                   ? std::string("the SparkApplication's driver runs as the spark ServiceAccount")
                   : std::string("the submitter Job needs the spark-defaults ConfigMap and the "
                                 "spark ServiceAccount")) +
              " that `stackctl deploy` applies; deploy the target first",
          {}});
  }
  return {};
}

std::string phase(const Json& pod) {
  return pod.contains("status") ? pod["status"].value("phase", "") : "";
}

std::string name_of(const Json& o) {
  return o.contains("metadata") ? o["metadata"].value("name", "") : std::string();
}

// "pending (ContainerCreating)": the first waiting reason of the pod's containers, if any.
std::string waiting_note(const Json& pod) {
  if (!pod.contains("status")) return "";
  for (const auto& c : pod["status"].value("containerStatuses", Json::array()))
    if (c.contains("state") && c["state"].contains("waiting"))
      return c["state"]["waiting"].value("reason", "");
  for (const auto& cond : pod["status"].value("conditions", Json::array()))
    if (cond.value("type", "") == "PodScheduled" && cond.value("status", "") == "False")
      return cond.value("reason", "not scheduled");
  return "";
}

bool job_failed(const Json& job) {
  if (!job.contains("status")) return false;
  if (job["status"].value("failed", 0) > 0) return true;
  for (const auto& c : job["status"].value("conditions", Json::array()))
    if (c.value("type", "") == "Failed" && c.value("status", "") == "True") return true;
  return false;
}

struct Seen {
  RunState state = RunState::pending;
  std::string line;
  std::vector<Json> pods;  // what to diagnose: the driver, else the submitter's pods
};

// The run's driver pod and its executors; nullopt while there is no driver pod.
std::expected<std::optional<Seen>, SubmitError> look_driver(const SubmitRequest& req,
                                                            const Kinds& k, kube::Client& client,
                                                            SubmitResult& result) {
  const auto& s = req.submission;
  auto drivers = client.list(k.pod, req.ns, {s.driver_selector, ""});
  if (!drivers) return std::unexpected(api_error(drivers.error(), "the driver pod", result));
  const Json items = drivers->value("items", Json::array());
  if (items.empty()) return std::optional<Seen>{};
  const Json& driver = items.back();
  result.driver_pod = name_of(driver);
  const std::vector<Json> pods = {driver};
  const std::string p = phase(driver);
  const std::string where = "driver pod " + result.driver_pod;
  if (p == "Succeeded") return Seen{RunState::succeeded, where + " succeeded", pods};
  if (p == "Failed") return Seen{RunState::failed, where + " failed", pods};
  if (p == "Running") {
    auto ex =
        client.list(k.pod, req.ns,
                    {std::string("spark-role=executor,") + submit::kRunLabel + "=" + s.run_id, ""});
    if (!ex) return std::unexpected(api_error(ex.error(), "the executor pods", result));
    int up = 0;
    for (const auto& e : ex->value("items", Json::array())) up += phase(e) == "Running" ? 1 : 0;
    result.executors = up;
    return Seen{
        RunState::running,
        where + " running, " + std::to_string(up) + " executor" + (up == 1 ? "" : "s") + " up",
        pods};
  }
  const std::string note = waiting_note(driver);
  return Seen{RunState::pending, where + " pending" + (note.empty() ? "" : " (" + note + ")"),
              pods};
}

// The first line of the operator's errorMessage, scrubbed as doctor scrubs logs.
std::string first_line(const std::string& text) {
  const std::string line = text.substr(0, text.find('\n'));
  return doctor::scrub_line(line.size() > 300 ? line.substr(0, 300) + "..." : line);
}

// One look at a SparkApplication run: the operator's state decides the end
// (submit::operator_end), the driver pod says how far it is.
std::expected<Seen, SubmitError> look_operator(const SubmitRequest& req, const Kinds& k,
                                               kube::Client& client, SubmitResult& result) {
  const auto& s = req.submission;
  auto app = client.get(k.spark_application, req.ns, s.name);
  if (!app)
    return std::unexpected(
        api_error(app.error(), "SparkApplication " + req.ns + "/" + s.name, result));
  auto driver = look_driver(req, k, client, result);
  if (!driver) return std::unexpected(driver.error());
  std::vector<Json> pods = *driver ? (*driver)->pods : std::vector<Json>{};
  const std::string what = "SparkApplication " + s.name;
  if (!*app) return Seen{RunState::failed, what + " was deleted", pods};
  const Json status = (*app)->value("status", Json::object());
  const Json app_state = status.value("applicationState", Json::object());
  const std::string state = app_state.value("state", "");
  const std::string error = app_state.value("errorMessage", "");
  const std::string pod_line = *driver ? (*driver)->line : "no driver pod yet";
  if (state.empty())
    return Seen{RunState::pending,
                what +
                    " has no state yet: the operator has not taken it up (is the "
                    "spark-operator running, and watching namespace " +
                    req.ns + "?); " + pod_line,
                pods};
  std::string line = what + " " + state + ": " + pod_line;
  switch (submit::operator_end(state)) {
    case submit::OperatorEnd::succeeded:
      return Seen{RunState::succeeded, line, pods};
    case submit::OperatorEnd::failed:
      return Seen{RunState::failed, error.empty() ? line : line + "; " + first_line(error), pods};
    case submit::OperatorEnd::none:
      break;
  }
  return Seen{submit::operator_running(state) ? RunState::running : RunState::pending, line, pods};
}

// One look at the run: the driver pod, its executors, else the submitter Job and its pods.
std::expected<Seen, SubmitError> look(const SubmitRequest& req, const Kinds& k,
                                      kube::Client& client, SubmitResult& result) {
  const auto& s = req.submission;
  if (s.via == submit::Via::spark_operator) return look_operator(req, k, client, result);
  auto driver = look_driver(req, k, client, result);
  if (!driver) return std::unexpected(driver.error());
  if (*driver) return std::move(**driver);
  Seen seen;
  auto job = client.get(k.job, req.ns, s.name);
  if (!job) return std::unexpected(api_error(job.error(), "Job " + req.ns + "/" + s.name, result));
  auto submitters = client.list(k.pod, req.ns, {"job-name=" + s.name, ""});
  if (!submitters)
    return std::unexpected(api_error(submitters.error(), "the submitter's pods", result));
  seen.pods.clear();
  for (const auto& p : submitters->value("items", Json::array())) seen.pods.push_back(p);
  if (!*job)
    return Seen{RunState::failed, "the submitter Job " + s.name + " was deleted", seen.pods};
  if (job_failed(**job))
    return Seen{RunState::failed,
                "the submitter Job " + s.name + " failed before a driver pod appeared", seen.pods};
  std::string note;
  if (!seen.pods.empty()) {
    note = waiting_note(seen.pods.back());
    note = "submitter pod " + name_of(seen.pods.back()) + " " +
           (phase(seen.pods.back()).empty() ? "pending" : phase(seen.pods.back())) +
           (note.empty() ? "" : " (" + note + ")");
  } else {
    note = "submitter Job created, no pod yet";
  }
  return Seen{RunState::pending, "pending: waiting for the driver pod; " + note, seen.pods};
}

// The doctor's pod rules and log rules over the pods of a failed or unfinished run.
std::vector<doctor::Finding> diagnose(const SubmitRequest& req, const Kinds& k,
                                      kube::Client& client, const std::vector<Json>& pods) {
  doctor::Snapshot snap;
  snap.pods = pods;
  if (auto events = client.list(k.event, req.ns, {})) snap.events = doctor::index_events(*events);
  for (const auto& pod : pods) {
    for (const auto& want : doctor::logs_to_read(pod)) {
      doctor::ContainerLog log{req.ns, name_of(pod), want.container, want.previous, {}, {}};
      auto text = client.logs(req.ns, log.pod, want.container, want.previous, 200);
      if (!text) {
        log.error = text.error().message;
      } else {
        std::istringstream in(*text);
        for (std::string line; std::getline(in, line);)
          log.lines.push_back(doctor::scrub_line(line));
      }
      snap.logs.push_back(std::move(log));
    }
  }
  auto findings = doctor::diagnose(snap);
  for (const auto& rule : doctor::log_rules())
    for (auto& f : rule.run(snap)) findings.push_back(std::move(f));
  return findings;
}

std::string findings_text(const std::vector<doctor::Finding>& findings) {
  std::string out;
  for (const auto& f : findings)
    out += "\n  " + f.code + " " + f.object + ": " + f.title + "\n    evidence: " + f.evidence +
           "\n    cause: " + f.cause + "\n    fix: " + f.fix;
  return out;
}

std::string seconds(std::chrono::milliseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

std::expected<SubmitResult, SubmitError> follow(const SubmitRequest& req, const Kinds& k,
                                                kube::Client& client, Clock& clock,
                                                SubmitProgress& progress, SubmitResult result) {
  const auto deadline = clock.now() + req.timeout;
  Seen seen;
  for (;;) {
    auto now = look(req, k, client, result);
    if (!now) return std::unexpected(now.error());
    seen = std::move(*now);
    if (seen.line != result.message) progress.step(seen.line);
    result.state = seen.state;
    result.message = seen.line;
    if (seen.state == RunState::succeeded) return result;
    if (seen.state == RunState::failed || clock.now() >= deadline) break;
    clock.sleep_for(std::min(
        req.poll, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now())));
  }
  result.findings = diagnose(req, k, client, seen.pods);
  const bool failed = seen.state == RunState::failed;
  std::string message = failed ? "application " + req.submission.name + " failed: " + seen.line
                               : "application " + req.submission.name + " did not finish within " +
                                     seconds(req.timeout) + ": " + seen.line;
  const bool by_operator = req.submission.via == submit::Via::spark_operator;
  const std::string read_it = !result.driver_pod.empty() ? "logs " + result.driver_pod
                              : by_operator ? "describe sparkapplication " + req.submission.name
                                            : "logs job/" + req.submission.name;
  if (result.findings.empty())
    message += failed ? "\n  no known failure seen in its pods, events or logs: read the driver's "
                        "log or the application's status (`kubectl -n " +
                            req.ns + " " + read_it + "`)"
                      : "\n  no failure seen in its pods or events: it may still be starting; "
                        "wait longer (--timeout) or `kubectl describe` its pods";
  message += findings_text(result.findings);
  return std::unexpected(SubmitError{
      failed ? SubmitError::Kind::failed : SubmitError::Kind::timed_out, message, result});
}

}  // namespace

std::expected<SubmitResult, SubmitError> submit(const SubmitRequest& req, kube::Client& client,
                                                Clock& clock, SubmitProgress& progress) {
  auto kinds = discover(req, client);
  if (!kinds) return std::unexpected(kinds.error());
  if (auto ok = preflight(req, *kinds, client); !ok) return std::unexpected(ok.error());
  const auto& s = req.submission;
  SubmitResult result;
  result.job = s.kind() + " " + req.ns + "/" + s.name;
  for (const auto& o : s.objects) {
    auto made = client.create(kinds->run(s), req.ns, o.body);
    if (!made && made.error().kind == kube::Failure::Kind::conflict)
      return std::unexpected(SubmitError{SubmitError::Kind::refused, already(s, req.ns), {}});
    // A discovery cache older than the CRD's removal: the API is gone after all.
    if (!made && made.error().kind == kube::Failure::Kind::not_found &&
        s.via == submit::Via::spark_operator && !made.error().message.starts_with("namespaces "))
      return std::unexpected(no_operator(req, client));
    if (!made) return std::unexpected(api_error(made.error(), o.display()));
  }
  result.message = "created " + result.job + " (run " + s.run_id + ")";
  progress.step(result.message);
  if (!req.wait) return result;
  return follow(req, *kinds, client, clock, progress, std::move(result));
}

}  // namespace stackctl::app
