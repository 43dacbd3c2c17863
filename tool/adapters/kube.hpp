// The Kubernetes API port: what deploy, doctor, drift and submit need from a cluster, as a small
// interface with one real adapter (make_client, over http::Client; kube_client.cpp) and a
// recording fake for tests (tests/unit/kube_fake.hpp). Paths, discovery, auth and the Status
// error format follow facts in docs/deploy.md (sources: Kubernetes API conventions, client-go).
//
// Contract:
// - Every call returns the decoded JSON body of the answer, or a Failure carrying the HTTP status
//   and the API's Status object, so callers can name the object, the reason and what to do.
// - Only requests that are safe to repeat are retried (GET, LIST, server-side apply, DELETE);
//   a 401 re-runs an exec credential plugin once and retries.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::kube {

// A kind as the server serves it (discovery): the plural resource name and its scope.
struct Resource {
  std::string group;
  std::string version;
  std::string kind;
  std::string name;  // plural: "deployments"
  bool namespaced = true;
};

struct Failure {
  enum class Kind {
    network,       // no answer (refused, reset, timeout, TLS)
    unauthorized,  // 401
    forbidden,     // 403
    not_found,     // 404
    conflict,      // 409 (a field-manager conflict on apply, or AlreadyExists)
    invalid,       // 422 (and 400 BadRequest, strict field validation)
    gone,          // 410 (watch resourceVersion too old)
    cancelled,     // interrupted by the user
    other,
  };
  Kind kind = Kind::other;
  int http_status = 0;
  std::string reason;   // Status.reason: "NotFound", "Forbidden", "Conflict", ...
  std::string message;  // Status.message, or the transport's message for `network`
  Json status;          // the whole Status object when the server sent one (details.causes)
  // Who asked where, for describe(): the kubeconfig user and the server URL.
  std::string user;
  std::string server;
};

struct ApplyOptions {
  std::string field_manager = "stackctl";
  bool force = false;    // take fields other managers own (--force-conflicts)
  bool dry_run = false;  // dryRun=All: the server computes the result and stores nothing
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
};

class Client {
 public:
  virtual ~Client() = default;

  // Who the server sees and where: for messages ("user \"limited\" on https://127.0.0.1:6443").
  virtual std::string server() const = 0;
  virtual std::string user() const = 0;
  // The namespace the kubeconfig context (or -n) names; "" when it names none.
  virtual std::string default_namespace() const = 0;

  // Discovery: the resource that serves `gvk`, from /api and /apis (cached per server).
  // An empty gvk.version asks for the group's preferred version (the group-kinds an ApplySet
  // parent lists carry no version). not_found when the server does not serve that kind.
  virtual std::expected<Resource, Failure> resource_for(const GroupVersionKind& gvk) = 0;

  // GET one object; nullopt when it does not exist.
  virtual std::expected<std::optional<Json>, Failure> get(const Resource& r, const std::string& ns,
                                                          const std::string& name) = 0;
  // LIST: the List object ({"items": [...], "metadata": {"resourceVersion": ...}}). `ns` "" lists
  // across namespaces (or a cluster-scoped kind).
  virtual std::expected<Json, Failure> list(const Resource& r, const std::string& ns,
                                            const ListOptions& options) = 0;
  // Server-side apply of the whole intended object; returns the object as the server has it.
  virtual std::expected<Json, Failure> apply(const Resource& r, const Object& object,
                                             const ApplyOptions& options) = 0;
  // DELETE with propagationPolicy Background; not_found is reported as success (already gone).
  virtual std::expected<void, Failure> remove(const Resource& r, const std::string& ns,
                                              const std::string& name) = 0;
  // POST (reviews: SubjectAccessReview, SelfSubjectRulesReview); returns the answer.
  virtual std::expected<Json, Failure> create(const Resource& r, const std::string& ns,
                                              const Json& body) = 0;
  // The last `tail_lines` lines of a container's log (`previous`: the last terminated one).
  virtual std::expected<std::string, Failure> logs(const std::string& ns, const std::string& pod,
                                                   const std::string& container, bool previous,
                                                   int tail_lines) = 0;
};

// "Forbidden: user \"limited\" cannot patch resource \"deployments\" ..." plus what to do, for a
// Failure met while acting on `what` (an Object::display() or a resource name).
std::string describe(const Failure& failure, const std::string& what);

}  // namespace stackctl::kube
