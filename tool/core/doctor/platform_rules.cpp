// Rules over the platform's other objects: Services and their Endpoints, claims, evicted pods,
// the spark ServiceAccount's RBAC answers, and what the observation could not read. Signals: the
// failure catalogue in /work/shared/facts/kubernetes.md (items 5, 6, 10, 18, 19).
#include <algorithm>

#include "core/doctor/json_read.hpp"
#include "core/doctor/log_rules.hpp"
#include "core/doctor/rules.hpp"

namespace stackctl::doctor {

namespace {

using namespace detail;

const std::vector<Json>& events_of(const Snapshot& s, const Json& object) {
  static const std::vector<Json> none;
  const auto it = s.events.find(str(at(object, "metadata"), "uid"));
  return it != s.events.end() ? it->second : none;
}

std::string ns_of(const Json& o) {
  return kube::Object{o}.namespace_name();
}

bool selects(const Json& selector, const Json& pod) {
  if (!selector.is_object() || selector.empty()) return false;
  const Json& labels = at(at(pod, "metadata"), "labels");
  for (const auto& [k, v] : selector.items())
    if (!labels.contains(k) || labels[k] != v) return false;
  return true;
}

std::string selector_text(const Json& selector) {
  std::string out;
  for (const auto& [k, v] : selector.items())
    out += (out.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::vector<const Json*> selected_pods(const Snapshot& s, const Json& service) {
  std::vector<const Json*> out;
  const Json& selector = at(at(service, "spec"), "selector");
  for (const auto& p : s.pods)
    if (ns_of(p) == ns_of(service) && selects(selector, p)) out.push_back(&p);
  return out;
}

const Json* endpoints_of(const Snapshot& s, const Json& service) {
  const kube::Object svc{service};
  for (const auto& e : s.endpoints) {
    const kube::Object o{e};
    if (o.name() == svc.name() && o.namespace_name() == svc.namespace_name()) return &e;
  }
  return nullptr;
}

std::size_t count_addresses(const Json& endpoints, const char* key) {
  std::size_t n = 0;
  const Json& subsets = at(endpoints, "subsets");
  if (subsets.is_array())
    for (const auto& sub : subsets)
      if (at(sub, key).is_array()) n += at(sub, key).size();
  return n;
}

bool has_selector(const Json& service) {
  const Json& sel = at(at(service, "spec"), "selector");
  return sel.is_object() && !sel.empty() && str(at(service, "spec"), "type") != "ExternalName";
}

std::vector<Finding> service_selects_nothing(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& svc : s.services) {
    if (!has_selector(svc) || !selected_pods(s, svc).empty()) continue;
    const std::string sel = selector_text(at(at(svc, "spec"), "selector"));
    out.push_back({"D_SERVICE_SELECTS_NOTHING", "Service selects no pod", Severity::error,
                   display(svc),
                   "spec.selector " + sel + " matches none of the " +
                       std::to_string(s.pods.size()) + " pods read in " + ns_of(svc),
                   "the Service's selector names labels no pod carries (a renamed label, or the "
                   "workload was never applied), so it has no endpoints and clients get "
                   "connection refused",
                   "make the selector and the pod template's labels agree (`kubectl get pods -n " +
                       ns_of(svc) +
                       " --show-labels`); `stackctl deploy` renders both from the "
                       "stack"});
  }
  return out;
}

std::string readiness_evidence(const Snapshot& s, const std::vector<const Json*>& pods) {
  for (const Json* p : pods)
    for (const auto& e : events_of(s, *p))
      if (str(e, "reason") == "Unhealthy" && contains(str(e, "message"), "Readiness probe"))
        return "; event Unhealthy on " + display(*p) + ": " + quote(str(e, "message"));
  return "";
}

std::vector<Finding> service_not_ready(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& svc : s.services) {
    if (!has_selector(svc)) continue;
    const auto pods = selected_pods(s, svc);
    if (pods.empty()) continue;  // D_SERVICE_SELECTS_NOTHING
    const Json* ep = endpoints_of(s, svc);
    const std::size_t ready = ep ? count_addresses(*ep, "addresses") : 0;
    if (ready > 0) continue;
    const std::size_t not_ready = ep ? count_addresses(*ep, "notReadyAddresses") : 0;
    out.push_back({"D_SERVICE_NO_READY_ENDPOINTS", "Service has no ready endpoint", Severity::error,
                   display(svc),
                   (ep ? "Endpoints " + kube::Object{svc}.name() + ": 0 ready addresses, " +
                             std::to_string(not_ready) + " not ready"
                       : std::string("no Endpoints object")) +
                       "; " + std::to_string(pods.size()) + " pod(s) selected" +
                       readiness_evidence(s, pods),
                   "the pods the Service selects are not ready (starting, failing their readiness "
                   "probe, or crashed), so clients get connection refused or gRPC UNAVAILABLE",
                   "see the pod findings of this namespace; for the Connect server the readiness "
                   "probe is tcpSocket 15002: a server bound to loopback or IPv6 only never "
                   "passes it"});
  }
  return out;
}

std::vector<std::string> claim_messages(const Snapshot& s, const Json& claim) {
  std::vector<std::string> out;
  for (const auto& e : events_of(s, claim)) {
    const std::string reason = str(e, "reason");
    if (reason == "ProvisioningFailed" || reason == "FailedBinding")
      out.push_back("event " + reason + ": " + quote(str(e, "message")));
  }
  return out;
}

std::vector<Finding> claim_pending(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& c : s.claims) {
    if (str(at(c, "status"), "phase") != "Pending") continue;
    const auto messages = claim_messages(s, c);
    const std::string sc = str(at(c, "spec"), "storageClassName");
    std::string evidence = "status.phase Pending; storageClassName " + (sc.empty() ? "unset" : sc);
    if (!messages.empty()) evidence += "; " + messages.back();
    out.push_back({"D_CLAIM_PENDING", "PersistentVolumeClaim is not bound", Severity::error,
                   display(c), evidence,
                   sc.empty() ? "the claim names no StorageClass and the cluster has no default "
                                "one, so nothing provisions a volume"
                              : "StorageClass " + sc +
                                    " does not provision the claim (missing, "
                                    "or its provisioner fails)",
                   "`kubectl get storageclass`: mark one default (annotation "
                   "storageclass.kubernetes.io/is-default-class=true) or name an existing one; "
                   "minikube: `minikube addons enable default-storageclass storage-provisioner`"});
  }
  return out;
}

std::vector<Finding> evicted(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& p : s.pods) {
    const Json& st = at(p, "status");
    if (str(st, "reason") != "Evicted") continue;
    const std::string message = str(st, "message");
    out.push_back({"D_EVICTED",
                   "pod was evicted",
                   Severity::warning,
                   display(p),
                   "status.reason Evicted: " + quote(message),
                   contains(message, "ephemeral-storage")
                       ? "the node ran low on ephemeral storage: Spark's shuffle and spill files "
                         "in the container's local dirs filled it"
                       : "the kubelet evicted the pod under node pressure (see the message)",
                   "give executors local-dir volumes (spark.kubernetes.executor.volumes.* with "
                   "a name starting spark-local-dir-) and an ephemeral-storage request; delete "
                   "evicted pods (`kubectl delete pod`)",
                   {},
                   "spark.conf"});
  }
  return out;
}

