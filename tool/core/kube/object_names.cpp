// kube::object_problems (names.hpp): every name-like field of a rendered object against the rule
// the API server validates it with (pkg/apis/core/validation: ValidateObjectMeta,
// validateContainers, validateContainerPorts (IsValidPortName), validateServicePort
// (ValidateDNS1123Label), validateEnv (IsEnvVarName), validateSecretKeySelector
// (NameIsDNSSubdomain, IsConfigMapKey), validateVolumes, ValidateConfigMap/ValidateSecret keys
// (IsConfigMapKey)).
#include "core/kube/names.hpp"

namespace stackctl::kube {

namespace {

class Checker {
 public:
  std::vector<NameProblem> problems;

  void check(NameRule rule, const Json& value, const std::string& field) {
    if (!value.is_string()) return;
    const auto s = value.get<std::string>();
    if (auto why = why_invalid(rule, s); !why.empty())
      problems.push_back({field, s, std::string(rule_name(rule)) + " " + why});
  }

  // Labels or a selector: keys are qualified names, values label values.
  void labels(const Json& map, const std::string& field) {
    if (!map.is_object()) return;
    for (const auto& [key, value] : map.items()) {
      check(NameRule::qualified_name, key, field + " key");
      check(NameRule::label_value, value, field + "." + key);
    }
  }

  void annotations(const Json& map, const std::string& field) {
    if (!map.is_object()) return;
    for (const auto& [key, value] : map.items())
      check(NameRule::qualified_name, key, field + " key");
  }

  void keys(const Json& map, const std::string& field) {
    if (!map.is_object()) return;
    for (const auto& [key, value] : map.items())
      check(NameRule::config_map_key, key, field + " key");
  }

  void port(const Json& port, const std::string& field) {
    if (port.is_string()) check(NameRule::port_name, port, field);
  }

  void probe(const Json& p, const std::string& field) {
    if (!p.is_object()) return;
    for (const char* action : {"tcpSocket", "httpGet"})
      if (p.contains(action)) port(p[action].value("port", Json()), field + "." + action + ".port");
  }

  void key_ref(const Json& ref, const std::string& field) {
    if (!ref.is_object()) return;
    check(NameRule::dns1123_subdomain, ref.value("name", Json()), field + ".name");
    check(NameRule::config_map_key, ref.value("key", Json()), field + ".key");
  }

  void container(const Json& c, const std::string& field) {
    check(NameRule::dns1123_label, c.value("name", Json()), field + ".name");
    each(c, "ports", field, [&](const Json& p, const std::string& at) {
      check(NameRule::port_name, p.value("name", Json()), at + ".name");
    });
    each(c, "env", field, [&](const Json& e, const std::string& at) {
      check(NameRule::env_var_name, e.value("name", Json()), at + ".name");
      if (!e.contains("valueFrom")) return;
      const Json& from = e["valueFrom"];
      if (from.contains("secretKeyRef"))
        key_ref(from["secretKeyRef"], at + ".valueFrom.secretKeyRef");
      if (from.contains("configMapKeyRef"))
        key_ref(from["configMapKeyRef"], at + ".valueFrom.configMapKeyRef");
    });
    each(c, "volumeMounts", field, [&](const Json& m, const std::string& at) {
      check(NameRule::dns1123_label, m.value("name", Json()), at + ".name");
    });
    for (const char* p : {"startupProbe", "readinessProbe", "livenessProbe"})
      if (c.contains(p)) probe(c[p], field + "." + p);
  }

  void pod_spec(const Json& spec, const std::string& field) {
    if (!spec.is_object()) return;
    check(NameRule::dns1123_subdomain, spec.value("serviceAccountName", Json()),
          field + ".serviceAccountName");
    each(spec, "containers", field,
         [&](const Json& c, const std::string& at) { container(c, at); });
    each(spec, "volumes", field, [&](const Json& v, const std::string& at) {
      check(NameRule::dns1123_label, v.value("name", Json()), at + ".name");
      if (v.contains("configMap"))
        check(NameRule::dns1123_subdomain, v["configMap"].value("name", Json()),
              at + ".configMap.name");
      if (v.contains("secret"))
        check(NameRule::dns1123_subdomain, v["secret"].value("secretName", Json()),
              at + ".secret.secretName");
    });
  }

  template <typename F>
  void each(const Json& parent, const char* list, const std::string& field, F&& f) {
    if (!parent.is_object() || !parent.contains(list) || !parent[list].is_array()) return;
    const Json& items = parent[list];
    for (std::size_t i = 0; i < items.size(); ++i)
      f(items[i], field + "." + list + "[" + std::to_string(i) + "]");
  }
};

}  // namespace

std::vector<NameProblem> object_problems(const Object& object) {
  Checker c;
  const Json& body = object.body;
  const std::string kind = object.kind();
  const Json meta = body.value("metadata", Json::object());
  c.check(object_name_rule(kind), meta.value("name", Json()), "metadata.name");
  if (kind == "StatefulSet" && object.name().size() > kMaxStatefulSetName)
    c.problems.push_back({"metadata.name", object.name(),
                          "a StatefulSet name must be no more than " +
                              std::to_string(kMaxStatefulSetName) +
                              " characters, or its pods' controller-revision-hash label is "
                              "longer than 63 (kubernetes/kubernetes#64023)"});
  c.check(NameRule::dns1123_label, meta.value("namespace", Json()), "metadata.namespace");
  c.labels(meta.value("labels", Json()), "metadata.labels");
  c.annotations(meta.value("annotations", Json()), "metadata.annotations");
  if (kind == "ConfigMap" || kind == "Secret") {
    for (const char* data : {"data", "stringData", "binaryData"})
      c.keys(body.value(data, Json()), data);
  }
  if (kind == "RoleBinding") {
    const Json ref = body.value("roleRef", Json::object());
    c.check(NameRule::path_segment, ref.value("name", Json()), "roleRef.name");
    c.each(body, "subjects", "", [&](const Json& s, const std::string& at) {
      c.check(NameRule::dns1123_subdomain, s.value("name", Json()), at.substr(1) + ".name");
      c.check(NameRule::dns1123_label, s.value("namespace", Json()), at.substr(1) + ".namespace");
    });
  }
  const Json spec = body.value("spec", Json::object());
  if (kind == "Service") {
    c.labels(spec.value("selector", Json()), "spec.selector");
    c.each(spec, "ports", "spec", [&](const Json& p, const std::string& at) {
      c.check(NameRule::dns1123_label, p.value("name", Json()), at + ".name");
      c.port(p.value("targetPort", Json()), at + ".targetPort");
    });
  }
  if (spec.contains("template")) {
    const Json selector = spec.value("selector", Json::object());
    c.labels(selector.value("matchLabels", Json()), "spec.selector.matchLabels");
    c.check(NameRule::dns1035_label, spec.value("serviceName", Json()), "spec.serviceName");
    const Json tmpl = spec["template"];
    const Json tmeta = tmpl.value("metadata", Json::object());
    c.labels(tmeta.value("labels", Json()), "spec.template.metadata.labels");
    c.annotations(tmeta.value("annotations", Json()), "spec.template.metadata.annotations");
    c.pod_spec(tmpl.value("spec", Json()), "spec.template.spec");
  }
  return std::move(c.problems);
}

}  // namespace stackctl::kube
