// Comparing live objects with intended ones: for the plan (create / update / unchanged) and for
// `--diff` (a unified diff of YAML, Secret data masked as `kubectl diff` masks it).
#pragma once

#include <string>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::deploy {

// The object without what the server keeps for itself: metadata.managedFields, resourceVersion,
// uid, creationTimestamp, generation, selfLink, and status. What is left is what someone asked for.
kube::Json strip_server_fields(kube::Json object);

// True when the server's answer to an apply differs from the live object only in server fields.
bool same_content(const kube::Json& live, const kube::Json& applied);

// Secret values never leave the process: each key of `data` and `stringData` becomes "***" when
// it is the same on both sides, "*** (before)" / "*** (after)" when it changed (kubectl diff's
// masker). Non-Secrets are returned as they are.
void mask_secret_data(kube::Json& before, kube::Json& after);

// The YAML `--diff` shows of an object: keys in alphabetical order at every level, as kubectl diff
// prints objects. A live object from a LIST and the server's answer to an apply come with their
// keys in different orders; without one order, an unchanged object would diff as moved lines.
std::string diff_yaml(const kube::Json& object);

// A unified diff (3 lines of context) of two texts, with "--- a_label" / "+++ b_label" headers;
// "" when they are equal.
std::string unified_diff(const std::string& a, const std::string& b, const std::string& a_label,
                         const std::string& b_label);

}  // namespace stackctl::deploy
