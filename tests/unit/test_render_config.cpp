// spark-defaults.conf and spark.env: content, secrets rules, template overrides, determinism.
#include <catch2/catch.hpp>

#include "core/knowledge/catalog.hpp"
#include "core/render/common.hpp"
#include "core/render/parts.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using namespace stackctl::render;

namespace {

const std::string kEnvStack = test::kMinimalStack + R"(sparkEnv:
  sources:
    - name: vault
      vault: {mount: kv, path: spark/demo}
    - name: local
      file: demo.values.yaml
    - name: k8s
      kubernetesSecret: aws-credentials
  keys:
    - name: AWS_ACCESS_KEY_ID
      from: vault
      key: aws_access_key_id
    - name: API_TOKEN
      from: local
      key: api_token
    - name: OPTIONAL_THING
      from: local
      required: false
    - name: AWS_SECRET_ACCESS_KEY
      from: k8s
      key: secret-access-key
)";

model::Stack load(const std::string& text, const std::string& target = "minikube") {
  Diagnostics d;
  auto s = load_stack(text, {"demo.stack.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE_FALSE(d.has_errors());
  return *s;
}

struct Rendered {
  detail::Output out;
  const File* find(const std::string& path) const {
    for (const auto& f : out.files)
      if (f.path == path) return &f;
    return nullptr;
  }
};

Rendered render_config_of(const model::Stack& stack, std::map<std::string, Secret> values,
                          const Templates& templates = Templates::builtin()) {
  Request request;
  request.base = &stack;
  request.targets = {&stack};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.env_values = std::move(values);
  Rendered r;
  detail::render_config(request, stack, r.out);
  return r;
}

std::string all_messages(const Diagnostics& d) {
  std::string s;
  for (const auto& item : d.items()) s += format_diagnostic(item) + "\n" + item.hint + "\n";
  return s;
}

}  // namespace

TEST_CASE("spark-defaults.conf holds spark_defaults(), escaped, one key value per line") {
  const model::Stack stack = load(test::with("services:", R"(spark:
  conf:
    spark.custom.path: "C:\\tmp #1"
services:)"));
  Rendered r = render_config_of(stack, {});
  INFO(test::dump(r.out.diags));
  REQUIRE_FALSE(r.out.diags.has_errors());
  const File* f = r.find("targets/minikube/spark-defaults.conf");
  REQUIRE(f != nullptr);
  CHECK_FALSE(f->secret);
  CHECK(f->data.starts_with("# spark-defaults.conf of stack demo, target minikube"));
  CHECK(f->data.find("\nspark.executor.instances 2\n") != std::string::npos);
  CHECK(f->data.find("\nspark.kubernetes.namespace spark\n") != std::string::npos);
  CHECK(f->data.find("\nspark.custom.path C\\:\\\\tmp \\#1\n") != std::string::npos);
  // The built-in template and format_spark_defaults() agree on the setting lines.
  const std::string lines = format_spark_defaults(spark_defaults(stack));
  CHECK(f->data.ends_with(lines.substr(lines.find('\n') + 1)));
}

TEST_CASE("spark.env: file and vault keys shell-quoted, Kubernetes Secret keys only named") {
  Rendered r = render_config_of(load(kEnvStack), {{"aws_access_key_id", Secret("AKIA'fake")},
                                                  {"api_token", Secret("tok en$")},
                                                  {"OPTIONAL_THING", Secret("opt")}});
  INFO(test::dump(r.out.diags));
  REQUIRE_FALSE(r.out.diags.has_errors());
  const File* f = r.find("targets/minikube/spark.env");
  REQUIRE(f != nullptr);
  CHECK(f->secret);
  CHECK(f->data.find("\nAWS_ACCESS_KEY_ID='AKIA'\\''fake'\n") != std::string::npos);
  CHECK(f->data.find("\nAPI_TOKEN='tok en$'\n") != std::string::npos);
  CHECK(f->data.find("\nOPTIONAL_THING='opt'\n") != std::string::npos);
  CHECK(f->data.find("AWS_SECRET_ACCESS_KEY=") == std::string::npos);
  CHECK(f->data.find("# AWS_SECRET_ACCESS_KEY is not written here") != std::string::npos);
  CHECK(f->data.find("aws-credentials (key secret-access-key)") != std::string::npos);
}

TEST_CASE("spark.env: an optional key without a value is left out") {
  Rendered r = render_config_of(load(kEnvStack),
                                {{"aws_access_key_id", Secret("a")}, {"api_token", Secret("b")}});
  REQUIRE_FALSE(r.out.diags.has_errors());
  CHECK(r.find("targets/minikube/spark.env")->data.find("OPTIONAL_THING=") == std::string::npos);
}

TEST_CASE("spark.env: a required key without a value is E_SECRET_MISSING, and no value leaks") {
  const std::string secret_value = "super-secret-value-should-never-print";
  Rendered r = render_config_of(load(kEnvStack), {{"api_token", Secret(secret_value)}});
  REQUIRE(r.out.diags.error_count() == 1);
  const Diagnostic& d = r.out.diags.items()[0];
  CHECK(d.code == "E_SECRET_MISSING");
  CHECK(d.path == "sparkEnv.keys[0]");
  CHECK(d.loc.file == "demo.stack.yaml");
  CHECK(d.loc.line > 0);
  CHECK(d.message.find("AWS_ACCESS_KEY_ID") != std::string::npos);
  CHECK(d.message.find("\"vault\"") != std::string::npos);
  CHECK(d.message.find("kv/spark/demo") != std::string::npos);
  CHECK(d.message.find("aws_access_key_id") != std::string::npos);
  CHECK(d.hint.find("--values") != std::string::npos);
  CHECK(all_messages(r.out.diags).find(secret_value) == std::string::npos);

  Rendered file_missing = render_config_of(load(kEnvStack), {{"aws_access_key_id", Secret("x")}});
  REQUIRE(file_missing.out.diags.error_count() == 1);
  const Diagnostic& f = file_missing.out.diags.items()[0];
  CHECK(f.message.find("API_TOKEN") != std::string::npos);
  CHECK(f.message.find("demo.values.yaml") != std::string::npos);
  CHECK(f.message.find("api_token") != std::string::npos);
}

TEST_CASE("a spark.conf entry that contradicts a derived setting is E_CONF_CONFLICT") {
  const model::Stack stack = load(test::with("services:", R"(spark:
  conf:
    spark.kubernetes.namespace: elsewhere
services:)"));
  Rendered r = render_config_of(stack, {});
  const Diagnostic* d = test::find_code(r.out.diags, "E_CONF_CONFLICT");
  REQUIRE(d != nullptr);
  CHECK(d->path == "spark.conf.spark.kubernetes.namespace");
  CHECK(d->loc.line > 0);
}

TEST_CASE("a user template replaces the built-in one") {
  Templates templates = Templates::builtin();
  REQUIRE(templates.find("templates/config/spark-defaults.conf.mustache") != nullptr);
  templates.override_with({{"templates/config/spark-defaults.conf.mustache",
                            "# ours for {{stack}}\n{{#conf}}{{{key}}}={{{value}}}\n{{/conf}}"}});
  CHECK(templates.overridden("templates/config/spark-defaults.conf.mustache"));
  Rendered r = render_config_of(load(test::kMinimalStack), {}, templates);
  REQUIRE_FALSE(r.out.diags.has_errors());
  const std::string& text = r.find("targets/minikube/spark-defaults.conf")->data;
  CHECK(text.starts_with("# ours for demo\nspark.executor.instances=2\n"));
}

TEST_CASE("a user template with an unknown variable is E_TEMPLATE naming it") {
  Templates templates = Templates::builtin();
  templates.override_with({{"templates/config/spark.env.mustache", "{{secretz}}\n"}});
  Rendered r = render_config_of(load(test::kMinimalStack), {}, templates);
  const Diagnostic* d = test::find_code(r.out.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("secretz") != std::string::npos);
  CHECK(d->loc.file == "templates/config/spark.env.mustache");
}

TEST_CASE("render_all is deterministic: the same request gives the same bytes") {
  const model::Stack base = load(kEnvStack, "");
  const model::Stack mk = load(kEnvStack, "minikube");
  const Templates templates = Templates::builtin();
  Request request;
  request.base = &base;
  request.targets = {&mk};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.env_values = {{"aws_access_key_id", Secret("a")}, {"api_token", Secret("b")}};
  auto first = render_all(request);
  auto second = render_all(request);
  INFO((first ? std::string() : test::dump(first.error())));
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(first->size() == second->size());
  for (std::size_t i = 0; i < first->size(); ++i) {
    CHECK((*first)[i].path == (*second)[i].path);
    CHECK((*first)[i].data == (*second)[i].data);
  }
  CHECK(std::is_sorted(first->begin(), first->end(),
                       [](const File& a, const File& b) { return a.path < b.path; }));
}

TEST_CASE("render_all reports a missing spark.env value and returns no files") {
  const model::Stack mk = load(kEnvStack, "minikube");
  const Templates templates = Templates::builtin();
  Request request;
  request.base = &mk;
  request.targets = {&mk};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  auto result = render_all(request);
  REQUIRE_FALSE(result);
  CHECK(test::find_code(result.error(), "E_SECRET_MISSING") != nullptr);
}
