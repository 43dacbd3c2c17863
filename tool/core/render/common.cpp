#include "core/render/common.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

#include "core/knowledge/version.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::render {

std::string image_repository(const model::Stack& stack, const model::Image& image) {
  if (stack.registry.url.empty()) return image.name;
  return stack.registry.url + "/" + image.name;
}

std::string image_tag(const model::Stack& stack, const model::Image& image) {
  // The loader already reported tag errors against the stack file; here they only mean "no tag".
  Diagnostics ignored;
  return expand_tag(stack, image, SourceLoc{stack.file, 0, 0}, "images", ignored);
}

std::string image_ref(const model::Stack& stack, const model::Image& image) {
  return image_repository(stack, image) + ":" + image_tag(stack, image);
}

std::string image_pull_policy(model::ImageDelivery delivery, const std::string& ref) {
  if (ref.find("@sha256:") != std::string::npos) return "IfNotPresent";
  switch (delivery) {
    case model::ImageDelivery::minikube_load:
      return "Never";
    case model::ImageDelivery::push:
      return "Always";
    case model::ImageDelivery::none:
      return "IfNotPresent";
  }
  return "IfNotPresent";
}

namespace {

using Conf = std::vector<std::pair<std::string, std::string>>;

const char* boolean(bool b) {
  return b ? "true" : "false";
}

// Hadoop >= 3.4 moved S3A to AWS SDK v2, whose credential provider classes live elsewhere
// (facts/versions.md: v1 class names must be remapped on 3.4). An unknown Hadoop version falls
// back to the Spark line: Spark 4 bundles Hadoop 3.4.
bool uses_sdk_v2(const model::Stack& stack) {
  if (auto hadoop = Version::parse(stack.versions.hadoop)) return *hadoop >= *Version::parse("3.4");
  auto spark = Version::parse(stack.versions.spark);
  return spark && spark->major() >= 4;
}

void add_resources(const model::Stack& stack, Conf& c) {
  const auto& ex = stack.spark.executor;
  c.emplace_back("spark.executor.instances", std::to_string(ex.instances));
  c.emplace_back("spark.executor.memory", ex.memory);
  c.emplace_back("spark.executor.cores", std::to_string(ex.cores));
  if (!ex.request_cores.empty())
    c.emplace_back("spark.kubernetes.executor.request.cores", ex.request_cores);
  if (!ex.memory_overhead.empty())
    c.emplace_back("spark.executor.memoryOverhead", ex.memory_overhead);
  const auto& dr = stack.spark.driver;
  c.emplace_back("spark.driver.memory", dr.memory);
  c.emplace_back("spark.driver.cores", std::to_string(dr.cores));
  if (!dr.memory_overhead.empty())
    c.emplace_back("spark.driver.memoryOverhead", dr.memory_overhead);
  const auto& da = stack.spark.dynamic_allocation;
  c.emplace_back("spark.dynamicAllocation.enabled", boolean(da.enabled));
  if (da.enabled) {
    // Kubernetes has no external shuffle service: executors holding shuffle data must be tracked.
    c.emplace_back("spark.dynamicAllocation.shuffleTracking.enabled", "true");
    c.emplace_back("spark.dynamicAllocation.minExecutors", std::to_string(da.min_executors));
    if (da.max_executors > 0)
      c.emplace_back("spark.dynamicAllocation.maxExecutors", std::to_string(da.max_executors));
  }
}

void add_kubernetes(const model::Stack& stack, Conf& c) {
  if (const model::Target* t = stack.find_target(stack.target); t && !t->namespace_name.empty())
    c.emplace_back("spark.kubernetes.namespace", t->namespace_name);
  c.emplace_back("spark.kubernetes.authenticate.driver.serviceAccountName", "spark");
}

// The metastore address as every pod resolves it. A single-label host ("hive-metastore") is a
// Service name, which the cluster DNS resolves only from pods of the Service's own namespace; so
// it is taken as a Service of the target's namespace (what it means for a pod there) and written
// <host>.<namespace>.svc, which resolves the same from every namespace (Kubernetes "DNS for
// Services and Pods"). A host with a dot (another namespace, an FQDN, an IP) is kept as written.
std::string metastore_uri(const model::Stack& stack) {
  const std::string& uri = stack.services.external.metastore_uri;
  constexpr std::string_view scheme = "thrift://";  // the loader accepts thrift://host:port only
  const model::Target* t = stack.find_target(stack.target);
  const auto colon = uri.rfind(':');
  if (t == nullptr || t->namespace_name.empty() || !uri.starts_with(scheme) ||
      colon < scheme.size())
    return uri;
  const std::string host = uri.substr(scheme.size(), colon - scheme.size());
  if (host.empty() || host.find('.') != std::string::npos || host == "localhost") return uri;
  return std::string(scheme) + host + "." + t->namespace_name + ".svc" + uri.substr(colon);
}

void add_object_store(const model::Stack& stack, Conf& c) {
  const auto& os = stack.services.external.object_store;
  if (os.kind == model::ObjectStoreKind::none) return;
  c.emplace_back("spark.hadoop.fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
  if (!os.endpoint.empty()) c.emplace_back("spark.hadoop.fs.s3a.endpoint", os.endpoint);
  c.emplace_back("spark.hadoop.fs.s3a.path.style.access", boolean(os.path_style_access));
  if (os.endpoint.starts_with("http://"))
    c.emplace_back("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
  if (!os.region.empty()) c.emplace_back("spark.hadoop.fs.s3a.endpoint.region", os.region);
  const bool v2 = uses_sdk_v2(stack);
  const model::Target* target = stack.find_target(stack.target);
  std::string provider;
  if (!os.credentials_secret.empty()) {
    provider = v2 ? "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider"
                  : "com.amazonaws.auth.EnvironmentVariableCredentialsProvider";
  } else if (target != nullptr && target->kind == model::TargetKind::eks) {
    // IRSA: the EKS pod identity webhook mounts a token for the `spark` service account.
    provider =
        v2 ? "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider"
           : "com.amazonaws.auth.WebIdentityTokenCredentialsProvider";
  }
  if (!provider.empty()) c.emplace_back("spark.hadoop.fs.s3a.aws.credentials.provider", provider);
}

// Pods that Spark creates itself (executors; drivers in cluster mode, e.g. Kyuubi engines) get
// the environment the stack takes from Kubernetes Secrets: spark.env keys of kubernetesSecret
// sources, and the object store's credentials Secret for keys spark.env does not already set.
void add_secret_refs(const model::Stack& stack, Conf& c) {
  std::vector<std::pair<std::string, std::string>> refs;  // env name -> "secret:key"
  std::set<std::string> names;
  for (const auto& k : stack.spark_env.keys) {
    for (const auto& s : stack.spark_env.sources) {
      if (s.name != k.source || s.type != model::SecretSourceType::kubernetes_secret) continue;
      if (names.insert(k.name).second) refs.emplace_back(k.name, s.secret + ":" + k.key);
    }
  }
  const auto& os = stack.services.external.object_store;
  if (os.kind != model::ObjectStoreKind::none && !os.credentials_secret.empty()) {
    for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
      if (names.insert(name).second) refs.emplace_back(name, os.credentials_secret + ":" + name);
  }
  for (const auto& [name, ref] : refs) {
    c.emplace_back("spark.kubernetes.driver.secretKeyRef." + name, ref);
    c.emplace_back("spark.kubernetes.executor.secretKeyRef." + name, ref);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> spark_defaults(const model::Stack& stack) {
  Conf c;
  add_resources(stack, c);
  add_kubernetes(stack, c);
  if (!stack.services.external.metastore_uri.empty())
    c.emplace_back("spark.hadoop.hive.metastore.uris", metastore_uri(stack));
  add_object_store(stack, c);
  add_secret_refs(stack, c);
  const auto& hs = stack.services.history_server;
  if (hs.enabled && !hs.log_directory.empty()) {
    c.emplace_back("spark.eventLog.enabled", "true");
    c.emplace_back("spark.eventLog.dir", hs.log_directory);
  }
  // `spark.conf` last, in source order. A key the structured settings already produced is
  // dropped: with the same value it is redundant; with another value render_config reports it.
  std::set<std::string> structured;
  for (const auto& [k, v] : c) structured.insert(k);
  for (const auto& [k, v] : stack.spark.conf)
    if (!structured.contains(k)) c.emplace_back(k, v);
  return c;
}

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i. A malformed byte is
// returned as itself (read as Latin-1), so every input has an escaping.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len <= 1 || i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return b0;
  }
  char32_t cp = b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b >> 6) != 0x2) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

void append_u(std::string& out, unsigned unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04X", unit & 0xFFFF);
  out += buf;
}

// java.util.Properties#store's saveConvert with escUnicode = true.
std::string escape_property(const std::string& text, bool escape_space) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const bool first = i == 0;
    const char32_t cp = next_code_point(text, i);
    switch (cp) {
      case U' ':
        out += (first || escape_space) ? "\\ " : " ";
        break;
      case U'\t':
        out += "\\t";
        break;
      case U'\n':
        out += "\\n";
        break;
      case U'\r':
        out += "\\r";
        break;
      case U'\f':
        out += "\\f";
        break;
      case U'\\':
        out += "\\\\";
        break;
      case U'=':
      case U':':
      case U'#':
      case U'!':
        out += '\\';
        out += static_cast<char>(cp);
        break;
      default:
        if (cp < 0x20 || cp > 0x7E) {
          if (cp > 0xFFFF) {  // Java strings are UTF-16: a surrogate pair
            const char32_t v = cp - 0x10000;
            append_u(out, static_cast<unsigned>(0xD800 + (v >> 10)));
            append_u(out, static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
          } else {
            append_u(out, static_cast<unsigned>(cp));
          }
        } else {
          out += static_cast<char>(cp);
        }
    }
  }
  return out;
}

}  // namespace

