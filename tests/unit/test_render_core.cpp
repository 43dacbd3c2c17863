// Rendering's shared pieces: properties escaping, shell quoting, sizes, SHA-256, strict templates,
// spark-defaults content and order.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/knowledge/catalog.hpp"
#include "core/render/common.hpp"
#include "core/render/parts.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using namespace stackctl::render;

namespace {

model::Stack load(const std::string& text, const std::string& target) {
  Diagnostics d;
  auto s = load_stack(text, {"s.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE_FALSE(d.has_errors());
  return *s;
}

std::vector<std::string> keys_of(const std::vector<std::pair<std::string, std::string>>& conf) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : conf) keys.push_back(k);
  return keys;
}

std::string value_of(const std::vector<std::pair<std::string, std::string>>& conf,
                     const std::string& key) {
  for (const auto& [k, v] : conf)
    if (k == key) return v;
  return "<absent>";
}

}  // namespace

TEST_CASE("property keys and values are escaped as java.util.Properties#store writes them") {
  CHECK(escape_property_value("a=b:c#d!e") == "a\\=b\\:c\\#d\\!e");
  CHECK(escape_property_value("C:\\dir") == "C\\:\\\\dir");
  CHECK(escape_property_value("thrift://hive:9083") == "thrift\\://hive\\:9083");
  // Only a leading space is escaped in a value; every space in a key.
  CHECK(escape_property_value("  two spaces") == "\\  two spaces");
  CHECK(escape_property_key("a key") == "a\\ key");
  CHECK(escape_property_key(" k") == "\\ k");
  CHECK(escape_property_value("tab\there\nnl\rcr\fff") == "tab\\there\\nnl\\rcr\\fff");
  CHECK(escape_property_value(std::string("bell\x07")) == "bell\\u0007");
  CHECK(escape_property_value("\x7f") == "\\u007F");
  // Non-ASCII as UTF-16 code units, upper-case hex.
  CHECK(escape_property_value("caf\xc3\xa9") == "caf\\u00E9");
  CHECK(escape_property_value("\xe2\x82\xac") == "\\u20AC");
  CHECK(escape_property_value("\xf0\x9f\x98\x80") == "\\uD83D\\uDE00");
  // A byte that is not UTF-8 is kept as a Latin-1 character rather than lost.
  CHECK(escape_property_value("\xff") == "\\u00FF");
  CHECK(escape_property_value("plain.value-1_2/3") == "plain.value-1_2/3");
}

TEST_CASE("format_spark_defaults writes one escaped key value line per setting") {
  const std::string text = format_spark_defaults({{"spark.a", "x=y"}, {"spark.b", " lead"}});
  CHECK(text.starts_with("# "));
  CHECK(text.ends_with("spark.a x\\=y\nspark.b \\ lead\n"));
}

TEST_CASE("shell_quote single-quotes for POSIX shells") {
  CHECK(shell_quote("plain") == "'plain'");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$HOME `x` \"q\" \\n") == "'$HOME `x` \"q\" \\n'");
  CHECK(shell_quote("''") == "''\\'''\\'''");
}

TEST_CASE("Spark sizes convert to MiB the way Spark reads spark.executor.memory") {
  CHECK(spark_size_mib("1024") == 1024);
  CHECK(spark_size_mib("512m") == 512);
  CHECK(spark_size_mib("512MB") == 512);
  CHECK(spark_size_mib("2g") == 2048);
  CHECK(spark_size_mib("2G") == 2048);
  CHECK(spark_size_mib("1t") == 1024 * 1024);
  CHECK(spark_size_mib("2048k") == 2);
  CHECK_FALSE(spark_size_mib(""));
  CHECK_FALSE(spark_size_mib("g"));
  CHECK_FALSE(spark_size_mib("2x"));
  CHECK_FALSE(spark_size_mib("1.5g"));
  CHECK_FALSE(spark_size_mib("99999999999999999999"));
}

TEST_CASE("pod memory adds Spark's overhead: max(384 MiB, 10%) or the explicit one") {
  CHECK(pod_memory("1g", "") == "1408Mi");      // 1024 + 384 (10% would be 102)
  CHECK(pod_memory("2g", "") == "2432Mi");      // 2048 + 384
  CHECK(pod_memory("4g", "") == "4505Mi");      // 4096 + 409 (10%, truncated)
  CHECK(pod_memory("10g", "") == "11264Mi");    // 10240 + 1024
  CHECK(pod_memory("4g", "1g") == "5120Mi");    // explicit overhead
  CHECK(pod_memory("4g", "100m") == "4196Mi");  // explicit, even below 384
  CHECK(pod_memory("bad", "") == "");
}

