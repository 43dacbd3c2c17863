// kube::Object accessors and kube::to_yaml, checked against yaml-cpp reading the output back.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "core/kube/object.hpp"

using stackctl::kube::Json;
using stackctl::kube::Object;

TEST_CASE("kube::Object reads its identity from the tree", "[kube]") {
  const Object o{Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"demo-connect","namespace":"demo","labels":{"a":"b"}}})")};
  CHECK(o.api_version() == "apps/v1");
  CHECK(o.gvk().group == "apps");
  CHECK(o.gvk().version == "v1");
  CHECK(o.name() == "demo-connect");
  CHECK(o.namespace_name() == "demo");
  CHECK(o.labels()["a"] == "b");
  CHECK(o.annotations().empty());
  CHECK(o.display() == "Deployment demo/demo-connect");
  CHECK(stackctl::kube::group_kind(o.gvk()) == "Deployment.apps");

  const Object ns{
      Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}})")};
  CHECK(ns.gvk().group.empty());
  CHECK(stackctl::kube::group_kind(ns.gvk()) == "Namespace.");
  CHECK(ns.display() == "Namespace demo");
}

TEST_CASE("kube::to_yaml writes YAML that reads back as the same strings, numbers and nesting",
          "[kube]") {
  const Json tree = Json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "x", "labels": {"on": "yes", "n": "007", "empty": ""}},
    "data": {"multi": "a\nb: c\n", "quote": "say \"hi\" #not-a-comment", "true": "true"},
    "list": [{"name": "a", "ports": [{"port": 1}, {"port": 2}]}, "plain", 3, true, null, [1, [2]]],
    "emptyMap": {}, "emptyList": []
  })");
  const std::string text = stackctl::kube::to_yaml(tree);
  const YAML::Node back = YAML::Load(text);
  CHECK(back["metadata"]["labels"]["on"].as<std::string>() == "yes");
  CHECK(back["metadata"]["labels"]["on"].Tag() == "!");  // quoted: a string to every reader
  CHECK(back["metadata"]["labels"]["n"].as<std::string>() == "007");
  CHECK(back["metadata"]["labels"]["empty"].as<std::string>().empty());
  CHECK(back["data"]["multi"].as<std::string>() == "a\nb: c\n");
  CHECK(back["data"]["quote"].as<std::string>() == "say \"hi\" #not-a-comment");
  CHECK(back["list"][0]["ports"][1]["port"].as<int>() == 2);
  CHECK(back["list"][1].as<std::string>() == "plain");
  CHECK(back["list"][2].as<int>() == 3);
  CHECK(back["list"][3].as<bool>());
  CHECK(back["list"][4].IsNull());
  CHECK(back["list"][5][1][0].as<int>() == 2);
  CHECK(back["emptyMap"].IsMap());
  CHECK(back["emptyList"].IsSequence());
  CHECK(text.starts_with("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"));
  CHECK(text.find("list:\n- name: a\n  ports:\n  - port: 1\n") != std::string::npos);
  CHECK(stackctl::kube::to_yaml(tree) == text);  // deterministic
}
