// Pruning with an ApplySet, KEP-3659 as kubectl implements it (facts: docs/deploy.md#pruning).
//
// The parent is a Secret in the target namespace, named "<stack>-applyset". It carries
//   label      applyset.kubernetes.io/id = applyset_id(parent)
//   annotation applyset.kubernetes.io/tooling = stackctl/<version>
//   annotation applyset.kubernetes.io/contains-group-kinds = sorted "Kind.group" list, ','-joined
//   annotation applyset.kubernetes.io/additional-namespaces = sorted namespaces, ','-joined
// and every member carries label applyset.kubernetes.io/part-of = <id>.
//
// A deploy is four steps, each safe to interrupt (plan() computes the parent of each):
//   1 widen:  parent lists old ∪ new group-kinds and namespaces (so a crash after 2 still lets the
//             next run find every member it may have to prune);
//   2 apply:  every member, labelled part-of;
//   3 prune:  per listed group-kind x namespace, members carrying our id that were not applied;
//   4 narrow: parent lists only the new set (after the prune, nothing of the old kinds is left).
// The Namespace itself is never a member: the parent lives in it, so pruning it would delete the
// ApplySet with everything else.
#pragma once

#include <expected>
#include <set>
#include <string>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::deploy {

inline constexpr const char* kIdLabel = "applyset.kubernetes.io/id";
inline constexpr const char* kPartOfLabel = "applyset.kubernetes.io/part-of";
inline constexpr const char* kToolingAnnotation = "applyset.kubernetes.io/tooling";
inline constexpr const char* kGroupKindsAnnotation = "applyset.kubernetes.io/contains-group-kinds";
inline constexpr const char* kNamespacesAnnotation = "applyset.kubernetes.io/additional-namespaces";

// "applyset-" + base64url_nopad(sha256("<name>.<namespace>.<Kind>.<group>")) + "-v1".
std::string applyset_id(const std::string& name, const std::string& ns, const std::string& kind,
                        const std::string& group);

// Where the parent is and who we are.
struct ParentRef {
  std::string name;        // "<stack>-applyset"
  std::string ns;          // the target namespace
  std::string tooling;     // "stackctl/0.1.0"
  std::string id() const;  // applyset_id(name, ns, "Secret", "")
};
std::string parent_name(const std::string& stack);

// What a parent says: the group-kinds ("Deployment.apps") and the namespaces of its members
// besides its own.
struct Members {
  std::set<std::string> group_kinds;
  std::set<std::string> namespaces;  // additional-namespaces (never the parent's own)
  bool operator==(const Members&) const = default;
};

// Reads a live parent Secret. Refuses (message names the tool and what to do) a parent whose
// tooling annotation names another tool, or one without our id label (not an ApplySet parent,
// or one of another name), so deploy never prunes what another tool tracks.
std::expected<Members, std::string> read_parent(const ParentRef& ref, const kube::Json& live);

// The parent Secret as deploy applies it for `members`.
kube::Object parent_object(const ParentRef& ref, const Members& members);

// What `objects` (the members to apply) make of the parent: their group-kinds and their
// namespaces other than ref.ns.
Members members_of(const ParentRef& ref, const std::vector<kube::Object>& objects);

// `object` with the part-of label set.
kube::Object with_part_of(kube::Object object, const std::string& id);

struct Plan {
  std::string ns;    // the parent's namespace
  Members widened;   // step 1: old ∪ new
  Members narrowed;  // step 4: new
  // Where step 3 lists each widened group-kind: ns, then each additional namespace.
  std::vector<std::string> namespaces() const;
};
Plan plan(const ParentRef& ref, const Members* old, const Members& now);

// One live member that is a candidate for pruning.
struct Live {
  kube::GroupVersionKind gvk;
  kube::Json body;
};

// Step 3's selection: of the listed objects, those labelled part-of `id` (the LIST's selector
// asked for it; checked again here), of a group-kind the parent lists, whose uid was not applied
// in step 2. Nothing else is ever selected.
std::vector<Live> select_prune(const std::string& id, const Members& widened,
                               const std::vector<Live>& listed,
                               const std::set<std::string>& applied_uids);

}  // namespace stackctl::deploy
