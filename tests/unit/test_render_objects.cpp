// The objects render builds (render::Manifest): for every shipped stack and target they are what
// an expectation built here from the stack says (kinds, names, namespaces, labels, images), the
// values known only later (lock image references, the IRSA role ARN) reach them as data, and a
// template that expands to something that is not one object is a located diagnostic.
//
// Nothing here parses a rendered file: objects are read through kube::Object.
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

#include "core/knowledge/catalog.hpp"
#include "core/render/common.hpp"
#include "core/render/render.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using kube::Json;

namespace {

const char* const kShippedStacks[] = {"spark-connect", "kyuubi-sql", "custom-app"};
constexpr const char* kPlaceholder = "${terraform.output.spark_role_arn}";

std::string read_stack_file(const std::string& name) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/stacks/" + name + ".stack.yaml");
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

model::Stack load(const std::string& name, const std::string& target) {
  Diagnostics d;
  auto stack =
      load_stack(read_stack_file(name),
                 {"stacks/" + name + ".stack.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(stack);
  REQUIRE_FALSE(d.has_errors());
  return *stack;
}

// Everything render needs for one target of a shipped stack; callers add late values.
struct Setup {
  model::Stack base;
  model::Stack stack;
  render::Templates templates = render::Templates::builtin();
  render::Request request;

  Setup(const std::string& name, const std::string& target)
      : base(load(name, "")), stack(load(name, target)) {
    request.base = &base;
    request.targets = {&stack};
    request.catalog = &catalog::builtin_catalog();
    request.templates = &templates;
    for (const auto& k : stack.spark_env.keys) request.env_values[k.key] = Secret("v-" + k.key);
    for (const auto& env : stack.python.conda)
      if (!env.file.empty()) request.stack_files[env.file] = "name: " + env.name + "\n";
    for (const auto& image : stack.images)
      for (const auto& f : image.files) request.stack_files[f.from] = "# " + f.from + "\n";
  }
};

render::Result render_ok(const render::Request& request) {
  auto result = render::render(request);
  if (!result) {
    INFO(test::dump(result.error()));
    FAIL("render failed");
  }
  return std::move(*result);
}

Diagnostics render_errors(const render::Request& request) {
  auto result = render::render(request);
  REQUIRE_FALSE(result);
  return std::move(result.error());
}

// What the test expects of one object: kind, namespace, name, and its recommended labels.
struct Expected {
  std::string kind, ns, name;
  std::string label_name, label_instance, label_component;
  auto key() const { return std::tie(kind, ns, name, label_name, label_instance, label_component); }
  bool operator<(const Expected& o) const { return key() < o.key(); }
  bool operator==(const Expected& o) const { return key() == o.key(); }
};

std::ostream& operator<<(std::ostream& os, const Expected& e) {
  return os << e.kind << " " << e.ns << "/" << e.name << " {" << e.label_name << ", "
            << e.label_instance << ", " << e.label_component << "}";
}

bool has_rendered_secret(const model::Stack& stack) {
  for (const auto& k : stack.spark_env.keys)
    for (const auto& s : stack.spark_env.sources)
      if (s.name == k.source && s.type != model::SecretSourceType::kubernetes_secret) return true;
  return false;
}

// The objects docs/kubernetes.md says a stack gets, from the stack alone.
std::vector<Expected> expected_objects(const model::Stack& stack, const std::string& ns) {
  const std::string s = stack.metadata.name;
  const auto n = [&](const std::string& suffix) { return s + "-" + suffix; };
  std::vector<Expected> e = {{"Namespace", "", ns, "namespace", s, "namespace"},
                             {"ServiceAccount", ns, "spark", "spark", s, "rbac"},
                             {"Role", ns, "spark", "spark", s, "rbac"},
                             {"RoleBinding", ns, "spark", "spark", s, "rbac"},
                             {"ConfigMap", ns, n("spark-defaults"), "spark", s, "config"}};
  if (has_rendered_secret(stack)) e.push_back({"Secret", ns, n("spark-env"), "spark", s, "config"});
  if (stack.services.connect.enabled) {
    const std::string c = n("connect");
    e.push_back({"Service", ns, c, "spark-connect", c, "connect-server"});
    e.push_back({"Deployment", ns, c, "spark-connect", c, "connect-server"});
  }
  const auto& nbs = stack.services.notebooks;
  if (std::any_of(nbs.begin(), nbs.end(), [](const model::Notebook& nb) {
        return nb.mode == model::NotebookMode::connect;
      }))
    e.push_back({"ServiceAccount", ns, "notebook", "notebook", s, "rbac"});
  for (const auto& nb : stack.services.notebooks) {
    const std::string name = n(nb.name);
    const std::string kind = model::to_string(nb.kind);
    e.push_back({"Service", ns, name, kind, name, "notebook"});
    if (nb.mode == model::NotebookMode::client)
      e.push_back({"Service", ns, n(nb.name + "-driver"), kind, name, "notebook"});
    e.push_back({"Deployment", ns, name, kind, name, "notebook"});
  }
  if (stack.services.history_server.enabled) {
    const std::string h = n("history-server");
    e.push_back({"Service", ns, h, "spark-history-server", h, "history-server"});
    e.push_back({"Deployment", ns, h, "spark-history-server", h, "history-server"});
  }
  if (stack.services.kyuubi.enabled) {
    const std::string k = n("kyuubi");
    e.push_back({"ConfigMap", ns, n("kyuubi-conf"), "kyuubi", k, "sql-gateway"});
    e.push_back({"Service", ns, k, "kyuubi", k, "sql-gateway"});
    e.push_back({"StatefulSet", ns, k, "kyuubi", k, "sql-gateway"});
  }
  std::sort(e.begin(), e.end());
  return e;
}

std::string label(const kube::Object& o, const char* key) {
  const Json& labels = o.labels();
  return labels.contains(key) ? labels.at(key).get<std::string>() : "<none>";
}

std::vector<Expected> actual_objects(const std::vector<render::Manifest>& manifests) {
  std::vector<Expected> a;
  for (const auto& m : manifests) {
    const kube::Object& o = m.object;
    a.push_back({o.kind(), o.namespace_name(), o.name(), label(o, "app.kubernetes.io/name"),
                 label(o, "app.kubernetes.io/instance"), label(o, "app.kubernetes.io/component")});
  }
  std::sort(a.begin(), a.end());
  return a;
}

// The stack image each workload runs, by workload object name.
std::map<std::string, std::string> workload_images(const model::Stack& stack) {
  std::map<std::string, std::string> images;
  const std::string s = stack.metadata.name + "-";
  if (stack.services.connect.enabled) images[s + "connect"] = stack.services.connect.image;
  for (const auto& nb : stack.services.notebooks) images[s + nb.name] = nb.image;
  if (stack.services.history_server.enabled)
    images[s + "history-server"] = stack.services.history_server.image;
  if (stack.services.kyuubi.enabled) images[s + "kyuubi"] = stack.services.kyuubi.image;
  return images;
}

std::vector<const Json*> containers(const kube::Object& o) {
  std::vector<const Json*> out;
  const Json& pod = o.body.at("spec").at("template").at("spec");
  for (const char* list : {"initContainers", "containers"})
    if (pod.contains(list))
      for (const auto& c : pod.at(list)) out.push_back(&c);
  return out;
}

bool is_workload(const kube::Object& o) {
  return o.kind() == "Deployment" || o.kind() == "StatefulSet";
}

// Every string anywhere in `j`.
void each_string(const Json& j, const std::function<void(const std::string&)>& fn) {
  if (j.is_string()) fn(j.get_ref<const std::string&>());
  if (j.is_structured())
    for (const auto& item : j) each_string(item, fn);
}

const render::Manifest& find(const std::vector<render::Manifest>& list, const std::string& kind,
                             const std::string& name) {
  for (const auto& m : list)
    if (m.object.kind() == kind && m.object.name() == name) return m;
  FAIL("no " << kind << " " << name);
  static const render::Manifest none;
  return none;
}

std::string fake_digest(char c) {
  return "sha256:" + std::string(64, c);
}

}  // namespace

TEST_CASE("the objects of every shipped stack and target are the ones the stack calls for") {
  for (const char* name : kShippedStacks) {
    for (const auto& target : load(name, "").targets) {
      INFO(name << " / " << target.name);
      Setup setup(name, target.name);
      const render::Result result = render_ok(setup.request);
      REQUIRE(result.manifests.size() == 1);
      const auto& manifests = result.manifests.at(target.name);
      CHECK(actual_objects(manifests) == expected_objects(setup.stack, target.namespace_name));

      // In apply order, each one beside its file, whose bytes are the Manifest's text.
      for (std::size_t i = 1; i < manifests.size(); ++i)
        CHECK(manifests[i - 1].path < manifests[i].path);
      std::set<std::string> kube_files;
      for (const auto& f : result.files)
        if (f.path.starts_with("targets/" + target.name + "/kubernetes/"))
          kube_files.insert(f.path);
      CHECK(kube_files.size() == manifests.size());
      for (const auto& m : manifests) {
        INFO(m.path);
        const auto file = std::find_if(result.files.begin(), result.files.end(),
                                       [&](const render::File& f) { return f.path == m.path; });
        REQUIRE(file != result.files.end());
        CHECK(file->data == m.text);
        CHECK(m.secret == (m.object.kind() == "Secret"));
        CHECK(m.object.labels().at("app.kubernetes.io/part-of") == name);
        CHECK(m.object.labels().at("app.kubernetes.io/managed-by") == "stackctl");
      }

      // Every container runs the stack's tag of the image its service names.
      const auto images = workload_images(setup.stack);
      for (const auto& m : manifests) {
        if (!is_workload(m.object)) continue;
        INFO(m.object.display());
        REQUIRE(images.contains(m.object.name()));
        const model::Image* img = setup.stack.find_image(images.at(m.object.name()));
        REQUIRE(img != nullptr);
        for (const Json* c : containers(m.object)) {
          CHECK(c->at("image") == render::image_ref(setup.stack, *img));
          // A tag pushed to the stack's registry (the shipped targets push): Always.
          CHECK(c->at("imagePullPolicy") == "Always");
        }
      }

      // Only EKS carries the IRSA annotation, and without an ARN it is the placeholder.
      const auto& sa = find(manifests, "ServiceAccount", "spark");
      if (target.kind == model::TargetKind::eks) {
        CHECK(sa.object.annotations().at("eks.amazonaws.com/role-arn") == kPlaceholder);
        CHECK(sa.unresolved == std::vector<std::string>{"spark_role_arn"});
      } else {
        CHECK(sa.object.annotations().empty());
        CHECK(sa.unresolved.empty());
      }
      for (const auto& m : manifests)
        if (&m != &sa) CHECK(m.unresolved.empty());
    }
  }
}

TEST_CASE("image references from the lock reach every container and the executors' image") {
  for (const char* name : kShippedStacks) {
    for (const auto& target : load(name, "").targets) {
      INFO(name << " / " << target.name);
      Setup setup(name, target.name);
      std::map<std::string, std::string> refs;
      char digit = 'a';
      for (const auto& img : setup.stack.images)
        refs[img.name] = "registry.test/pinned/" + img.name + "@" + fake_digest(digit++);
      setup.request.image_refs = refs;
      const render::Result result = render_ok(setup.request);
      const auto& manifests = result.manifests.at(target.name);
      const auto images = workload_images(setup.stack);
      int workloads = 0;
      for (const auto& m : manifests) {
        // No object mentions a stack tag any more: executors run the pinned image too.
        each_string(m.object.body, [&](const std::string& s) {
          for (const auto& img : setup.stack.images) {
            const std::string tagged = render::image_ref(setup.stack, img);
            CHECK(s.find(tagged) == std::string::npos);
            CHECK(s.find(render::escape_property_value(tagged)) == std::string::npos);
          }
        });
        if (!is_workload(m.object)) continue;
        ++workloads;
        INFO(m.object.display());
        const std::string& ref = refs.at(images.at(m.object.name()));
        for (const Json* c : containers(m.object)) {
          CHECK(c->at("image") == ref);
          CHECK(c->at("imagePullPolicy") == "IfNotPresent");
        }
        bool executors = false;
        each_string(m.object.body, [&](const std::string& s) {
          executors =
              executors || s.find("spark.kubernetes.container.image=" + ref) != std::string::npos;
        });
        // Thin Connect clients start no executors.
        const bool driver =
            m.object.name().ends_with("-connect") || m.object.name().ends_with("-kyuubi") ||
            std::any_of(setup.stack.services.notebooks.begin(),
                        setup.stack.services.notebooks.end(), [&](const auto& nb) {
                          return nb.mode == model::NotebookMode::client &&
                                 m.object.name() == setup.stack.metadata.name + "-" + nb.name;
                        });
        if (driver && m.object.kind() == "Deployment") CHECK(executors);
      }
      CHECK(workloads == static_cast<int>(images.size()));
      // Kyuubi's engines learn the executors' image from kyuubi-defaults.conf.
      if (setup.stack.services.kyuubi.enabled) {
        const auto& cm = find(manifests, "ConfigMap", setup.stack.metadata.name + "-kyuubi-conf");
        const std::string conf = cm.object.body.at("data").at("kyuubi-defaults.conf");
        CHECK(conf.find("\nspark.kubernetes.container.image=" +
                        render::escape_property_value(refs.at(setup.stack.services.kyuubi.image)) +
                        "\n") != std::string::npos);
      }
    }
  }
}

TEST_CASE("a given image reference must name an image of the stack and parse") {
  Setup setup("spark-connect", "minikube");
  setup.request.image_refs = {{"no-such-image", "registry.test/x@" + fake_digest('1')}};
  Diagnostics d = render_errors(setup.request);
  const Diagnostic* e = test::find_code(d, "E_VALUE");
  REQUIRE(e != nullptr);
  CHECK(e->message ==
        "an image reference was given for \"no-such-image\", which is not an image of this stack");
  CHECK(e->loc.file == "stacks/spark-connect.stack.yaml");

  setup.request.image_refs = {{setup.stack.images.front().name, "Registry.test/UPPER@sha256:12"}};
  d = render_errors(setup.request);
  e = test::find_code(d, "E_VALUE");
  REQUIRE(e != nullptr);
  CHECK(e->message.starts_with("the image reference given for \"" +
                               setup.stack.images.front().name + "\" is invalid: "));
}

TEST_CASE("the IRSA role ARN reaches the spark ServiceAccount's annotation") {
  Setup setup("custom-app", "eks");
  const std::string arn = "arn:aws:iam::111122223333:role/custom-app-spark";
  setup.request.spark_role_arns = {{"eks", arn}};
  const render::Result result = render_ok(setup.request);
  const auto& sa = find(result.manifests.at("eks"), "ServiceAccount", "spark");
  CHECK(sa.object.annotations().at("eks.amazonaws.com/role-arn") == arn);
  CHECK(sa.unresolved.empty());
  // The file says the same: it is the expansion the object was built from.
  CHECK(sa.text.find("eks.amazonaws.com/role-arn: \"" + arn + "\"\n") != std::string::npos);
  for (const auto& m : result.manifests.at("eks")) CHECK(m.unresolved.empty());
}

TEST_CASE(
    "a role ARN for a target without IRSA, for no rendered target, or not an ARN is refused") {
  SECTION("minikube has no IRSA") {
    Setup setup("custom-app", "minikube");
    setup.request.spark_role_arns = {{"minikube", "arn:aws:iam::111122223333:role/x"}};
    const Diagnostics d = render_errors(setup.request);
    const Diagnostic* e = test::find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->message ==
          "a spark role ARN was given for target \"minikube\", which is not an EKS target (only "
          "EKS uses IRSA)");
    CHECK(e->loc.file == "stacks/custom-app.stack.yaml");
  }
  SECTION("not a target being rendered") {
    Setup setup("custom-app", "minikube");
    setup.request.spark_role_arns = {{"eks", "arn:aws:iam::111122223333:role/x"}};
    const Diagnostics d = render_errors(setup.request);
    const Diagnostic* e = test::find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->message ==
          "a spark role ARN was given for target \"eks\", which is not a target being rendered");
  }
  SECTION("not an ARN") {
    Setup setup("custom-app", "eks");
    setup.request.spark_role_arns = {{"eks", "custom-app-spark"}};
    const Diagnostics d = render_errors(setup.request);
    const Diagnostic* e = test::find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->message ==
          "the spark role ARN given for target \"eks\" is not an ARN: \"custom-app-spark\"");
  }
}

