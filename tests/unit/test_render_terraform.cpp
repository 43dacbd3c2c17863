// Terraform root modules (render_terraform) and the static modules they call
// (render_terraform_modules): which modules and providers each target gets, the stack's values
// reaching HCL quoted exactly, and the conventions every variable and output follows. The HCL is
// parsed for real by tests/hcl (CTest "terraform: ..."); these tests read the text.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/knowledge/catalog.hpp"
#include "core/render/parts.hpp"
#include "core/render/terraform.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;

namespace {

const char* const kShippedStacks[] = {"spark-connect", "kyuubi-sql", "custom-app"};
const char* const kRootFiles[] = {"versions.tf", "providers.tf", "main.tf", "variables.tf",
                                  "outputs.tf"};

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/" + relative);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

model::Stack load_text(const std::string& text, const std::string& target) {
  Diagnostics d;
  auto stack = load_stack(text, {"test.stack.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(stack);
  REQUIRE_FALSE(d.has_errors());
  return *stack;
}

model::Stack load(const std::string& name, const std::string& target) {
  return load_text(read_source_file("stacks/" + name + ".stack.yaml"), target);
}

struct Rendered {
  std::vector<render::File> files;
  Diagnostics diags;

  // The text of `path`; fails the test when it was not rendered.
  const std::string& text(const std::string& path) const {
    for (const auto& f : files)
      if (f.path == path) return f.data;
    FAIL("not rendered: " << path);
    throw std::logic_error("unreachable");
  }
  bool has(const std::string& path) const {
    return std::any_of(files.begin(), files.end(),
                       [&](const render::File& f) { return f.path == path; });
  }
};

Rendered render_tf(const model::Stack& stack,
                   const render::Templates& templates = render::Templates::builtin()) {
  render::Request request;
  request.base = &stack;
  request.targets = {&stack};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  render::detail::Output out;
  render::detail::render_terraform_modules(request, out);
  render::detail::render_terraform(request, stack, out);
  return {std::move(out.files), std::move(out.diags)};
}

Rendered render_ok(const model::Stack& stack) {
  Rendered r = render_tf(stack);
  INFO(test::dump(r.diags));
  REQUIRE_FALSE(r.diags.has_errors());
  return r;
}

std::string root(const std::string& target, const std::string& file) {
  return "targets/" + target + "/terraform/" + file;
}

// Top-level blocks `kind "name" {` ... `}` (terraform fmt layout: the closing brace at column 0),
// or `kind "name" {}`.
std::vector<std::pair<std::string, std::string>> blocks(const std::string& text,
                                                        const std::string& kind) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::regex opening("^" + kind + " \"([^\"]+)\" \\{(\\})?$");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, opening)) continue;
    const std::string name = m[1];
    std::string body;
    if (!m[2].matched) {
      while (std::getline(in, line) && line != "}") body += line + "\n";
    }
    out.emplace_back(name, body);
  }
  return out;
}

bool has_block(const std::string& text, const std::string& kind, const std::string& name) {
  for (const auto& [n, body] : blocks(text, kind))
    if (n == name) return true;
  return false;
}

// The body of variable `name` in a variables.tf.
std::string variable(const std::string& text, const std::string& name) {
  for (const auto& [n, body] : blocks(text, "variable"))
    if (n == name) return body;
  FAIL("no variable " << name);
  return {};
}

}  // namespace

