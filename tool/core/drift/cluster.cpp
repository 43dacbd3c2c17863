#include "core/drift/cluster.hpp"

#include <map>

#include "core/image_ref.hpp"

namespace stackctl::drift {

namespace {

using kube::Json;

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

const Json& child(const Json& j, const char* key) {
  static const Json empty = Json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

std::string digest_of(const std::string& image) {
  const auto at = image.find("@sha256:");
  return at == std::string::npos ? "" : image.substr(at + 1);
}

// registry/repository of a reference, "" when it does not parse.
std::string repository_of(const std::string& image) {
  auto ref = parse_image_ref(image);
  return ref ? ref->name() : "";
}

struct Locked {
  std::string image;
  std::string digest;
};

void compare_containers(const Json& pod, const char* spec_key, const char* status_key,
                        const std::map<std::string, Locked>& by_repo, std::vector<Result>& out) {
  // A LIST's items carry no kind: name the pod from its metadata.
  const std::string display =
      "Pod " + str(child(pod, "metadata"), "namespace") + "/" + str(child(pod, "metadata"), "name");
  std::map<std::string, std::string> image_ids;
  auto statuses = child(pod, "status").find(status_key);
  if (statuses != child(pod, "status").end() && statuses->is_array())
    for (const auto& s : *statuses) image_ids[str(s, "name")] = str(s, "imageID");
  auto containers = child(pod, "spec").find(spec_key);
  if (containers == child(pod, "spec").end() || !containers->is_array()) return;
  for (const auto& c : *containers) {
    const std::string image = str(c, "image");
    auto locked = by_repo.find(repository_of(image));
    if (locked == by_repo.end()) continue;
    const std::string item = display + " container " + str(c, "name");
    std::string running = digest_of(image_ids[str(c, "name")]);
    const std::string source = running.empty() ? "its spec" : "the kubelet's imageID";
    if (running.empty()) running = digest_of(image);
    Result r{"cluster",
             item,
             Status::passed,
             Severity::error,
             "runs the locked digest",
             image + " (" + locked->second.image + ")",
             std::nullopt,
             ""};
    if (running.empty()) {
      r.status = Status::drifted;
      r.summary = "runs a tag, not the locked digest";
      r.evidence = "runs " + image + "; stack.lock pins " + locked->second.digest + " for image " +
                   locked->second.image + " (deploy pins every image by digest)";
    } else if (running != locked->second.digest) {
      r.status = Status::drifted;
      r.summary = "runs another digest than the lock";
      r.evidence = "runs " + running + " (from " + source + "); stack.lock pins " +
                   locked->second.digest + " for image " + locked->second.image;
    }
    out.push_back(std::move(r));
  }
}

}  // namespace

std::vector<Result> compare_pod_images(const Json& pods, const lock::Lock& locked) {
  std::map<std::string, Locked> by_repo;
  for (const auto& i : locked.images)
    if (!i.digest.empty())
      if (auto repo = repository_of(i.ref); !repo.empty()) by_repo[repo] = {i.name, i.digest};
  std::vector<Result> out;
  if (!pods.is_array()) return out;
  for (const auto& pod : pods) {
    compare_containers(pod, "initContainers", "initContainerStatuses", by_repo, out);
    compare_containers(pod, "containers", "containerStatuses", by_repo, out);
  }
  return out;
}

std::optional<Result> compare_values_checksum(const kube::Object& intended,
                                              const std::optional<Json>& live) {
  auto annotation = [](const Json& o) {
    return str(child(child(child(child(o, "spec"), "template"), "metadata"), "annotations"),
               kSecretChecksum);
  };
  const std::string want = annotation(intended.body);
  if (want.empty() || !live) return std::nullopt;
  const std::string have = annotation(*live);
  Result r{"cluster",
           intended.display() + " spark.env values",
           Status::passed,
           Severity::error,
           "pods run the current spark.env values",
           "",
           std::nullopt,
           ""};
  if (have != want) {
    r.status = Status::drifted;
    r.summary = "a spark.env value changed since the last deploy";
    r.evidence = std::string("the pod template's ") + kSecretChecksum + " annotation " +
                 (have.empty() ? "is missing" : "differs from the checksum of the values now") +
                 " (checksums not shown); `stackctl deploy` rolls the pods onto the new values";
  }
  return r;
}

}  // namespace stackctl::drift
