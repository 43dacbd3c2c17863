// Derived names: validate checks the Kubernetes names render builds from the stack, so the list
// validate checks (detail::derived_names) must hold every Service name render writes.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "core/knowledge/catalog.hpp"
#include "core/render/render.hpp"
#include "core/stack/loader.hpp"
#include "core/stack/sections.hpp"
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

}  // namespace

TEST_CASE("every Service name render writes is one validate checks") {
  for (const char* name : {"spark-connect", "kyuubi-sql", "custom-app"}) {
    INFO(name);
    Diagnostics d;
    auto stack =
        load_stack(read_stack_file(name),
                   {std::string(name) + ".stack.yaml", "", &catalog::builtin_catalog()}, d);
    INFO(test::dump(d));
    REQUIRE(stack);
    REQUIRE_FALSE(d.has_errors());
    std::vector<model::Stack> targets;
    for (const auto& t : stack->targets) {
      auto ts =
          load_stack(read_stack_file(name),
                     {std::string(name) + ".stack.yaml", t.name, &catalog::builtin_catalog()}, d);
      REQUIRE(ts);
      targets.push_back(std::move(*ts));
    }
    std::set<std::string> checked;
    for (const auto& t : targets)
      for (const auto& n : detail::derived_names(t)) checked.insert(n.name);
    const auto templates = render::Templates::builtin();
    render::Request request;
    request.base = &*stack;
    for (const auto& t : targets) request.targets.push_back(&t);
    request.catalog = &catalog::builtin_catalog();
    request.templates = &templates;
    for (const auto& t : targets)
      for (const auto& k : t.spark_env.keys) request.env_values.emplace(k.key, Secret("v"));
    for (const auto& env : stack->python.conda)
      if (!env.file.empty()) request.stack_files[env.file] = read_stack_file(env.file, "");
    auto files = render::render_all(request);
    if (!files) INFO(test::dump(files.error()));
    REQUIRE(files);
    std::size_t services = 0;
    for (const auto& f : *files) {
      if (!f.path.ends_with(".yaml") || f.path.find("/kubernetes/") == std::string::npos) continue;
      for (const auto& doc : YAML::LoadAll(f.data)) {
        if (!doc["kind"] || doc["kind"].as<std::string>() != "Service") continue;
        ++services;
        const auto svc = doc["metadata"]["name"].as<std::string>();
        INFO(f.path);
        CHECK(checked.contains(svc));
      }
    }
    CHECK(services > 0);
  }
}