std::vector<Finding> rbac(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& a : s.access) {
    if (!a.allowed || *a.allowed) continue;
    out.push_back(
        {"D_RBAC_DENIED", "the spark ServiceAccount may not create pods", Severity::error,
         a.subject + " in namespace " + a.ns,
         a.method + ": " + a.verb + " " + a.resource + " allowed=false" +
             (a.reason.empty() ? "" : " (" + quote(a.reason) + ")"),
         "the driver (Connect server, notebook in client mode, Kyuubi engine) creates "
         "executor pods as this ServiceAccount; without a Role allowing it the driver "
         "log says \"pods is forbidden\" and no executor starts",
         "apply the spark Role and RoleBinding (`stackctl deploy` renders them: pods, "
         "configmaps, persistentvolumeclaims, services with get/list/watch/create/"
         "update/patch/delete/deletecollection) and check that the pods run as it "
         "(serviceAccountName, spark.kubernetes.authenticate.driver.serviceAccountName)"});
  }
  return out;
}

std::vector<Finding> cluster_auth(const Snapshot& s) {
  if (s.auth_error.empty()) return {};
  const bool aws = contains(s.auth_error, "aws") && contains(s.auth_error, "not found");
  return {{"D_CLUSTER_AUTH", "the cluster refused stackctl's credentials", Severity::error,
           "kubeconfig user", quote(s.auth_error),
           aws ? "the kubeconfig's exec plugin is the AWS CLI (EKS) and it is not installed or "
                 "not on PATH"
               : "the credentials are missing, expired or for another cluster (HTTP 401)",
           aws ? "install the AWS CLI v2, then `aws eks update-kubeconfig --region R --name C`"
               : "refresh them (`aws eks update-kubeconfig ...` on EKS, `minikube update-context` "
                 "on minikube) or pick another --context"}};
}

std::vector<Finding> partial(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& n : s.notes)
    out.push_back({"D_PARTIAL_SNAPSHOT", "part of the platform could not be read", Severity::info,
                   n.substr(0, n.find(':')), quote(n),
                   "stackctl could not read " + n.substr(0, n.find(':')) +
                       " (RBAC, or the cluster failed to answer); the rules that need it found "
                       "nothing there",
                   "nothing is required; give the user list permission on it for a fuller "
                   "diagnosis"});
  for (const auto& l : s.logs)
    if (!l.error.empty())
      out.push_back({"D_PARTIAL_SNAPSHOT", "part of the platform could not be read", Severity::info,
                     "Pod " + l.ns + "/" + l.pod + " container " + l.container +
                         (l.previous ? " (previous)" : ""),
                     "logs: " + quote(l.error),
                     "the kubelet did not serve the log of " + l.pod + "/" + l.container +
                         "; the log-based rules could not read it",
                     "`kubectl logs` it by hand when the other findings do not explain the "
                     "failure"});
  return out;
}

}  // namespace

std::vector<Rule> platform_rules() {
  std::vector<Rule> out = {
      {"D_CLUSTER_AUTH", "the cluster refused stackctl's credentials", Severity::error,
       cluster_auth},
      {"D_EVICTED", "pod was evicted", Severity::warning, evicted},
      {"D_CLAIM_PENDING", "PersistentVolumeClaim is not bound", Severity::error, claim_pending},
      {"D_SERVICE_SELECTS_NOTHING", "Service selects no pod", Severity::error,
       service_selects_nothing},
      {"D_SERVICE_NO_READY_ENDPOINTS", "Service has no ready endpoint", Severity::error,
       service_not_ready},
      {"D_RBAC_DENIED", "the spark ServiceAccount may not create pods", Severity::error, rbac},
  };
  for (auto& r : log_rules()) out.push_back(std::move(r));
  out.push_back(
      {"D_PARTIAL_SNAPSHOT", "part of the platform could not be read", Severity::info, partial});
  return out;
}

}  // namespace stackctl::doctor