TEST_CASE("lock_image_refs pins each pushed image by digest and leaves the rest to their tags") {
  lock::Lock lock;
  lock.images = {{"spark-base", "127.0.0.1:5000/dp/spark-base:spark-4.0.1", "", fake_digest('1')},
                 {"local", "spark-connect:v1", "", fake_digest('2')},
                 {"untagged", "host:5000/dp/x", "", fake_digest('3')},
                 {"unpushed", "registry.test/dp/notebook:v1", "", ""}};
  const auto refs = render::lock_image_refs(lock);
  CHECK(refs == std::map<std::string, std::string>{
                    {"spark-base", "127.0.0.1:5000/dp/spark-base@" + fake_digest('1')},
                    {"local", "spark-connect@" + fake_digest('2')},
                    {"untagged", "host:5000/dp/x@" + fake_digest('3')}});
}

TEST_CASE("a Kubernetes template that does not expand to one object is a located diagnostic") {
  const std::string tmpl = "templates/kubernetes/namespace.yaml.mustache";
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"# only a comment\n", "expands to 0 YAML documents"},
      {"kind: Namespace\nmetadata:\n  name: {{{name}}}\n",
       "expands to something that is not a Kubernetes object"},
      {"apiVersion: v1\nkind: Namespace\n", "expands to something that is not a Kubernetes object"},
      {"- apiVersion: v1\n", "expands to something that is not a Kubernetes object"},
      {"apiVersion: v1\nkind: Namespace\nmetadata: {name: {{{name}}}}\n---\napiVersion: v1\n",
       "expands to 2 YAML documents"},
      {"apiVersion: v1\nkind: [Namespace\n", "expands to text that is not YAML: "},
      {"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{{name}}}\n  name: x\n",
       "expands to YAML with duplicate key \"name\" (line 5, column 3 of the expansion)"},
      {"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{{name}}}\nspec:\n  x: yes\n",
       "expands to the plain scalar yes, which YAML readers disagree about (line 6, column 6 of "
       "the expansion)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    Setup setup("spark-connect", "minikube");
    setup.templates.override_with({{tmpl, c.text}});
    const Diagnostics d = render_errors(setup.request);
    const Diagnostic* e = test::find_code(d, "E_TEMPLATE");
    REQUIRE(e != nullptr);
    INFO(e->message);
    CHECK(e->loc.file == tmpl);
    CHECK(e->message.starts_with("template " + tmpl + " "));
    CHECK(e->message.find(c.says) != std::string::npos);
  }
}

