#include "core/kube/object.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace stackctl::kube {

namespace {

const Json& empty_object() {
  static const Json empty = Json::object();
  return empty;
}

std::string string_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& metadata(const Json& body) {
  const auto it = body.find("metadata");
  return it != body.end() && it->is_object() ? *it : empty_object();
}

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Plain scalars that YAML 1.1 readers (the Kubernetes API's) would turn into booleans or null.
bool reads_as_non_string(std::string_view s) {
  static constexpr std::array<std::string_view, 11> words = {
      "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nil", "none"};
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return std::find(words.begin(), words.end(), lower) != words.end();
}

// A plain scalar only for the boring cases: a letter or '/' first (so never a number, date,
// indicator or tag), then letters, digits, '.', '_', '/', '-'.
bool can_be_plain(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '/')) return false;
  for (const char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '/' &&
        c != '-')
      return false;
  return !reads_as_non_string(s);
}

std::string scalar(const Json& v) {
  if (v.is_string()) return yaml_quote(v.get_ref<const std::string&>());
  if (v.is_null()) return "null";
  return v.dump();  // numbers and booleans: JSON's spelling is YAML's
}

bool is_collection(const Json& v) {
  return (v.is_object() || v.is_array()) && !v.empty();
}

void emit(const Json& v, int indent, std::string& out);

void emit_entry_value(const Json& v, int indent, std::string& out) {
  if (is_collection(v)) {
    out += '\n';
    emit(v, indent, out);
  } else if (v.is_object()) {
    out += " {}\n";
  } else if (v.is_array()) {
    out += " []\n";
  } else {
    out += ' ' + scalar(v) + '\n';
  }
}

void emit(const Json& v, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      out += pad + yaml_quote(key) + ':';
      // Sequences under a key sit at the key's indentation, as kubectl writes them.
      emit_entry_value(value, value.is_array() ? indent : indent + 2, out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (is_collection(item)) {
        // "- " then the first line of the item on the same line.
        std::string inner;
        emit(item, indent + 2, inner);
        out += pad + "- " + inner.substr(static_cast<std::size_t>(indent) + 2);
      } else {
        out += pad + "-";
        emit_entry_value(item, indent + 2, out);
      }
    }
  } else {
    out += pad + scalar(v) + '\n';
  }
}

}  // namespace

std::string yaml_quote(std::string_view s) {
  return can_be_plain(s) ? std::string(s) : yaml_double_quoted(s);
}

std::string yaml_double_quoted(std::string_view s) {
  std::string q = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        q += "\\\"";
        break;
      case '\\':
        q += "\\\\";
        break;
      case '\n':
        q += "\\n";
        break;
      case '\t':
        q += "\\t";
        break;
      case '\r':
        q += "\\r";
        break;
      default:
        if (is_control(c)) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          q += buf;
        } else {
          q += c;
        }
    }
  }
  return q + "\"";
}

GroupVersionKind parse_api_version(std::string_view api_version, std::string kind) {
  const auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", std::string(api_version), std::move(kind)};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1)),
          std::move(kind)};
}

std::string Object::api_version() const {
  return string_at(body, "apiVersion");
}
std::string Object::kind() const {
  return string_at(body, "kind");
}
std::string Object::name() const {
  return string_at(metadata(body), "name");
}
std::string Object::namespace_name() const {
  return string_at(metadata(body), "namespace");
}
GroupVersionKind Object::gvk() const {
  return parse_api_version(api_version(), kind());
}

const Json& Object::labels() const {
  const auto& m = metadata(body);
  const auto it = m.find("labels");
  return it != m.end() && it->is_object() ? *it : empty_object();
}

const Json& Object::annotations() const {
  const auto& m = metadata(body);
  const auto it = m.find("annotations");
  return it != m.end() && it->is_object() ? *it : empty_object();
}

std::string Object::display() const {
  const std::string ns = namespace_name();
  return kind() + " " + (ns.empty() ? name() : ns + "/" + name());
}

std::string group_kind(const GroupVersionKind& gvk) {
  return gvk.kind + "." + gvk.group;
}

std::string to_yaml(const Json& tree) {
  std::string out;
  if (is_collection(tree)) {
    emit(tree, 0, out);
  } else {
    out = scalar(tree) + '\n';
  }
  return out;
}

}  // namespace stackctl::kube
