// A Kubernetes object as data: what render produces, what deploy applies, prunes and diffs, what
// drift and doctor compare. The whole object is one JSON tree (`body`: apiVersion, kind,
// metadata, spec, ...); the accessors read the identifying fields from it, so there is one copy of
// each fact. Serialised to YAML only at the edge (render's files, dry-run and diff output).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace stackctl::kube {

using Json = nlohmann::ordered_json;

struct GroupVersionKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  bool operator==(const GroupVersionKind&) const = default;
  auto operator<=>(const GroupVersionKind&) const = default;
};

// "apps/v1" -> {"apps", "v1"}; "v1" -> {"", "v1"}.
GroupVersionKind parse_api_version(std::string_view api_version, std::string kind);

struct Object {
  Json body;

  std::string api_version() const;
  std::string kind() const;
  std::string name() const;
  std::string namespace_name() const;  // "" for cluster-scoped objects
  GroupVersionKind gvk() const;
  // metadata.labels / metadata.annotations (an empty object when absent).
  const Json& labels() const;
  const Json& annotations() const;
  // For messages: "Deployment demo/demo-connect", "Namespace demo".
  std::string display() const;
};

// "Kind.group" as ApplySet's contains-group-kinds writes it ("Deployment.apps", "Secret.").
std::string group_kind(const GroupVersionKind& gvk);

// A YAML scalar that reads back as exactly `s`, as a string, wherever a value may stand: plain
// when that is unambiguous (names, paths), double-quoted with escapes otherwise.
//
// Not yaml-cpp's emitter, which was tried (yaml-cpp 0.7.0, bookworm's) and is not equivalent:
// its plain style writes yes, on, 1.0, 0x10 and 2024-01-01 unquoted, which YAML readers take for
// booleans, numbers and dates; its DoubleQuoted style writes DEL (0x7f) raw, which YAML does not
// allow in a document, and replaces invalid UTF-8 with U+FFFD, so the text would not read back as
// the same bytes. The one YAML quoting function of the project is this one (render's
// yaml_quote calls it).
std::string yaml_quote(std::string_view s);

// `s` always as a YAML double-quoted scalar, with yaml_quote's escapes (for files whose style
// is to quote every string, such as the conda environment files render writes).
std::string yaml_double_quoted(std::string_view s);

// Block-style YAML of a JSON tree, keys in the tree's order, strings quoted where YAML would read
// them as something else. Deterministic: the same tree gives the same bytes.
std::string to_yaml(const Json& tree);

}  // namespace stackctl::kube