std::string escape_property_key(const std::string& key) {
  return escape_property(key, true);
}

std::string escape_property_value(const std::string& value) {
  return escape_property(value, false);
}

std::string format_spark_defaults(const std::vector<std::pair<std::string, std::string>>& conf) {
  std::string out =
      "# Rendered by stackctl from the stack file. Do not edit: change the stack and re-render.\n";
  for (const auto& [k, v] : conf)
    out += escape_property_key(k) + " " + escape_property_value(v) + "\n";
  return out;
}

std::string shell_quote(const std::string& value) {
  std::string out = "'";
  for (char ch : value) {
    if (ch == '\'')
      out += "'\\''";
    else
      out += ch;
  }
  return out + "'";
}

std::optional<std::int64_t> spark_size_mib(const std::string& size) {
  std::size_t digits = 0;
  while (digits < size.size() && size[digits] >= '0' && size[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;  // 15 digits cannot overflow below
  std::int64_t n = 0;
  for (std::size_t i = 0; i < digits; ++i) n = n * 10 + (size[i] - '0');
  std::string unit = size.substr(digits);
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](char ch) { return static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch); });
  if (unit.size() == 2 && unit[1] == 'b') unit.resize(1);
  // Spark's JavaUtils.byteStringAs(..., MiB): converts, truncating toward zero.
  if (unit.empty() || unit == "m") return n;
  if (unit == "k") return n / 1024;
  if (unit == "g") return n * 1024;
  if (unit == "t") return n * 1024 * 1024;
  if (unit == "p") {
    if (n > std::numeric_limits<std::int64_t>::max() / (1024LL * 1024 * 1024)) return std::nullopt;
    return n * 1024 * 1024 * 1024;
  }
  return std::nullopt;
}

std::string pod_memory(const std::string& memory, const std::string& overhead) {
  const auto heap = spark_size_mib(memory);
  if (!heap) return {};
  std::int64_t extra = 0;
  if (!overhead.empty()) {
    const auto o = spark_size_mib(overhead);
    if (!o) return {};
    extra = *o;
  } else {
    // Spark: max(memoryOverheadFactor (0.10) * memory, 384 MiB), truncated to whole MiB.
    extra = std::max<std::int64_t>(*heap / 10, 384);
  }
  return std::to_string(*heap + extra) + "Mi";
}

}  // namespace stackctl::render
