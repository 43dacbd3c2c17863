#include "core/doctor/scrub.hpp"

#include <algorithm>
#include <regex>

namespace stackctl::doctor {

namespace {

using kube::Json;

Json trimmed_metadata(const Json& object) {
  Json meta = object.contains("metadata") ? object["metadata"] : Json::object();
  meta.erase("managedFields");
  if (meta.contains("annotations") && meta["annotations"].is_object())
    meta["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
  return meta;
}

Json key_names(const Json& object, std::initializer_list<const char*> fields) {
  std::vector<std::string> keys;
  // An already reduced object (a saved snapshot read back) keeps its key names.
  if (object.contains("keys") && object["keys"].is_array())
    for (const auto& k : object["keys"])
      if (k.is_string()) keys.push_back(k.get<std::string>());
  for (const char* f : fields)
    if (object.contains(f) && object[f].is_object())
      for (const auto& [k, v] : object[f].items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Json reduced(const Json& object, const char* kind, std::initializer_list<const char*> fields) {
  Json out = {{"apiVersion", object.value("apiVersion", "v1")},
              {"kind", object.value("kind", kind)},
              {"metadata", trimmed_metadata(object)}};
  if (object.contains("type")) out["type"] = object["type"];
  out["keys"] = key_names(object, fields);
  return out;
}

struct Pattern {
  std::regex re;
  const char* replacement;
};

const std::vector<Pattern>& patterns() {
  static const auto icase = std::regex::ECMAScript | std::regex::icase;
  static const std::vector<Pattern> all = {
      // scheme://user:password@host
      {std::regex(R"(([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@)", icase), "$1<redacted>@"},
      {std::regex(R"((bearer\s+)[A-Za-z0-9._~+/=-]+)", icase), "$1<redacted>"},
      {std::regex(R"(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"), "<redacted>"},
      {std::regex(R"(\b(AKIA|ASIA)[A-Z0-9]{16}\b)"), "<redacted>"},
      // key=value, key: value, "key": "value" whose key names a credential
      {std::regex(
           R"((\b[\w.-]*(password|passwd|secret|token|api[_-]?key|access[_-]?key|credential)[\w.-]*\"?\s*[=:]\s*\"?)[^\s\",;&]+)",
           icase),
       "$1<redacted>"},
  };
  return all;
}

}  // namespace

Json secret_metadata(const Json& secret) {
  return reduced(secret, "Secret", {"data", "stringData"});
}

Json config_map_metadata(const Json& config_map) {
  return reduced(config_map, "ConfigMap", {"data", "binaryData"});
}

std::string scrub_line(const std::string& line) {
  std::string out = line;
  for (const auto& p : patterns()) out = std::regex_replace(out, p.re, p.replacement);
  return out;
}

}  // namespace stackctl::doctor