TEST_CASE("plain scalars become typed JSON values, quoted ones strings") {
  Setup setup("spark-connect", "minikube");
  setup.templates.override_with({{"templates/kubernetes/namespace.yaml.mustache",
                                  "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "
                                  "{{{name}}}\nx:\n  int: 42\n  neg: -7\n  float: 1.5\n  t: true\n"
                                  "  f: False\n  nil: ~\n  empty:\n  word: None\n  quoted: \"42\"\n"
                                  "  block: |\n    a\n  list: [\"\", b, 3]\n"}});
  const render::Result result = render_ok(setup.request);
  const Json& x = find(result.manifests.at("minikube"), "Namespace", "spark").object.body.at("x");
  CHECK(x.at("int") == 42);
  CHECK(x.at("neg") == -7);
  CHECK(x.at("float") == 1.5);
  CHECK(x.at("t") == true);
  CHECK(x.at("f") == false);
  CHECK(x.at("nil").is_null());
  CHECK(x.at("empty").is_null());
  CHECK(x.at("word") == "None");
  CHECK(x.at("quoted") == "42");
  CHECK(x.at("block") == "a\n");
  CHECK(x.at("list") == Json::array({"", "b", 3}));
  // Keys keep the template's order.
  std::vector<std::string> keys;
  for (const auto& [k, v] : x.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"int", "neg", "float", "t", "f", "nil", "empty", "word",
                                         "quoted", "block", "list"});
}