TEST_CASE("hcl_quote escapes what HCL would read as syntax and nothing else") {
  using render::hcl_quote;
  CHECK(hcl_quote("") == R"("")");
  CHECK(hcl_quote("m6i.2xlarge") == R"("m6i.2xlarge")");
  CHECK(hcl_quote(R"(say "hi")") == R"("say \"hi\"")");
  CHECK(hcl_quote(R"(C:\path\)") == R"("C:\\path\\")");
  CHECK(hcl_quote("a\nb\r\tc") == R"("a\nb\r\tc")");
  CHECK(hcl_quote("${var.x}") == R"("$${var.x}")");
  CHECK(hcl_quote("%{if x}y%{endif}") == R"("%%{if x}y%%{endif}")");
  // Already doubled introducers stay literal: "$${" must read back as "$${", not "${".
  CHECK(hcl_quote("$${x}") == R"("$$${x}")");
  CHECK(hcl_quote("%%{x}") == R"("%%%{x}")");
  // A lone '$' or '%', or one before anything but '{', is literal in HCL already.
  CHECK(hcl_quote("100% $5 $ {x}") == R"("100% $5 $ {x}")");
  CHECK(hcl_quote("end$") == R"("end$")");
  const std::string controls = std::string("nul") + '\0' + "bel\a" + "del\x7f";
  CHECK(hcl_quote(controls) == R"("nul\u0000bel\u0007del\u007F")");
  CHECK(hcl_quote("grüße ✓") == "\"grüße ✓\"");
}

TEST_CASE("hcl_string_list writes a one-line tuple") {
  CHECK(render::hcl_string_list({}) == "[]");
  CHECK(render::hcl_string_list({"a", "b\"c"}) == R"(["a", "b\"c"])");
}

TEST_CASE("a minikube root module reaches its kubeconfig context and creates no cluster") {
  const Rendered r = render_ok(load("spark-connect", "minikube"));
  const std::string& main_tf = r.text(root("minikube", "main.tf"));
  CHECK(has_block(main_tf, "module", "namespace"));
  CHECK_FALSE(has_block(main_tf, "module", "eks"));
  CHECK_FALSE(has_block(main_tf, "module", "spark_irsa"));
  CHECK_THAT(main_tf, Contains(R"(source = "../../../terraform/modules/namespace")"));

  const std::string& providers = r.text(root("minikube", "providers.tf"));
  CHECK(has_block(providers, "provider", "kubernetes"));
  CHECK_FALSE(has_block(providers, "provider", "aws"));
  CHECK_THAT(providers, Contains("config_path    = var.kubeconfig_path"));
  CHECK_THAT(providers, Contains("config_context = var.kube_context"));

  const std::string& variables = r.text(root("minikube", "variables.tf"));
  CHECK_THAT(variable(variables, "kube_context"), Contains(R"(default     = "minikube")"));
  CHECK_THAT(variable(variables, "namespace"), Contains(R"(default     = "spark")"));
  CHECK_THAT(r.text(root("minikube", "versions.tf")), !Contains("hashicorp/aws"));
}

TEST_CASE("an eks root module creates the cluster and Spark's IRSA role, and reaches the cluster") {
  const Rendered r = render_ok(load("spark-connect", "eks"));
  const std::string& main_tf = r.text(root("eks", "main.tf"));
  CHECK(has_block(main_tf, "module", "eks"));
  CHECK(has_block(main_tf, "module", "spark_irsa"));
  CHECK(has_block(main_tf, "module", "namespace"));
  CHECK_THAT(main_tf, Contains("oidc_provider_arn = module.eks.oidc_provider_arn"));

  const std::string& providers = r.text(root("eks", "providers.tf"));
  CHECK(has_block(providers, "provider", "aws"));
  CHECK_THAT(providers, Contains("host                   = module.eks.cluster_endpoint"));
  CHECK_THAT(providers, Contains("base64decode(module.eks.cluster_certificate_authority_data)"));
  CHECK_THAT(providers, Contains(R"(api_version = "client.authentication.k8s.io/v1")"));
  CHECK_THAT(providers,
             Contains(R"(["eks", "get-token", "--cluster-name", module.eks.cluster_name)"));

  const std::string& v = r.text(root("eks", "variables.tf"));
  CHECK_THAT(variable(v, "cluster_name"), Contains(R"(default     = "data-platform")"));
  CHECK_THAT(variable(v, "region"), Contains(R"(default     = "eu-west-1")"));
  CHECK_THAT(variable(v, "kubernetes_version"), Contains(R"(default     = "1.30")"));
  CHECK_THAT(variable(v, "node_instance_type"), Contains(R"(default     = "m6i.2xlarge")"));
  CHECK_THAT(variable(v, "node_count"), Contains("default     = 3"));
  // Not in the stack: the SRE supplies them, so they have no default.
  CHECK_THAT(variable(v, "vpc_id"), !Contains("default"));
  CHECK_THAT(variable(v, "subnet_ids"), !Contains("default"));
  CHECK_THAT(r.text(root("eks", "versions.tf")), Contains("hashicorp/aws"));
  // The manifests annotate the spark ServiceAccount with this output.
  CHECK(has_block(r.text(root("eks", "outputs.tf")), "output", "spark_role_arn"));
}

