// Sections of the stack file that describe what goes into the images: metadata, versions,
// artifacts, Python, the registry and Spark's configuration.
#include "core/stack/sections.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "core/knowledge/version.hpp"
#include "core/url_secret.hpp"

namespace stackctl::detail {

bool is_dns_label(std::string_view s) {
  static const std::regex re("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_spark_size(std::string_view s) {
  static const std::regex re("[0-9]+([kKmMgGtTpP][bB]?)?");
  return std::regex_match(s.begin(), s.end(), re);
}

void check_dns_label(ReadContext& ctx, const std::string& value, SourceLoc loc,
                     const std::string& path) {
  if (is_dns_label(value)) return;
  ctx.diags.error("E_VALUE", loc, path, "\"" + value + "\" is not a valid name",
                  "use lower-case letters, digits and '-', at most 63 characters, starting and "
                  "ending with a letter or digit (a Kubernetes DNS label)");
}

bool check_relative_path(ReadContext& ctx, const std::string& value, SourceLoc loc,
                         const std::string& path, const char* what, bool file) {
  std::string why;
  if (value.empty()) {
    why = "is empty";
  } else if (value.front() == '/' || value.front() == '~') {
    why = "is absolute";
  } else if (file && value.find('\\') != std::string::npos) {
    why = "contains a backslash";
  } else {
    std::size_t start = 0;
    while (start <= value.size()) {
      const auto end = std::min(value.find('/', start), value.size());
      const std::string_view part(value.data() + start, end - start);
      if (part == "..") why = "goes up a folder (\"..\")";
      if (part == "." || (part.empty() && end < value.size())) why = "has an empty or \".\" part";
      if (!why.empty()) break;
      start = end + 1;
    }
  }
  if (why.empty()) return true;
  ctx.diags.error("E_PATH", loc, path, std::string(what) + " \"" + value + "\" " + why,
                  "name a file inside the stack's folder, relative to it (e.g. envs/app.yml); "
                  "copy a file from elsewhere into that folder");
  return false;
}

void check_unique(ReadContext& ctx, const std::vector<std::pair<std::string, std::string>>& names,
                  const char* what) {
  std::set<std::string> seen;
  for (const auto& [name, path] : names) {
    if (name.empty() || seen.insert(name).second) continue;
    ctx.diags.error("E_DUPLICATE_NAME", ctx.locs.at(path), path,
                    std::string("duplicate ") + what + " \"" + name + "\"",
                    std::string("rename or remove one of them: each ") + what + " must be unique");
  }
}

void read_metadata(Reader r, ReadContext& ctx, model::Metadata& out) {
  if (auto name = r.string("name", Need::required)) {
    out.name = *name;
    check_dns_label(ctx, out.name, r.loc_of("name"), r.child("name"));
  }
  if (auto rev = r.string("revision", Need::required)) {
    out.revision = *rev;
    static const std::regex re("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
    if (!std::regex_match(out.revision, re)) {
      ctx.diags.error("E_VALUE", ctx.locs.at(r.child("revision")), r.child("revision"),
                      "revision \"" + out.revision + "\" cannot be part of an image tag",
                      "use letters, digits, '.', '_' and '-' (like fix-v4)");
    }
  }
  out.description = r.string("description").value_or("");
  r.finish();
}

namespace {

// Reads a version and checks that it parses; `parts` bounds how many dotted parts are allowed.
std::string read_version(Reader& r, ReadContext& ctx, const char* key, Need need,
                         std::size_t min_parts, std::size_t max_parts, const char* example) {
  auto text = r.version(key, need);
  if (!text) return {};
  const auto v = Version::parse(*text);
  if (!v || v->size() < min_parts || v->size() > max_parts) {
    ctx.diags.error("E_VERSION", ctx.locs.at(r.child(key)), r.child(key),
                    "\"" + *text + "\" is not a valid " + key + " version",
                    std::string("write it like \"") + example + "\"");
    return {};
  }
  return *text;
}

}  // namespace

void read_versions(Reader r, ReadContext& ctx, model::Versions& out) {
  out.spark = read_version(r, ctx, "spark", Need::required, 3, 3, "4.0.1");
  out.scala = read_version(r, ctx, "scala", Need::optional, 2, 2, "2.13");
  out.java = read_version(r, ctx, "java", Need::required, 1, 1, "17");
  out.python = read_version(r, ctx, "python", Need::required, 2, 2, "3.11");
  out.hadoop = read_version(r, ctx, "hadoop", Need::optional, 3, 3, "3.4.1");
  out.aws_sdk = read_version(r, ctx, "awsSdk", Need::optional, 3, 3, "2.24.6");
  out.pyspark = read_version(r, ctx, "pyspark", Need::optional, 3, 3, "4.0.1");
  r.finish();
}

namespace {

std::optional<model::Checksum> read_checksum(Reader& r, ReadContext& ctx) {
  struct Algo {
    const char* key;
    model::HashAlgorithm algorithm;
    std::size_t hex_length;
  };
  static const Algo algos[] = {{"sha512", model::HashAlgorithm::sha512, 128},
                               {"sha256", model::HashAlgorithm::sha256, 64},
                               {"sha1", model::HashAlgorithm::sha1, 40}};
  std::optional<model::Checksum> found;
  for (const auto& a : algos) {
    auto hex = r.string(a.key);
    if (!hex) continue;
    const bool is_hex = std::all_of(hex->begin(), hex->end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    if (!is_hex || hex->size() != a.hex_length) {
      ctx.diags.error("E_CHECKSUM", ctx.locs.at(r.child(a.key)), r.child(a.key),
                      std::string("a ") + a.key + " checksum is " + std::to_string(a.hex_length) +
                          " hexadecimal digits; this one has " + std::to_string(hex->size()) +
                          (is_hex ? "" : " and characters that are not hexadecimal"),
                      "copy the value from the published ." + std::string(a.key) +
                          " file, or remove it and let `stackctl lock` resolve it");
      continue;
    }
    if (found) {
      ctx.diags.error(
          "E_CHECKSUM", ctx.locs.at(r.child(a.key)), r.child(a.key), "more than one checksum given",
          "keep one: the strongest the upstream publishes (sha512, then sha256, then sha1)");
      continue;
    }
    std::string lower = *hex;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    found = model::Checksum{a.algorithm, lower};
  }
  return found;
}

// Characters a Maven coordinate's parts may use here: Maven's own id characters (letters,
// digits, '.', '_', '-') and '+' for versions. They become file names and paths in build
// contexts and Dockerfiles (artifact-version.jar), so nothing else passes, nor a part of dots only.
bool coordinate_part(std::string_view p) {
  if (p.empty() || p.find_first_not_of('.') == std::string_view::npos) return false;
  return std::all_of(p.begin(), p.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '+';
  });
}

std::optional<model::MavenCoordinate> parse_coordinate(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 3 || parts.size() > 4) return std::nullopt;
  if (!std::all_of(parts.begin(), parts.end(), coordinate_part)) return std::nullopt;
  return model::MavenCoordinate{parts[0], parts[1], parts[2], parts.size() == 4 ? parts[3] : ""};
}

// RFC 3986's characters (unreserved, reserved and '%'): what a URL may hold unencoded.
bool url_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

// The last path segment of a URL, without query or fragment (render names the fetched file so).
std::string_view url_file_name(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (path == std::string_view::npos) return {};
  return url.substr(url.find_last_of('/') + 1);
}

// `names_file`: the URL's last segment becomes a file name in the build context and in the
// Dockerfile (COPY, tar), so it must be a plain file name.
void read_url(Reader& r, ReadContext& ctx, const char* key, Need need, std::string& out,
              bool names_file = false) {
  auto url = r.string(key, need);
  if (!url) return;
  const SourceLoc at = ctx.locs.at(r.child(key));
  // Checked before anything that echoes the URL: a password in it must not reach the terminal.
  if (refuse_url_credentials(ctx, *url, at, r.child(key))) return;
  if (!url->starts_with("https://") && !url->starts_with("http://") &&
      !url->starts_with("file://")) {
    ctx.diags.error("E_VALUE", at, r.child(key),
                    "\"" + *url + "\" is not an http(s):// or file:// URL",
                    "write the full URL, e.g. https://archive.apache.org/dist/spark/...");
    return;
  }
  if (const auto bad = std::find_if_not(url->begin(), url->end(), url_char); bad != url->end()) {
    ctx.diags.error("E_VALUE", at, r.child(key),
                    "the URL \"" + *url + "\" contains '" + std::string(1, *bad) +
                        "', which a URL cannot hold unencoded",
                    "percent-encode it (a space is %20)");
    return;
  }
  if (names_file) {
    const std::string_view file = url_file_name(*url);
    const bool plain = !file.empty() && file.find_first_not_of('.') != std::string_view::npos &&
                       std::all_of(file.begin(), file.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                                c == '_' || c == '-' || c == '+';
                       });
    if (!plain) {
      ctx.diags.error("E_VALUE", at, r.child(key),
                      file.empty() ? "the URL \"" + *url + "\" names no file"
                                   : "the URL's file name \"" + std::string(file) +
                                         "\" is not a plain file name",
                      "the last part of the URL is the file's name in the build context: "
                      "letters, digits, '.', '_', '-' and '+', like spark-4.0.1-bin-hadoop3.tgz");
      return;
    }
  }
  out = *url;
}

}  // namespace

bool refuse_url_credentials(ReadContext& ctx, std::string_view url, SourceLoc at,
                            const std::string& path) {
  // A stack URL is written into stack.lock, build contexts, rendered files and JSON output, so
  // credentials in it would be copied into files and logs that are not secret. The message
  // names the part that carries them, never its value.
  if (url::has_userinfo(url)) {
    ctx.diags.error("E_URL_CREDENTIALS", at, path,
                    "the URL carries credentials (user:password@ before the host, not shown): "
                    "stackctl copies stack URLs into stack.lock, rendered files and JSON output, "
                    "which are not secret",
                    "remove them from the stack, and reach the server without credentials in "
                    "the URL (a local mirror, or a proxy that adds them)");
    return true;
  }
  if (const auto name = url::secret_query_parameter(url)) {
    ctx.diags.error("E_URL_CREDENTIALS", at, path,
                    "the URL's query carries a credential (" + *name +
                        "=..., not shown): stackctl copies stack URLs into stack.lock, rendered "
                        "files and JSON output, which are not secret",
                    "remove it from the stack: a presigned or token URL is a password that "
                    "expires; reach the server without credentials in the URL (a local mirror, "
                    "or a proxy that adds them)");
    return true;
  }
  return false;
}

void read_artifacts(Reader r, ReadContext& ctx, model::Artifacts& out) {
  if (r.node("mirror")) read_url(r, ctx, "mirror", Need::optional, out.mirror);
  while (!out.mirror.empty() && out.mirror.back() == '/') out.mirror.pop_back();
  Reader spark = r.map("spark", Need::required);
  read_url(spark, ctx, "url", Need::required, out.spark.url, true);
  out.spark.checksum = read_checksum(spark, ctx);
  spark.finish();
  Reader kyuubi = r.map("kyuubi");
  read_url(kyuubi, ctx, "url", Need::required, out.kyuubi.url, true);
  out.kyuubi.checksum = read_checksum(kyuubi, ctx);
  kyuubi.finish();
  std::vector<std::pair<std::string, std::string>> ids, artifacts;
  for (const auto& [node, path] : r.seq("jars")) {
    Reader j(node, path, ctx);
    model::Jar jar;
    if (auto text = j.string("maven", Need::required)) {
      if (auto c = parse_coordinate(*text)) {
        jar.coordinate = *c;
        artifacts.emplace_back(c->group + ":" + c->artifact, path);
      } else {
        ctx.diags.error("E_VALUE", ctx.locs.at(j.child("maven")), j.child("maven"),
                        "\"" + *text + "\" is not a Maven coordinate",
                        "write group:artifact:version with letters, digits, '.', '_', '-' "
                        "(and '+' in the version), e.g. org.apache.hadoop:hadoop-aws:3.4.1");
      }
    }
    jar.id = j.string("id").value_or(jar.coordinate.artifact);
    jar.checksum = read_checksum(j, ctx);
    read_url(j, ctx, "url", Need::optional, jar.url);
    j.finish();
    ids.emplace_back(jar.id, path);
    out.jars.push_back(std::move(jar));
  }
  check_unique(ctx, ids, "jar id");
  check_unique(ctx, artifacts, "jar artifact (group:artifact)");
  r.finish();
}

void read_python(Reader r, ReadContext& ctx, model::Python& out) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& [node, path] : r.seq("conda")) {
    Reader e(node, path, ctx);
    model::CondaEnv env;
    env.name = e.string("name", Need::required).value_or("");
    if (!env.name.empty()) check_dns_label(ctx, env.name, e.loc_of("name"), e.child("name"));
    env.file = e.string("file").value_or("");
    // Kept when refused: the stack is invalid anyway, and `file` still says which kind it is.
    if (e.node("file") != nullptr)
      check_relative_path(ctx, env.file, ctx.locs.at(e.child("file")), e.child("file"),
                          "the conda environment file");
    env.packages = e.string_list("packages");
    env.channels = e.string_list("channels");
    // A channel may be a URL (https://host/channel): it is written into the environment.yml of
    // the build context, so it must carry no credentials either.
    if (const doc::Node* channels = e.node("channels"); channels != nullptr && channels->is_seq())
      for (std::size_t i = 0; i < channels->items.size(); ++i)
        if (const auto& ch = channels->items[i];
            ch.is_scalar() && ch.scalar.find("://") != std::string::npos)
          refuse_url_credentials(ctx, ch.scalar, ch.loc,
                                 e.child("channels") + "[" + std::to_string(i) + "]");
    const bool has_packages = e.node("packages") != nullptr;
    if (env.file.empty() == !has_packages) {
      ctx.diags.error("E_VALUE", e.loc(), path,
                      env.file.empty() ? "a conda environment needs `file` or `packages`"
                                       : "a conda environment takes `file` or `packages`, not both",
                      "name an environment.yml with `file:`, or list `packages:`");
    }
    if (has_packages && env.channels.empty()) env.channels = {"conda-forge"};
    e.finish();
    names.emplace_back(env.name, path);
    out.conda.push_back(std::move(env));
  }
  check_unique(ctx, names, "conda environment name");
  r.finish();
}

