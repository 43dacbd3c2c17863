#include "core/doctor/namespaces.hpp"

#include <algorithm>

namespace stackctl::doctor {

std::string url_host(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  if (const auto at = url.find('@', start); at != std::string::npos && at < url.find('/', start))
    start = at + 1;  // user:password@host
  const auto end = url.find_first_of(":/?", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string service_namespace(const std::string& host) {
  std::vector<std::string> labels;
  std::size_t from = 0;
  for (auto dot = host.find('.');; dot = host.find('.', from)) {
    labels.push_back(host.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  if (labels.size() < 3 || labels[2] != "svc" || labels[0].empty() || labels[1].empty()) return "";
  return labels[1];
}

std::vector<std::string> platform_namespaces(const model::Stack& stack) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& ns) {
    if (!ns.empty() && std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
  };
  if (const model::Target* t = stack.find_target(stack.target)) add(t->namespace_name);
  const auto& external = stack.services.external;
  add(service_namespace(url_host(external.metastore_uri)));
  add(service_namespace(url_host(external.object_store.endpoint)));
  return out;
}

}  // namespace stackctl::doctor