TEST_CASE("a template that uses an undefined variable is E_TEMPLATE naming the variable") {
  Templates t;
  t.override_with({{"templates/x.mustache", "a {{defined}} b {{undefined_thing}}\n"}});
  detail::Data view;
  view.set("defined", "yes");
  detail::Output out;
  const std::string text = detail::expand(t, "templates/x.mustache", view, out);
  CHECK(text.empty());
  const Diagnostic* d = test::find_code(out.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("undefined_thing") != std::string::npos);
  CHECK(d->loc.file == "templates/x.mustache");
  CHECK(d->loc.line == 1);
  CHECK(d->loc.column == 17);
}

TEST_CASE("a missing template is E_TEMPLATE naming it; a defined one expands") {
  Templates t;
  t.override_with({{"templates/ok.mustache", "{{#items}}[{{{.}}}]{{/items}}"}});
  detail::Output out;
  detail::Data view;
  detail::Data items{detail::Data::type::list};
  items.push_back(detail::Data("a&b"));
  view.set("items", items);
  CHECK(detail::expand(t, "templates/ok.mustache", view, out) == "[a&b]");
  CHECK(out.diags.empty());
  CHECK(detail::expand(t, "templates/gone.mustache", view, out).empty());
  const Diagnostic* d = test::find_code(out.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("templates/gone.mustache") != std::string::npos);
}

TEST_CASE("image references join registry, image name and expanded tag") {
  model::Stack s = load(test::with("images:", "registry:\n  url: reg.example/team\nimages:"), "");
  const model::Image* base = s.find_image("base");
  REQUIRE(base != nullptr);
  CHECK(image_repository(s, *base) == "reg.example/team/base");
  CHECK(image_tag(s, *base) == "spark-3.5.7-r1");
  CHECK(image_ref(s, *base) == "reg.example/team/base:spark-3.5.7-r1");
  model::Stack bare = load(test::kMinimalStack, "");
  CHECK(image_ref(bare, *bare.find_image("base")) == "base:spark-3.5.7-r1");
}

TEST_CASE("spark-defaults: structured settings in a fixed order, then spark.conf in source order") {
  const std::string text = test::with("services:", R"(spark:
  executor: {instances: 3, memory: 2g, cores: 2, requestCores: "1.5", memoryOverhead: 512m}
  driver: {memory: 1g, cores: 1}
  conf:
    spark.z.last: "1"
    spark.a.first: "2"
services:)");
  const auto conf = spark_defaults(load(text, "minikube"));
  const std::vector<std::string> expected = {
      "spark.executor.instances",
      "spark.executor.memory",
      "spark.executor.cores",
      "spark.kubernetes.executor.request.cores",
      "spark.executor.memoryOverhead",
      "spark.driver.memory",
      "spark.driver.cores",
      "spark.dynamicAllocation.enabled",
      "spark.kubernetes.namespace",
      "spark.kubernetes.authenticate.driver.serviceAccountName",
      "spark.z.last",
      "spark.a.first"};
  CHECK(keys_of(conf) == expected);
  CHECK(value_of(conf, "spark.executor.instances") == "3");
  CHECK(value_of(conf, "spark.kubernetes.executor.request.cores") == "1.5");
  CHECK(value_of(conf, "spark.kubernetes.namespace") == "spark");
  CHECK(value_of(conf, "spark.dynamicAllocation.enabled") == "false");
}

TEST_CASE("spark-defaults: connect executors are not spark.executor.instances") {
  const std::string text =
      test::with("    image: connect\n", "    image: connect\n    executors: 7\n");
  CHECK(value_of(spark_defaults(load(text, "minikube")), "spark.executor.instances") == "2");
}

TEST_CASE("spark-defaults: dynamic allocation turns on shuffle tracking") {
  const std::string text = test::with("services:", R"(spark:
  dynamicAllocation: {enabled: true, minExecutors: 1, maxExecutors: 8}
services:)");
  const auto conf = spark_defaults(load(text, ""));
  CHECK(value_of(conf, "spark.dynamicAllocation.enabled") == "true");
  CHECK(value_of(conf, "spark.dynamicAllocation.shuffleTracking.enabled") == "true");
  CHECK(value_of(conf, "spark.dynamicAllocation.minExecutors") == "1");
  CHECK(value_of(conf, "spark.dynamicAllocation.maxExecutors") == "8");
  CHECK(value_of(conf, "spark.kubernetes.namespace") == "<absent>");  // base stack: no target
}

namespace {

const char* kMinio = R"(    image: connect
  external:
    metastore: thrift://hive-metastore:9083
    objectStore:
      kind: minio
      endpoint: http://minio:9000
      pathStyleAccess: true
      region: us-east-1
      credentialsSecret: minio-credentials
)";

}  // namespace

