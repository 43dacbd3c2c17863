// Derived names: validate checks the Kubernetes names render builds from the stack
// (names::derived), so that list must hold every stack-dependent name render writes, and a stack
// whose names are all at their limits must render only names the API server accepts.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "core/knowledge/catalog.hpp"
#include "core/kube/names.hpp"
#include "core/render/render.hpp"
#include "core/stack/loader.hpp"
#include "core/stack/names.hpp"
#include "stack_text.hpp"

using namespace stackctl;

namespace {

std::string read_stack_file(const std::string& name, const char* ext = ".stack.yaml") {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/stacks/" + name + ext);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Rendered {
  std::vector<model::Stack> targets;
  std::vector<kube::Object> objects;
};

// Loads `text` for each of its targets and renders them all; fails the test on any error.
Rendered render_stack(const std::string& text, const std::string& file,
                      const std::map<std::string, std::string>& stack_files = {}) {
  Diagnostics d;
  auto stack = load_stack(text, {file, "", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(stack);
  REQUIRE_FALSE(d.has_errors());
  Rendered out;
  for (const auto& t : stack->targets) {
    auto ts = load_stack(text, {file, t.name, &catalog::builtin_catalog()}, d);
    REQUIRE(ts);
    out.targets.push_back(std::move(*ts));
  }
  const auto templates = render::Templates::builtin();
  render::Request request;
  request.base = &*stack;
  for (const auto& t : out.targets) request.targets.push_back(&t);
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  for (const auto& t : out.targets)
    for (const auto& k : t.spark_env.keys) request.env_values.emplace(k.key, Secret("v"));
  request.stack_files = stack_files;
  auto result = render::render(request);
  INFO((result ? std::string() : test::dump(result.error())));
  REQUIRE(result);
  for (const auto& [target, manifests] : result->manifests)
    for (const auto& m : manifests) out.objects.push_back(m.object);
  return out;
}

std::set<std::string> checked_names(const Rendered& r) {
  std::set<std::string> checked;
  for (const auto& t : r.targets)
    for (const auto& n : names::derived(t)) checked.insert(n.value);
  return checked;
}

// Kinds whose names do not depend on the stack (the spark ServiceAccount and its RBAC), or are
// the target namespace, checked where it is read.
bool fixed_name(const std::string& kind) {
  return kind == "ServiceAccount" || kind == "Role" || kind == "RoleBinding" || kind == "Namespace";
}

}  // namespace

TEST_CASE("every stack-dependent name render writes is one validate checks") {
  for (const char* name : {"spark-connect", "kyuubi-sql", "custom-app"}) {
    INFO(name);
    const std::string text = read_stack_file(name);
    std::map<std::string, std::string> files;
    Diagnostics d;
    auto stack =
        load_stack(text, {std::string(name) + ".stack.yaml", "", &catalog::builtin_catalog()}, d);
    REQUIRE(stack);
    for (const auto& env : stack->python.conda)
      if (!env.file.empty()) files[env.file] = read_stack_file(env.file, "");
    for (const auto& image : stack->images)
      for (const auto& f : image.files) files[f.from] = read_stack_file(f.from, "");
    const auto r = render_stack(text, std::string(name) + ".stack.yaml", files);
    const auto checked = checked_names(r);
    std::size_t names_seen = 0;
    for (const auto& o : r.objects) {
      INFO(o.display());
      if (!fixed_name(o.kind())) {
        ++names_seen;
        CHECK(checked.contains(o.name()));
      }
      for (const char* label : {"app.kubernetes.io/instance", "app.kubernetes.io/part-of"})
        CHECK(checked.contains(o.labels().value(label, std::string("<absent>"))));
    }
    CHECK(names_seen >= 4);
  }
}

namespace {

// tests/fixtures/names/max-names.stack.yaml: every derived name at its limit (metadata.name of 45
// characters, notebooks of 10 and 17, Secrets and a key of 253). `name`, `client` and `thin`
// replace its metadata.name and the two notebook names.
const std::string kLongName(45, 'a');
const std::string kLongSecret = std::string(63, 's') + "." + std::string(63, 'e') + "." +
                                std::string(63, 'c') + "." + std::string(61, 'r');

std::string max_stack(const std::string& name = kLongName, const std::string& client = "cccccccccc",
                      const std::string& thin = std::string(17, 't')) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/tests/fixtures/names/max-names.stack.yaml");
  REQUIRE(in);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  text = test::with("name: " + kLongName + ",", "name: " + name + ",", text);
  text = test::with("name: cccccccccc,", "name: " + client + ",", text);
  return test::with("name: " + std::string(17, 't') + ",", "name: " + thin + ",", text);
}

}  // namespace

TEST_CASE("every rendered name passes the API server's rules, each name at its limit") {
  const auto r = render_stack(max_stack(), "max.stack.yaml");
  std::size_t at_limit = 0;
  for (const auto& o : r.objects) {
    INFO(o.display());
    for (const auto& p : kube::object_problems(o))
      FAIL_CHECK(p.field << " \"" << p.value << "\": " << p.reason);
    if (o.kind() == "StatefulSet") {
      CHECK(o.name().size() == kube::kMaxStatefulSetName);
      ++at_limit;
    }
    if (o.kind() == "Service" && o.name().size() == 63) ++at_limit;
  }
  // The StatefulSet, both notebooks' Services at 63 (client-mode driver and the thin client).
  CHECK(at_limit == 3);
  CHECK(r.objects.size() >= 15);
}

TEST_CASE("a derived name one character over its limit fails validate at the key") {
  auto errors_of = [](const std::string& text) {
    Diagnostics d;
    (void)load_stack(text, {"max.stack.yaml", "", &catalog::builtin_catalog()}, d);
    std::vector<Diagnostic> out;
    for (const auto& x : d.items())
      if (x.severity == Severity::error) out.push_back(x);
    return out;
  };
  SECTION("metadata.name: the Kyuubi StatefulSet, and both notebooks at their keys") {
    const auto e = errors_of(max_stack(kLongName + "b"));
    REQUIRE(e.size() == 3);
    std::map<std::string, const Diagnostic*> at;
    for (const auto& x : e) {
      CHECK(x.code == "E_DERIVED_NAME");
      at[x.path] = &x;
    }
    REQUIRE(at.contains("metadata.name"));
    CHECK(at["metadata.name"]->message ==
          "the StatefulSet name \"" + kLongName +
              "b-kyuubi\" (metadata.name + \"-kyuubi\") is 53 characters, more than 52");
    CHECK(at["metadata.name"]->hint.starts_with(
        "shorten metadata.name by 1 character; a StatefulSet name"));
    CHECK(at.contains("services.notebooks[0].name"));
    CHECK(at.contains("services.notebooks[1].name"));
  }
  SECTION("a client-mode notebook's driver Service") {
    const auto e = errors_of(max_stack(kLongName, "ccccccccccc"));
    REQUIRE(e.size() == 1);
    CHECK(e[0].path == "services.notebooks[0].name");
    CHECK(e[0].message.find("(metadata.name + \"-\" + services.notebooks[0].name + \"-driver\") is "
                            "64 characters, more than 63") != std::string::npos);
  }
  SECTION("a Connect-mode notebook's Service") {
    const auto e = errors_of(max_stack(kLongName, "cccccccccc", std::string(18, 't')));
    REQUIRE(e.size() == 1);
    CHECK(e[0].path == "services.notebooks[1].name");
  }
  SECTION("a Secret name of 254 characters") {
    auto text = max_stack();
    text.replace(text.find(kLongSecret), kLongSecret.size(), kLongSecret + "x");
    const auto e = errors_of(text);
    REQUIRE(e.size() == 1);
    CHECK(e[0].path == "sparkEnv.sources[0].kubernetesSecret");
    CHECK(e[0].message.ends_with("is 254 characters, more than 253"));
  }
}

TEST_CASE("kube name rules follow apimachinery") {
  using kube::NameRule;
  using kube::why_invalid;
  CHECK(why_invalid(NameRule::dns1123_label, std::string(63, 'a')).empty());
  CHECK(why_invalid(NameRule::dns1123_label, std::string(64, 'a')) ==
        "must be no more than 63 characters");
  CHECK_FALSE(why_invalid(NameRule::dns1123_label, "a.b").empty());
  CHECK_FALSE(why_invalid(NameRule::dns1123_label, "-a").empty());
  CHECK(why_invalid(NameRule::dns1123_label, "0a").empty());
  CHECK_FALSE(why_invalid(NameRule::dns1035_label, "0a").empty());
  CHECK(why_invalid(NameRule::dns1035_label, "a0").empty());
  CHECK(why_invalid(NameRule::dns1123_subdomain, "a.b-c.d").empty());
  CHECK_FALSE(why_invalid(NameRule::dns1123_subdomain, "a..b").empty());
  CHECK_FALSE(why_invalid(NameRule::dns1123_subdomain, "a.").empty());
  CHECK(why_invalid(NameRule::dns1123_subdomain, std::string(254, 'a')) ==
        "must be no more than 253 characters");
  CHECK(why_invalid(NameRule::label_value, "").empty());
  CHECK(why_invalid(NameRule::label_value, "A_b.c-D").empty());
  CHECK_FALSE(why_invalid(NameRule::label_value, "_a").empty());
  CHECK(why_invalid(NameRule::qualified_name, "app.kubernetes.io/name").empty());
  CHECK(why_invalid(NameRule::qualified_name, "checksum/config").empty());
  CHECK_FALSE(why_invalid(NameRule::qualified_name, "/name").empty());
  CHECK_FALSE(why_invalid(NameRule::qualified_name, "Bad_Prefix/name").empty());
  CHECK(why_invalid(NameRule::port_name, "thrift-binary").empty());
  CHECK(why_invalid(NameRule::port_name, std::string(15, 'p')).empty());
  CHECK(why_invalid(NameRule::port_name, std::string(16, 'p')) ==
        "must be no more than 15 characters");
  CHECK(why_invalid(NameRule::port_name, "123") == "must contain at least one letter (a-z)");
  CHECK(why_invalid(NameRule::port_name, "a--b") == "must not contain consecutive hyphens");
  CHECK(why_invalid(NameRule::config_map_key, "spark-defaults.conf").empty());
  CHECK(why_invalid(NameRule::config_map_key, "..a") == "must not start with '..'");
  CHECK_FALSE(why_invalid(NameRule::config_map_key, "a b").empty());
  CHECK(why_invalid(NameRule::env_var_name, "MY_ENV.NAME").empty());
  CHECK_FALSE(why_invalid(NameRule::env_var_name, "1A").empty());
  CHECK(why_invalid(NameRule::path_segment, "spark").empty());
  CHECK_FALSE(why_invalid(NameRule::path_segment, "a/b").empty());
  CHECK(kube::object_name_rule("Service") == NameRule::dns1035_label);
  CHECK(kube::object_name_rule("Namespace") == NameRule::dns1123_label);
  CHECK(kube::object_name_rule("ConfigMap") == NameRule::dns1123_subdomain);
  CHECK(kube::object_name_rule("Role") == NameRule::path_segment);
}

TEST_CASE("object_problems names the field of every bad name in an object") {
  kube::Object o{kube::Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": {"name": ")" + std::string(53, 'a') +
                                   R"(", "namespace": "ns",
                 "labels": {"app.kubernetes.io/name": "-bad"}},
    "spec": {"serviceName": "1svc", "selector": {"matchLabels": {"a": "b"}},
      "template": {"metadata": {"labels": {"a": "b"}, "annotations": {"bad key!": "x"}},
        "spec": {"serviceAccountName": "spark", "containers": [{"name": "Main",
          "ports": [{"name": "a-very-long-port-name", "containerPort": 1}],
          "env": [{"name": "1X", "valueFrom": {"secretKeyRef": {"name": "S", "key": ".."}}}]}],
          "volumes": [{"name": "v", "configMap": {"name": "c_m"}}]}}}})")};
  std::set<std::string> fields;
  for (const auto& p : kube::object_problems(o)) fields.insert(p.field);
  CHECK(fields == std::set<std::string>{
                      "metadata.name",
                      "metadata.labels.app.kubernetes.io/name",
                      "spec.serviceName",
                      "spec.template.metadata.annotations key",
                      "spec.template.spec.containers[0].name",
                      "spec.template.spec.containers[0].ports[0].name",
                      "spec.template.spec.containers[0].env[0].name",
                      "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",
                      "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key",
                      "spec.template.spec.volumes[0].configMap.name",
                  });
}
