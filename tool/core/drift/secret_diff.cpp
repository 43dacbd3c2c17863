#include "core/drift/secret_diff.hpp"

#include <map>
#include <optional>
#include <vector>

#include "core/deploy/diff.hpp"
#include "core/drift/files.hpp"
#include "core/kube/object.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::drift {

namespace {

using kube::Json;

// A YAML node as JSON, every scalar as a string: both sides are read the same way, and only the
// masked, re-printed texts are compared.
Json to_json(const doc::Node& n) {
  switch (n.kind) {
    case doc::Kind::null:
      return nullptr;
    case doc::Kind::scalar:
      return n.scalar;
    case doc::Kind::map: {
      Json out = Json::object();
      for (const auto& e : n.entries) out[e.key] = to_json(e.value);
      return out;
    }
    case doc::Kind::seq: {
      Json out = Json::array();
      for (const auto& item : n.items) out.push_back(to_json(item));
      return out;
    }
  }
  return nullptr;
}

std::optional<Json> secret_object(const std::string& text, const std::string& path) {
  Diagnostics diags;
  auto node = doc::parse(text, path, diags);
  if (!node || !node->is_map()) return std::nullopt;
  const doc::Node* kind = node->find("kind");
  if (kind == nullptr || !kind->is_scalar() || kind->scalar != "Secret") return std::nullopt;
  return to_json(*node);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::map<std::string, std::string> env_values(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> out;
  for (const auto& l : lines)
    if (const auto eq = l.find('='); eq != std::string::npos && !l.starts_with('#'))
      out[l.substr(0, eq)] = l.substr(eq + 1);
  return out;
}

std::string mask_env(const std::vector<std::string>& lines,
                     const std::map<std::string, std::string>& other, const char* changed) {
  std::string out;
  for (const auto& l : lines) {
    const auto eq = l.find('=');
    if (l.empty() || l.starts_with('#')) {
      out += l;
    } else if (eq == std::string::npos) {
      out += "***";
    } else {
      const std::string key = l.substr(0, eq);
      auto it = other.find(key);
      out += key + "=" + (it != other.end() && it->second == l.substr(eq + 1) ? "***" : changed);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

MaskedDiff masked_diff(const std::string& path, const std::string& committed,
                       const std::string& rendered) {
  if (path.ends_with(".yaml") || path.ends_with(".yml")) {
    auto before = secret_object(committed, path);
    auto after = secret_object(rendered, path);
    if (!before || !after) return {};
    deploy::mask_secret_data(*before, *after);
    return {deploy::unified_diff(deploy::diff_yaml(*before), deploy::diff_yaml(*after), "a/" + path,
                                 "b/" + path),
            0};
  }
  const auto a = lines_of(committed), b = lines_of(rendered);
  const auto masked_a = mask_env(a, env_values(b), "*** (before)");
  const auto masked_b = mask_env(b, env_values(a), "*** (after)");
  MaskedDiff out{deploy::unified_diff(masked_a, masked_b, "a/" + path, "b/" + path), 0};
  out.line = first_changed_line(out.diff);
  return out;
}

}  // namespace stackctl::drift
