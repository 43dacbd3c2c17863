// Which namespaces doctor reads for a target: the target's, then those of the in-cluster systems
// the stack names under services.external (their Service DNS names carry the namespace).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/doctor/namespaces.hpp"
#include "core/stack/loader.hpp"

using namespace stackctl;

TEST_CASE("doctor namespaces: hosts of URLs and the namespace of Service DNS names",
          "[doctor][namespaces]") {
  CHECK(doctor::url_host("http://minio.storage.svc.cluster.local:9000") ==
        "minio.storage.svc.cluster.local");
  CHECK(doctor::url_host("thrift://hive-metastore:9083") == "hive-metastore");
  CHECK(doctor::url_host("https://user:pw@s3.example.org/bucket") == "s3.example.org");
  CHECK(doctor::url_host("") == "");
  CHECK(doctor::service_namespace("minio.storage.svc.cluster.local") == "storage");
  CHECK(doctor::service_namespace("hive.meta.svc") == "meta");
  CHECK(doctor::service_namespace("hive-metastore") == "");
  CHECK(doctor::service_namespace("hive.meta") == "");  // a name, not the Service DNS form
  CHECK(doctor::service_namespace("s3.eu-west-1.amazonaws.com") == "");
  CHECK(doctor::service_namespace("10.0.0.7") == "");
}

TEST_CASE("doctor namespaces: the shipped stack's platform is spark plus MinIO's default",
          "[doctor][namespaces]") {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/stacks/spark-connect.stack.yaml");
  std::stringstream text;
  text << in.rdbuf();
  Diagnostics diags;
  auto stack = load_stack(text.str(), {"stack.yaml", "minikube", nullptr}, diags);
  REQUIRE(stack);
  // metastore thrift://hive-metastore:9083 is in the target's namespace; MinIO is
  // minio.default.svc.cluster.local.
  CHECK(doctor::platform_namespaces(*stack) == std::vector<std::string>{"spark", "default"});
  stack->services.external.metastore_uri = "thrift://hive.meta.svc:9083";
  stack->services.external.object_store.endpoint = "http://minio.spark.svc:9000";
  CHECK(doctor::platform_namespaces(*stack) == std::vector<std::string>{"spark", "meta"});
  stack->target = "";  // the base stack has no target namespace
  CHECK(doctor::platform_namespaces(*stack) == std::vector<std::string>{"meta", "spark"});
}
