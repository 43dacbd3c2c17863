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
std::string yaml_quote(std::string_view s);

// Block-style YAML of a JSON tree, keys in the tree's order, strings quoted where YAML would read
// them as something else. Deterministic: the same tree gives the same bytes.
std::string to_yaml(const Json& tree);

}  // namespace stackctl::kube