namespace {

// The spark-connect stack with `line` added to its minikube target (after its namespace).
model::Stack spark_connect_with(const std::string& line, const std::string& target) {
  std::string text = read_stack_file("spark-connect");
  const std::string anchor = "    context: minikube\n    namespace: spark\n";
  const auto at = text.find(anchor);
  REQUIRE(at != std::string::npos);
  text.insert(at + anchor.size(), line);
  Diagnostics d;
  auto stack = load_stack(text, {"s.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(stack);
  REQUIRE_FALSE(d.has_errors());
  return *stack;
}

std::set<std::string> pull_policies(const model::Stack& base, const model::Stack& stack,
                                    const std::map<std::string, std::string>& refs = {}) {
  render::Templates templates = render::Templates::builtin();
  render::Request request;
  request.base = &base;
  request.targets = {&stack};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.image_refs = refs;
  for (const auto& k : stack.spark_env.keys) request.env_values[k.key] = Secret("v-" + k.key);
  for (const auto& env : stack.python.conda)
    if (!env.file.empty()) request.stack_files[env.file] = "name: " + env.name + "\n";
  for (const auto& image : stack.images)
    for (const auto& f : image.files) request.stack_files[f.from] = "# " + f.from + "\n";
  const render::Result result = render_ok(request);
  std::set<std::string> out;
  for (const auto& m : result.manifests.at(stack.target))
    if (is_workload(m.object))
      for (const Json* c : containers(m.object)) out.insert(c->at("imagePullPolicy"));
  return out;
}

}  // namespace

TEST_CASE("imagePullPolicy follows the reference and how the target's images arrive") {
  const model::Stack base = spark_connect_with("", "");
  SECTION("push (the default with a registry): a tag is Always, a digest IfNotPresent") {
    const model::Stack stack = spark_connect_with("", "minikube");
    CHECK(stack.image_delivery(*stack.find_target("minikube")) == model::ImageDelivery::push);
    CHECK(pull_policies(base, stack) == std::set<std::string>{"Always"});
    std::map<std::string, std::string> refs;
    for (const auto& img : stack.images)
      refs[img.name] = "registry.test/pinned/" + img.name + "@" + fake_digest('c');
    CHECK(pull_policies(base, stack, refs) == std::set<std::string>{"IfNotPresent"});
  }
  SECTION("minikube-load: the loaded tag is Never pulled") {
    const model::Stack stack = spark_connect_with("    images: minikube-load\n", "minikube");
    CHECK(pull_policies(base, stack) == std::set<std::string>{"Never"});
  }
  SECTION("none: Kubernetes' own default for a tag that is not latest, IfNotPresent") {
    const model::Stack stack = spark_connect_with("    images: none\n", "minikube");
    CHECK(pull_policies(base, stack) == std::set<std::string>{"IfNotPresent"});
  }
  CHECK(render::image_pull_policy(model::ImageDelivery::minikube_load,
                                  "r.test/a@" + fake_digest('d')) == "IfNotPresent");
}