TEST_CASE("an unset Kubernetes version lets EKS choose") {
  const std::string text =
      test::with("    namespace: spark\n",
                 "    namespace: spark\n  - name: eks\n    kind: eks\n    namespace: spark\n"
                 "    eks: {cluster: c1, region: us-east-1}\n");
  const Rendered r = render_ok(load_text(text, "eks"));
  CHECK_THAT(variable(r.text(root("eks", "variables.tf")), "kubernetes_version"),
             Contains("default     = null"));
}

TEST_CASE("the Vault module and provider appear only when spark.env comes from Vault") {
  for (const char* target : {"minikube", "eks"}) {
    DYNAMIC_SECTION("kyuubi-sql " << target) {
      const Rendered r = render_ok(load("kyuubi-sql", target));
      const std::string& main_tf = r.text(root(target, "main.tf"));
      CHECK(has_block(main_tf, "module", "vault_spark_env"));
      CHECK_THAT(main_tf, Contains(R"(mount = "secret")"));
      CHECK_THAT(main_tf, Contains(R"(path  = "spark/kyuubi-sql")"));
      // On eks the stack reaches S3 through IRSA and keeps only the executor count in Vault.
      if (std::string(target) == "minikube")
        CHECK_THAT(main_tf, Contains(R"("AWS_SECRET_ACCESS_KEY"    = "aws_secret_access_key")"));
      else
        CHECK_THAT(main_tf, !Contains("AWS_SECRET_ACCESS_KEY"));
      CHECK_THAT(main_tf, Contains(R"("SPARK_EXECUTOR_INSTANCES" = "executor_instances")"));
      CHECK(has_block(r.text(root(target, "providers.tf")), "provider", "vault"));
      CHECK_THAT(r.text(root(target, "versions.tf")), Contains("hashicorp/vault"));
      const std::string spark_env = variable(r.text(root(target, "variables.tf")), "spark_env");
      CHECK_THAT(spark_env, Contains("sensitive   = true"));
      CHECK_THAT(spark_env, !Contains("default"));  // names only: values come at apply time
    }
  }
  for (const char* stack : {"spark-connect", "custom-app"}) {  // no sparkEnv; kubernetesSecret
    for (const char* target : {"minikube", "eks"}) {
      DYNAMIC_SECTION(stack << " " << target) {
        const Rendered r = render_ok(load(stack, target));
        for (const char* file : kRootFiles)
          CHECK_THAT(r.text(root(target, file)), !Contains("vault"));
      }
    }
  }
}

TEST_CASE("spark_env requires the required keys and accepts only the stack's Vault keys") {
  std::string text = test::kMinimalStack + R"(sparkEnv:
  sources:
    - {name: v, vault: {path: team/app}}
    - {name: k8s, kubernetesSecret: other}
  keys:
    - {name: TOKEN, from: v, key: token}
    - {name: DEBUG, from: v, required: false}
    - {name: ELSEWHERE, from: k8s}
)";
  const Rendered r = render_ok(load_text(text, "minikube"));
  const std::string v = variable(r.text(root("minikube", "variables.tf")), "spark_env");
  CHECK_THAT(v, Contains(R"(setsubtract(["TOKEN"], keys(var.spark_env)))"));
  CHECK_THAT(v, Contains(R"(setsubtract(keys(var.spark_env), ["TOKEN", "DEBUG"]))"));
  const std::string& main_tf = r.text(root("minikube", "main.tf"));
  CHECK_THAT(main_tf, Contains(R"(mount = "secret")"));  // the loader's default mount
  CHECK_THAT(main_tf, Contains(R"("DEBUG" = "DEBUG")"));
  CHECK_THAT(main_tf, !Contains("ELSEWHERE"));  // a kubernetesSecret key is not Terraform's
}