void read_registry(Reader r, ReadContext& ctx, model::Registry& out) {
  if (auto url = r.string("url", r.present() ? Need::required : Need::optional)) {
    // Image references start with it (distribution's grammar, core/image_ref.hpp): a host,
    // an optional port, then lower-case path components.
    static const std::regex registry(
        "[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*/*");
    if (refuse_url_credentials(ctx, *url, ctx.locs.at(r.child("url")), r.child("url"))) {
      // reported before the messages below, which repeat the value
    } else if (url->find("://") != std::string::npos) {
      ctx.diags.error("E_VALUE", ctx.locs.at(r.child("url")), r.child("url"),
                      "registry url takes no scheme",
                      "write host[:port]/path, e.g. registry.example.com/data-platform");
    } else if (!std::regex_match(*url, registry)) {
      ctx.diags.error("E_VALUE", ctx.locs.at(r.child("url")), r.child("url"),
                      "registry url \"" + *url + "\" is not host[:port]/path",
                      "write host[:port]/path with a lower-case path, e.g. "
                      "registry.example.com/data-platform");
    } else {
      out.url = *url;
      while (!out.url.empty() && out.url.back() == '/') out.url.pop_back();
    }
  }
  out.insecure = r.boolean("insecure").value_or(false);
  r.finish();
}

