// Small null-safe readers of Kubernetes JSON for the doctor's rules: a missing or mistyped field
// reads as empty, so a rule over a partial object finds nothing instead of throwing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/kube/object.hpp"

namespace stackctl::doctor::detail {

using kube::Json;

inline const Json& empty_json() {
  static const Json e = Json::object();
  return e;
}

inline const Json& at(const Json& j, const char* key) {
  if (!j.is_object()) return empty_json();
  const auto it = j.find(key);
  return it != j.end() ? *it : empty_json();
}

inline std::string str(const Json& j, const char* key) {
  const Json& v = at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

inline bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

inline std::string quote(const std::string& s) {
  return "\"" + s + "\"";
}

// The text between `prefix` and the next '"' ("User \"system:serviceaccount:a:b\"" -> ...).
inline std::optional<std::string> quoted_after(std::string_view s, std::string_view prefix) {
  const auto p = s.find(prefix);
  if (p == std::string_view::npos) return std::nullopt;
  const auto start = p + prefix.size();
  const auto end = s.find('"', start);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(s.substr(start, end - start));
}

inline std::string display(const Json& object) {
  return kube::Object{object}.display();
}

}  // namespace stackctl::doctor::detail