TEST_CASE("a Vault source no key reads from gets no secret (it would be written empty)") {
  model::Stack stack;
  stack.spark_env.sources = {{"unused", model::SecretSourceType::vault, "secret", "p", ""}};
  CHECK(render::vault_secrets(stack).empty());
}

TEST_CASE("HCL-hostile strings from the stack reach the root module escaped") {
  const std::string text = read_source_file("tests/hcl/fixtures/tricky.stack.yaml");
  const Rendered mk = render_ok(load_text(text, "minikube"));
  const std::string& main_tf = mk.text(root("minikube", "main.tf"));
  CHECK_THAT(main_tf, Contains(R"("vault \"main\"" = {)"));
  CHECK_THAT(main_tf, Contains(R"(mount = "kv\\data")"));
  CHECK_THAT(main_tf,
             Contains(R"(path  = "spark/$${env}/%%{if x}y%%{endif}/\"quoted\" and spaces")"));
  CHECK_THAT(main_tf, Contains(R"("TOKEN"        = "token $${not.a.reference}")"));
  CHECK_THAT(main_tf, Contains(R"("OPTIONAL_KEY" = "$$${already-escaped} %%%{too} \\ end\\")"));
  CHECK_THAT(variable(mk.text(root("minikube", "variables.tf")), "kube_context"),
             Contains(R"(default     = "ctx \"with\" $${quotes}")"));

  const Rendered eks = render_ok(load_text(text, "eks"));
  const std::string& v = eks.text(root("eks", "variables.tf"));
  CHECK_THAT(variable(v, "cluster_name"), Contains(R"(default     = "cluster-$${name}")"));
  CHECK_THAT(variable(v, "region"), Contains(R"(default     = "eu-west-1\"")"));
  CHECK_THAT(variable(v, "node_instance_type"), Contains(R"(default     = "m6i.large\\")"));
}

TEST_CASE("every variable has a type and a description, every output a description") {
  std::vector<render::File> files;
  for (const char* name : kShippedStacks) {
    for (const char* target : {"minikube", "eks"}) {
      Rendered r = render_ok(load(name, target));
      for (auto& f : r.files) files.push_back(std::move(f));
    }
  }
  const std::regex type(R"(^  type +=)", std::regex::multiline);
  const std::regex description(R"(^  description += ")", std::regex::multiline);
  int variables = 0, outputs = 0;
  for (const auto& f : files) {
    for (const auto& [name, body] : blocks(f.data, "variable")) {
      INFO(f.path << ": variable " << name << "\n" << body);
      CHECK(std::regex_search(body, type));
      CHECK(std::regex_search(body, description));
      ++variables;
    }
    for (const auto& [name, body] : blocks(f.data, "output")) {
      INFO(f.path << ": output " << name << "\n" << body);
      CHECK(std::regex_search(body, description));
      ++outputs;
    }
  }
  CHECK(variables > 50);  // the shipped modules' and every root's
  CHECK(outputs > 20);
}

TEST_CASE("every root module calls modules that are in the output folder") {
  const Rendered r = render_ok(load("kyuubi-sql", "eks"));
  const std::regex source(R"re(source\s+= "\.\./\.\./\.\./(terraform/modules/[a-z-]+)")re");
  const std::string& main_tf = r.text(root("eks", "main.tf"));
  int calls = 0;
  for (auto it = std::sregex_iterator(main_tf.begin(), main_tf.end(), source);
       it != std::sregex_iterator(); ++it, ++calls) {
    INFO((*it)[1].str());
    CHECK(r.has((*it)[1].str() + "/main.tf"));
  }
  CHECK(calls == 4);  // eks, spark-irsa, namespace, vault-spark-env
}

TEST_CASE("the static modules are copied byte for byte, a user's override included") {
  render::Templates templates = render::Templates::builtin();
  const auto names = templates.names_under("terraform/modules/");
  REQUIRE(names.size() >= 4 * 5);  // four modules: versions, main, variables, outputs, README
  templates.override_with({{"terraform/modules/eks/main.tf", "# site-specific\n"}});
  const Rendered r = render_tf(load("spark-connect", "eks"), templates);
  REQUIRE_FALSE(r.diags.has_errors());
  for (const auto& name : names) CHECK(r.text(name) == *templates.find(name));
  CHECK(r.text("terraform/modules/eks/main.tf") == "# site-specific\n");
}

TEST_CASE("a Terraform template asking for an unknown value fails naming it") {
  render::Templates templates = render::Templates::builtin();
  templates.override_with({{"templates/terraform/main.tf.mustache", "x = {{{no_such_value}}}\n"}});
  const Rendered r = render_tf(load("spark-connect", "minikube"), templates);
  const Diagnostic* d = test::find_code(r.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK_THAT(d->message, Contains("no_such_value"));
  CHECK(d->loc.file == "templates/terraform/main.tf.mustache");
  CHECK_FALSE(r.has(root("minikube", "main.tf")));
}

TEST_CASE("Terraform templates insert values only with triple braces (no HTML escaping)") {
  const render::Templates templates = render::Templates::builtin();
  const auto names = templates.names_under("templates/terraform/");
  REQUIRE(names.size() == 5);
  // "{{name}}" (HTML-escaped) but not "{{{name}}}", whose inner "{{n" follows a '{'.
  const std::regex escaped(R"((^|[^{])\{\{[^{#/^!&>])");
  for (const auto& name : names) {
    INFO(name);
    CHECK_FALSE(std::regex_search(*templates.find(name), escaped));
  }
}

TEST_CASE("rendered Terraform is deterministic and tidy") {
  for (const char* name : kShippedStacks) {
    for (const char* target : {"minikube", "eks"}) {
      DYNAMIC_SECTION(name << " " << target) {
        const model::Stack stack = load(name, target);
        const Rendered a = render_ok(stack);
        const Rendered b = render_ok(stack);
        REQUIRE(a.files.size() == b.files.size());
        for (std::size_t i = 0; i < a.files.size(); ++i) {
          CHECK(a.files[i].path == b.files[i].path);
          CHECK(a.files[i].data == b.files[i].data);
        }
        for (const char* file : kRootFiles) {
          const std::string& text = a.text(root(target, file));
          INFO(file);
          CHECK_THAT(text, Catch::Matchers::StartsWith("# Rendered by stackctl from stack \""));
          CHECK_THAT(text, Catch::Matchers::EndsWith("}\n"));
          CHECK_THAT(text, !Contains("\n\n\n"));
          CHECK_THAT(text, !Contains("{\n\n"));
          CHECK_THAT(text, !Contains("\t"));
        }
      }
    }
  }
}

TEST_CASE("S3 buckets for the IRSA policy come from s3a:// locations, never from MinIO") {
  CHECK_THAT(variable(render_ok(load("custom-app", "eks")).text(root("eks", "variables.tf")),
                      "s3_bucket_names"),
             Contains(R"(default     = ["analytics-spark-logs"])"));
  CHECK_THAT(variable(render_ok(load("spark-connect", "eks")).text(root("eks", "variables.tf")),
                      "s3_bucket_names"),
             Contains("default     = []"));

  model::Stack stack;
  stack.services.history_server.log_directory = "s3a://logs/events";
  stack.spark.conf = {{"spark.sql.warehouse.dir", "s3://warehouse"},
                      {"spark.eventLog.dir", "s3a://logs/other"},
                      {"spark.local.dir", "/tmp"},
                      {"spark.x", "s3n://legacy/a/b"}};
  CHECK(render::s3_bucket_names(stack) == std::vector<std::string>{"legacy", "logs", "warehouse"});
  stack.services.external.object_store.kind = model::ObjectStoreKind::minio;
  CHECK(render::s3_bucket_names(stack).empty());
}

TEST_CASE("the base stack, which has no target, renders no root module") {
  model::Stack base = load("spark-connect", "");
  const Rendered r = render_tf(base);
  CHECK_FALSE(r.diags.has_errors());
  for (const auto& f : r.files) CHECK_THAT(f.path, !Catch::Matchers::StartsWith("targets/"));
}