namespace {

// spark-defaults keys that the structured fields own: setting them under `conf` too would leave
// two sources of truth.
const std::vector<std::pair<std::string, std::string>>& owned_conf_keys() {
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"spark.executor.instances", "spark: executor: instances:"},
      {"spark.executor.memory", "spark: executor: memory:"},
      {"spark.executor.cores", "spark: executor: cores:"},
      {"spark.kubernetes.executor.request.cores", "spark: executor: requestCores:"},
      {"spark.executor.memoryOverhead", "spark: executor: memoryOverhead:"},
      {"spark.driver.memory", "spark: driver: memory:"},
      {"spark.driver.cores", "spark: driver: cores:"},
      {"spark.dynamicAllocation.enabled", "spark: dynamicAllocation: enabled:"},
      {"spark.hadoop.hive.metastore.uris", "services: external: metastore:"},
      {"spark.hadoop.fs.s3a.endpoint", "services: external: objectStore: endpoint:"},
      {"spark.hadoop.fs.s3a.path.style.access",
       "services: external: objectStore: pathStyleAccess:"},
  };
  return keys;
}

void read_size(Reader& r, ReadContext& ctx, const char* key, std::string& out) {
  auto v = r.string(key);
  if (!v) return;
  if (!is_spark_size(*v)) {
    ctx.diags.error("E_VALUE", ctx.locs.at(r.child(key)), r.child(key),
                    "\"" + *v + "\" is not a Spark memory size", "write it like 2g, 512m or 4096m");
    return;
  }
  out = *v;
}

}  // namespace

