#include "core/stack/model.hpp"

#include <algorithm>
#include <functional>
#include <set>

namespace stackctl::model {

const char* to_string(HashAlgorithm a) {
  switch (a) {
    case HashAlgorithm::sha1:
      return "sha1";
    case HashAlgorithm::sha256:
      return "sha256";
    case HashAlgorithm::sha512:
      return "sha512";
  }
  return "sha512";
}

const char* to_string(SecretSourceType t) {
  switch (t) {
    case SecretSourceType::vault:
      return "vault";
    case SecretSourceType::file:
      return "file";
    case SecretSourceType::kubernetes_secret:
      return "kubernetesSecret";
  }
  return "file";
}

const char* to_string(VaultAuthMethod m) {
  switch (m) {
    case VaultAuthMethod::token:
      return "token";
    case VaultAuthMethod::approle:
      return "approle";
    case VaultAuthMethod::kubernetes:
      return "kubernetes";
  }
  return "token";
}

const char* to_string(NotebookKind k) {
  return k == NotebookKind::jupyterhub ? "jupyterhub" : "marimo";
}

const char* to_string(NotebookMode m) {
  return m == NotebookMode::connect ? "connect" : "client";
}

const char* to_string(ShareLevel s) {
  switch (s) {
    case ShareLevel::user:
      return "USER";
    case ShareLevel::server:
      return "SERVER";
    case ShareLevel::connection:
      return "CONNECTION";
  }
  return "USER";
}

const char* to_string(ObjectStoreKind k) {
  switch (k) {
    case ObjectStoreKind::none:
      return "none";
    case ObjectStoreKind::minio:
      return "minio";
    case ObjectStoreKind::s3:
      return "s3";
  }
  return "none";
}

const char* to_string(TargetKind k) {
  return k == TargetKind::minikube ? "minikube" : "eks";
}

const char* to_string(DeployMode m) {
  return m == DeployMode::cluster ? "cluster" : "client";
}

const char* to_string(DriverPlace p) {
  return p == DriverPlace::cluster ? "cluster" : "outside";
}

const char* to_string(ImageDelivery d) {
  switch (d) {
    case ImageDelivery::push:
      return "push";
    case ImageDelivery::minikube_load:
      return "minikube-load";
    case ImageDelivery::none:
      return "none";
  }
  return "push";
}

ImageDelivery Stack::image_delivery(const Target& t) const {
  if (t.images) return *t.images;
  return registry.url.empty() ? ImageDelivery::none : ImageDelivery::push;
}

std::string MavenCoordinate::text() const {
  std::string s = group + ":" + artifact + ":" + version;
  if (!classifier.empty()) s += ":" + classifier;
  return s;
}

std::string MavenCoordinate::file_name() const {
  return artifact + "-" + version + (classifier.empty() ? "" : "-" + classifier) + ".jar";
}

std::string MavenCoordinate::repository_path() const {
  std::string g = group;
  std::replace(g.begin(), g.end(), '.', '/');
  return g + "/" + artifact + "/" + version + "/" + file_name();
}

SourceLoc Locations::at(const std::string& path) const {
  std::string p = path;
  while (!p.empty()) {
    if (auto it = locs_.find(p); it != locs_.end()) return it->second;
    const auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  if (auto it = locs_.find(""); it != locs_.end()) return it->second;
  return {file_, 0, 0};
}

const Image* Stack::find_image(const std::string& name) const {
  for (const auto& i : images)
    if (i.name == name) return &i;
  return nullptr;
}

const Target* Stack::find_target(const std::string& name) const {
  for (const auto& t : targets)
    if (t.name == name) return &t;
  return nullptr;
}

const Application* Stack::find_application(const std::string& name) const {
  for (const auto& a : applications)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<const Image*> Stack::images_in_build_order() const {
  // Depth-first from each image in declaration order; a validated stack has no cycles, the
  // `visiting` set only keeps a broken one from recursing forever.
  std::vector<const Image*> order;
  std::set<std::string> done, visiting;
  std::function<void(const Image&)> visit = [&](const Image& img) {
    if (done.count(img.name) || !visiting.insert(img.name).second) return;
    if (img.from.kind == ImageFrom::Kind::image)
      if (const Image* parent = find_image(img.from.ref)) visit(*parent);
    visiting.erase(img.name);
    done.insert(img.name);
    order.push_back(&img);
  };
  for (const auto& img : images) visit(img);
  return order;
}

}  // namespace stackctl::model
