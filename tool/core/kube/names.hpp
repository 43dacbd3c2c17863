// The rules the Kubernetes API server applies to names, label values and keys, as
// k8s.io/apimachinery/pkg/util/validation (validation.go, content.IsLabelValue/IsLabelKey) and
// k8s.io/kubernetes/pkg/apis/{core,apps,rbac}/validation state them, and which rule each field
// stackctl renders is held to. Validate checks every name render derives from the stack against
// these (core/stack/names.hpp); the test "every rendered name passes the API server's rules" runs
// object_problems() over every rendered object.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::kube {

enum class NameRule {
  dns1123_label,      // IsDNS1123Label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63
  dns1123_subdomain,  // IsDNS1123Subdomain: dot-separated DNS-1123 labels, at most 253
  dns1035_label,      // IsDNS1035Label: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63
  label_value,  // IsValidLabelValue: empty, or ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63
  qualified_name,  // IsQualifiedName (label and annotation keys): [subdomain/]name, name at most 63
  port_name,       // IsValidPortName (IANA_SVC_NAME): [-a-z0-9], a letter, no "--", at most 15
  config_map_key,  // IsConfigMapKey (ConfigMap and Secret keys): [-._a-zA-Z0-9]+, at most 253
  env_var_name,    // IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
  path_segment,    // path.IsValidPathSegmentName (RBAC names): not "." or "..", no '/' or '%'
};

// What the rule is called in messages ("a DNS-1035 label").
std::string_view rule_name(NameRule rule);
// What the rule allows, for hints ("lower-case letters, digits and '-', ...").
std::string_view rule_summary(NameRule rule);
// The longest value the rule allows (0: no limit of its own).
std::size_t max_length(NameRule rule);
// Why `value` breaks `rule`, in apimachinery's words ("must be no more than 63 characters"), or ""
// when it does not. A value of the wrong form is reported as such even when it is also too long;
// is_too_long() tells a reason that is only about the length.
std::string why_invalid(NameRule rule, std::string_view value);
inline bool is_valid(NameRule rule, std::string_view value) {
  return why_invalid(rule, value).empty();
}
bool is_too_long(std::string_view reason);

// The rule the API server applies to metadata.name of an object of `kind`: a Service's is a
// DNS-1035 label (ValidateServiceName), a Namespace's a DNS-1123 label (ValidateNamespaceName),
// Role and RoleBinding names path segments (ValidateRBACName), every other kind stackctl renders
// (ConfigMap, Secret, ServiceAccount, Deployment, StatefulSet) a DNS-1123 subdomain.
NameRule object_name_rule(std::string_view kind);

// The API server accepts a StatefulSet name of up to 253 characters, but its pods then fail: the
// StatefulSet controller labels each pod controller-revision-hash=<name>-<hash of up to 10
// characters>, and a label value is at most 63 (kubernetes/kubernetes#64023, open since 2018).
inline constexpr std::size_t kMaxStatefulSetName = 63 - 1 - 10;

// One name, label or key of a rendered object that the API server (or, for a StatefulSet name,
// its controller) would reject: `field` is the path in the object ("spec.template.spec.
// containers[0].ports[1].name").
struct NameProblem {
  std::string field;
  std::string value;
  std::string reason;
};
// Every name, namespace, label key and value, annotation key, selector, container, port, volume,
// environment variable, ConfigMap/Secret key and object reference (serviceAccountName,
// configMap/secretKeyRef names and keys, serviceName, roleRef) of `object` checked against its
// rule. Empty when all pass.
std::vector<NameProblem> object_problems(const Object& object);

}  // namespace stackctl::kube