void read_spark(Reader r, ReadContext& ctx, model::SparkConfig& out) {
  Reader ex = r.map("executor");
  out.executor.instances = ex.integer("instances", Need::optional, 0, 10000).value_or(2);
  read_size(ex, ctx, "memory", out.executor.memory);
  out.executor.cores = ex.integer("cores", Need::optional, 1, 1024).value_or(1);
  if (auto rc = ex.string("requestCores")) {
    static const std::regex cpu("[0-9]+(\\.[0-9]+)?|[0-9]+m");
    if (std::regex_match(*rc, cpu)) {
      out.executor.request_cores = *rc;
    } else {
      ctx.diags.error("E_VALUE", ctx.locs.at(ex.child("requestCores")), ex.child("requestCores"),
                      "\"" + *rc + "\" is not a Kubernetes CPU quantity",
                      "write it like \"1.8\" or \"1800m\"");
    }
  }
  read_size(ex, ctx, "memoryOverhead", out.executor.memory_overhead);
  ex.finish();
  Reader dr = r.map("driver");
  read_size(dr, ctx, "memory", out.driver.memory);
  out.driver.cores = dr.integer("cores", Need::optional, 1, 1024).value_or(1);
  read_size(dr, ctx, "memoryOverhead", out.driver.memory_overhead);
  dr.finish();
  Reader da = r.map("dynamicAllocation");
  out.dynamic_allocation.enabled = da.boolean("enabled").value_or(false);
  out.dynamic_allocation.min_executors = da.integer("minExecutors").value_or(0);
  out.dynamic_allocation.max_executors = da.integer("maxExecutors").value_or(0);
  if (out.dynamic_allocation.max_executors > 0 &&
      out.dynamic_allocation.min_executors > out.dynamic_allocation.max_executors) {
    ctx.diags.error("E_VALUE", ctx.locs.at(da.child("minExecutors")), da.child("minExecutors"),
                    "minExecutors (" + std::to_string(out.dynamic_allocation.min_executors) +
                        ") is greater than maxExecutors (" +
                        std::to_string(out.dynamic_allocation.max_executors) + ")",
                    "lower minExecutors or raise maxExecutors");
  }
  da.finish();
  if (const doc::Node* conf = r.node("conf")) {
    if (!conf->is_map()) {
      report_type(ctx, *conf, r.child("conf"), "a mapping of spark-defaults keys to values");
    } else {
      for (const auto& e : conf->entries) {
        const std::string path = r.child("conf") + "." + e.key;
        if (e.key.empty()) {
          ctx.diags.error("E_VALUE", e.key_loc, r.child("conf"), "a spark.conf key is empty",
                          "write the Spark property name, e.g. spark.sql.shuffle.partitions");
          continue;
        }
        if (!e.value.is_scalar()) {
          report_type(ctx, e.value, path, "a string");
          continue;
        }
        for (const auto& [key, owner] : owned_conf_keys())
          if (key == e.key)
            ctx.diags.error("E_CONF_OWNED", e.key_loc, path,
                            e.key + " is owned by `" + owner + "` in this stack file",
                            "remove it from spark.conf and set `" + owner + "` instead");
        check_credential_conf(ctx, e.key, e.key_loc, path);
        ctx.locs.set(path, e.key_loc);
        out.conf.emplace_back(e.key, e.value.scalar);
      }
    }
  }
  r.finish();
}

}  // namespace stackctl::detail
