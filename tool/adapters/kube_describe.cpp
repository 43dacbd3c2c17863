// kube::describe: a Failure as a message that names the object, the reason and what to do.
#include <string>

#include "adapters/kube.hpp"

namespace stackctl::kube {

namespace {

// The text between `before` and the next `after` in `s`, or "".
std::string between(const std::string& s, const std::string& before, const std::string& after) {
  const auto start = s.find(before);
  if (start == std::string::npos) return {};
  const auto from = start + before.size();
  const auto end = s.find(after, from);
  return end == std::string::npos ? std::string{} : s.substr(from, end - from);
}

std::string as_user(const Failure& f) {
  std::string out;
  if (!f.user.empty()) out += " as user \"" + f.user + "\"";
  if (!f.server.empty()) out += " on " + f.server;
  return out;
}

std::string forbidden(const Failure& f, const std::string& what) {
  // The apiserver's message: `deployments.apps "web" is forbidden: User "limited" cannot patch
  // resource "deployments" in API group "apps" in the namespace "demo"`.
  const std::string user = between(f.message, "User \"", "\"");
  const std::string verb = between(f.message, "\" cannot ", " resource");
  const std::string resource = between(f.message, "resource \"", "\"");
  const std::string ns = between(f.message, "in the namespace \"", "\"");
  std::string out = what + ": forbidden";
  if (!verb.empty() && !resource.empty()) {
    out += ": user \"" + (user.empty() ? f.user : user) + "\" may not " + verb + " " + resource;
    out += ns.empty() ? " (cluster-wide)" : " in namespace " + ns;
  } else {
    out += ": " + f.message;
  }
  if (!f.server.empty()) out += " on " + f.server;
  out += "\n  hint: ask a cluster admin for a Role (or ClusterRole) granting " +
         (verb.empty() ? std::string("that verb") : verb) + " on " +
         (resource.empty() ? std::string("that resource") : resource) +
         " and a binding to this user; check with `kubectl auth can-i " +
         (verb.empty() ? "VERB" : verb) + " " + (resource.empty() ? "RESOURCE" : resource) +
         (ns.empty() ? "" : " -n " + ns) + "`, or use --context with a user that has the rights";
  return out;
}

std::string conflict(const Failure& f, const std::string& what) {
  std::string fields;
  std::string managers;
  const Json causes = f.status.is_object()
                          ? f.status.value("details", Json::object()).value("causes", Json::array())
                          : Json::array();
  // StatusCause's Go field is Type, but its JSON name is "reason" (k8s.io/apimachinery
  // metav1.StatusCause; seen from the apiserver in tests/k8s: {"reason":"FieldManagerConflict",
  // "message":"conflict with \"other\"","field":".data.key"}).
  for (const auto& c : causes) {
    if (c.value("reason", "") != "FieldManagerConflict") continue;
    const std::string field = c.value("field", "");
    const std::string manager = between(c.value("message", ""), "conflict with \"", "\"");
    fields += (fields.empty() ? "" : ", ") + field;
    if (!manager.empty() && managers.find("\"" + manager + "\"") == std::string::npos)
      managers += (managers.empty() ? "" : ", ") + ("\"" + manager + "\"");
  }
  if (fields.empty()) return what + ": conflict: " + f.message;
  return what + ": fields owned by another field manager (" + managers + "): " + fields +
         "\n  hint: run again with --force-conflicts to take them (stackctl becomes their "
         "manager), or stop the other manager from setting them";
}

}  // namespace

std::string describe(const Failure& f, const std::string& what) {
  switch (f.kind) {
    case Failure::Kind::unauthorized:
      return what + ": the API server did not accept the credentials" + as_user(f) +
             " (401 Unauthorized)\n  hint: the token or certificate is wrong or expired; for EKS "
             "run `aws eks update-kubeconfig --name CLUSTER` and check `aws sts "
             "get-caller-identity`, else refresh the kubeconfig's credentials";
    case Failure::Kind::forbidden:
      return forbidden(f, what);
    case Failure::Kind::conflict:
      return conflict(f, what);
    case Failure::Kind::not_found:
      return what + ": not found: " + f.message +
             (f.message.find("namespaces \"") != std::string::npos
                  ? "\n  hint: the namespace does not exist yet: create it first"
                  : "");
    case Failure::Kind::invalid:
      return what + ": rejected as invalid: " + f.message;
    case Failure::Kind::gone:
      return what + ": the resource version is too old (410 Gone): list again";
    case Failure::Kind::network:
      return what + ": cannot reach the API server" + (f.server.empty() ? "" : " " + f.server) +
             ": " + f.message +
             "\n  hint: check the kubeconfig's server and that the cluster is up (`kubectl "
             "cluster-info`)";
    case Failure::Kind::cancelled:
      return what + ": cancelled";
    case Failure::Kind::other:
      break;
  }
  return what + ": " + (f.reason.empty() ? "" : f.reason + ": ") + f.message;
}

}  // namespace stackctl::kube
