// Helpers shared by registry.cpp (content) and registry_session.cpp (transport and auth).
// Internal to the registry adapter.
#pragma once

#include <expected>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/http.hpp"
#include "adapters/registry.hpp"

namespace stackctl::registry::detail {

using Json = nlohmann::json;

inline std::unexpected<Failure> fail(Failure::Kind kind, std::string message,
                                     std::string hint = {}) {
  return std::unexpected(Failure{kind, std::move(message), std::move(hint)});
}

// obj[key] when it is a string, else "": registry content is untrusted input, and a wrong type
// must be a message, not an exception.
inline std::string text_of(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::string header(const http::Response& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// "application/json; charset=utf-8" -> "application/json"
inline std::string media_type_of(const http::Response& r) {
  std::string t = header(r, "content-type");
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

// The first error of a distribution error body ({"errors":[{"code":..,"message":..}]}), or "".
inline std::string registry_error(const std::string& body) {
  const auto j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("errors") || !j["errors"].is_array() ||
      j["errors"].empty() || !j["errors"][0].is_object())
    return {};
  const auto& e = j["errors"][0];
  std::string out = text_of(e, "code");
  const std::string msg = text_of(e, "message");
  if (!msg.empty()) out += (out.empty() ? "" : ": ") + msg;
  return out;
}

}  // namespace stackctl::registry::detail