TEST_CASE("spark-defaults: MinIO over http with a credentials Secret, SDK v1 on Hadoop 3.3") {
  const auto conf = spark_defaults(load(test::with("    image: connect\n", kMinio), "minikube"));
  // A Service name alone resolves only in its own namespace: rendered as <name>.<namespace>.svc.
  CHECK(value_of(conf, "spark.hadoop.hive.metastore.uris") ==
        "thrift://hive-metastore.spark.svc:9083");
  CHECK(value_of(conf, "spark.hadoop.fs.s3a.impl") == "org.apache.hadoop.fs.s3a.S3AFileSystem");
  CHECK(value_of(conf, "spark.hadoop.fs.s3a.endpoint") == "http://minio:9000");
  CHECK(value_of(conf, "spark.hadoop.fs.s3a.path.style.access") == "true");
  CHECK(value_of(conf, "spark.hadoop.fs.s3a.connection.ssl.enabled") == "false");
  CHECK(value_of(conf, "spark.hadoop.fs.s3a.endpoint.region") == "us-east-1");
  CHECK(value_of(conf, "spark.hadoop.fs.s3a.aws.credentials.provider") ==
        "com.amazonaws.auth.EnvironmentVariableCredentialsProvider");
  CHECK(value_of(conf, "spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID") ==
        "minio-credentials:AWS_ACCESS_KEY_ID");
  CHECK(value_of(conf, "spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY") ==
        "minio-credentials:AWS_SECRET_ACCESS_KEY");
}

TEST_CASE("spark-defaults: Hadoop 3.4 uses the SDK v2 provider class names") {
  std::string text = test::with("    image: connect\n", kMinio);
  text = test::with("hadoop-aws:3.3.4", "hadoop-aws:3.4.1", text);
  text = test::with("com.amazonaws:aws-java-sdk-bundle:1.12.262",
                    "software.amazon.awssdk:bundle:2.24.6", text);
  text = test::with("  pyspark: \"3.5.7\"\n",
                    "  pyspark: \"3.5.7\"\n  hadoop: \"3.4.1\"\n  awsSdk: \"2.24.6\"\n", text);
  Diagnostics d;
  auto s = load_stack(text, {"s.yaml", "minikube", &catalog::builtin_catalog()}, d);
  REQUIRE(s);
  CHECK(value_of(spark_defaults(*s), "spark.hadoop.fs.s3a.aws.credentials.provider") ==
        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider");
}

TEST_CASE("spark-defaults: S3 on EKS without a Secret uses web identity (IRSA)") {
  std::string text = test::with("    image: connect\n", R"(    image: connect
  external:
    objectStore: {kind: s3, region: eu-west-1}
)");
  text += R"(  - name: eks
    kind: eks
    namespace: data
    eks: {cluster: c, region: eu-west-1, kubernetesVersion: "1.30", nodeInstanceType: m6i.large, nodeCount: 2}
)";
  const auto eks = spark_defaults(load(text, "eks"));
  CHECK(value_of(eks, "spark.hadoop.fs.s3a.aws.credentials.provider") ==
        "com.amazonaws.auth.WebIdentityTokenCredentialsProvider");
  CHECK(value_of(eks, "spark.kubernetes.namespace") == "data");
  CHECK(value_of(eks, "spark.hadoop.fs.s3a.connection.ssl.enabled") == "<absent>");
  const auto mk = spark_defaults(load(text, "minikube"));
  CHECK(value_of(mk, "spark.hadoop.fs.s3a.aws.credentials.provider") == "<absent>");
}

TEST_CASE("spark-defaults: the history server turns on event logs; equal conf entries fold in") {
  std::string text = test::with("    image: connect\n", R"(    image: connect
  historyServer:
    image: base
    logDirectory: s3a://logs/events
)");
  text = test::with("services:", R"(spark:
  conf:
    spark.eventLog.enabled: "true"
    spark.sql.x: "1"
services:)",
                    text);
  const auto conf = spark_defaults(load(text, "minikube"));
  CHECK(value_of(conf, "spark.eventLog.enabled") == "true");
  CHECK(value_of(conf, "spark.eventLog.dir") == "s3a://logs/events");
  const auto keys = keys_of(conf);
  CHECK(std::count(keys.begin(), keys.end(), "spark.eventLog.enabled") == 1);
  CHECK(keys.back() == "spark.sql.x");
}

TEST_CASE("spark-defaults: a metastore host with a dot is kept; a base stack has no namespace") {
  std::string text = test::with("    image: connect\n", kMinio);
  const auto at = text.find("thrift://hive-metastore:9083");
  REQUIRE(at != std::string::npos);
  text.replace(at, 28, "thrift://hive-metastore.meta:9083");
  CHECK(value_of(spark_defaults(load(text, "minikube")), "spark.hadoop.hive.metastore.uris") ==
        "thrift://hive-metastore.meta:9083");
  // Without a target there is no namespace to qualify the name with.
  CHECK(value_of(spark_defaults(load(test::with("    image: connect\n", kMinio), "")),
                 "spark.hadoop.hive.metastore.uris") == "thrift://hive-metastore:9083");
}
