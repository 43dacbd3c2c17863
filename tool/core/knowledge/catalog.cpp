// Reading stacks/catalog.yaml into a Catalog, and the lookups `check` and the loader use.
//
// The catalog is data that people edit by hand, so parsing is strict and reports every problem at
// once with its position: a wrong version pairing in the catalog would turn into confident but
// wrong advice for every user.
#include "core/knowledge/catalog.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/resources.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::catalog {

const char* to_string(Confidence c) {
  switch (c) {
    case Confidence::high:
      return "high";
    case Confidence::medium:
      return "medium";
    case Confidence::low:
      return "low";
  }
  return "high";
}

namespace {

const std::string kHint = "see the comments at the top of stacks/catalog.yaml";

enum class Need { optional, required };

// Appended piece by piece: `"\"" + std::string(s) + "\""` trips GCC 12's bogus -Wrestrict at
// -O2/-O3 (GCC bug 105329, https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329).
std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// Typed, position-aware reading of one mapping. Each accessor reports what is wrong (missing,
// wrong type, malformed) and returns a neutral value, so parsing goes on and every problem
// surfaces in one run; finish() reports the keys nobody asked for.
class Fields {
 public:
  Fields(const doc::Node& node, std::string path, Diagnostics& diags)
      : node_(node.is_map() ? &node : nullptr), path_(std::move(path)), diags_(diags) {
    if (!node.is_map())
      diags_.error("E_CATALOG_TYPE", node.loc, path_, "expected a mapping here", kHint);
  }

  std::string child(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // A scalar; "" when absent (reported when required) or not a scalar.
  std::string text(std::string_view key, Need need = Need::required) {
    const doc::Node* n = lookup(key, need);
    if (n == nullptr) return {};
    if (!n->is_scalar()) {
      diags_.error("E_CATALOG_TYPE", n->loc, child(key), "expected a string", kHint);
      return {};
    }
    if (n->scalar.empty() && need == Need::required)
      diags_.error("E_CATALOG_KEY", n->loc, child(key), quote(key) + " must not be empty", kHint);
    return n->scalar;
  }

  // A version with between `min_parts` and `max_parts` dotted numbers. An optional version may be
  // written as "" (unknown).
  std::string version(std::string_view key, std::size_t min_parts, std::size_t max_parts,
                      Need need = Need::required) {
    const std::string value = text(key, need);
    if (value.empty()) return value;  // a non-empty value means the node exists
    return check_version(*node_->find(key), child(key), min_parts, max_parts) ? value
                                                                              : std::string{};
  }

  // A non-empty list of versions.
  std::vector<std::string> versions(std::string_view key, std::size_t min_parts,
                                    std::size_t max_parts) {
    std::vector<std::string> out;
    const doc::Node* n = list(key);
    if (n == nullptr) return out;
    if (n->items.empty())
      diags_.error("E_CATALOG_KEY", n->loc, child(key), quote(key) + " must not be empty", kHint);
    for (std::size_t i = 0; i < n->items.size(); ++i) {
      const std::string p = child(key) + "[" + std::to_string(i) + "]";
      if (check_version(n->items[i], p, min_parts, max_parts)) out.push_back(n->items[i].scalar);
    }
    return out;
  }

  // One version, or a non-empty list of them ("3.5" or ["4.0", "3.5"]).
  std::vector<std::string> one_or_more_versions(std::string_view key, std::size_t min_parts,
                                                std::size_t max_parts) {
    const doc::Node* n = lookup(key, Need::required);
    if (n == nullptr) return {};
    if (!n->is_scalar()) return versions(key, min_parts, max_parts);
    if (check_version(*n, child(key), min_parts, max_parts)) return {n->scalar};
    return {};
  }

  // A required sequence (possibly empty); nullptr when absent or not a sequence.
  const doc::Node* list(std::string_view key, Need need = Need::required) {
    const doc::Node* n = lookup(key, need);
    if (n != nullptr && !n->is_seq()) {
      diags_.error("E_CATALOG_TYPE", n->loc, child(key), "expected a list", kHint);
      return nullptr;
    }
    return n;
  }

  // Every entry must say where its data was read, so that a reader can re-check it.
  std::string source() {
    const doc::Node* n = node_ ? node_->find("source") : nullptr;
    if (n == nullptr || n->is_null() || (n->is_scalar() && n->scalar.empty())) {
      known_.emplace_back("source");
      if (node_ != nullptr)
        diags_.error("E_CATALOG_SOURCE", node_->loc, path_, "entry has no source",
                     "add `source:` naming the public file this entry was read from "
                     "(repository, path and commit, or a facts sheet)");
      return {};
    }
    return text("source");
  }

  Confidence confidence() {
    const std::string value = text("confidence", Need::optional);
    if (value.empty() || value == "high") return Confidence::high;
    if (value == "medium") return Confidence::medium;
    if (value == "low") return Confidence::low;
    diags_.error("E_CATALOG_VALUE", node_->find("confidence")->loc, child("confidence"),
                 quote(value) + " is not a confidence", "use high, medium or low");
    return Confidence::high;
  }

  bool has(std::string_view key) const {
    const doc::Node* n = node_ ? node_->find(key) : nullptr;
    return n != nullptr && !n->is_null();
  }

  SourceLoc loc_of(std::string_view key) const {
    if (node_ == nullptr) return {};
    const doc::Node* n = node_->find(key);
    return n ? n->loc : node_->loc;
  }

  void finish() {
    if (node_ == nullptr) return;
    text("note", Need::optional);  // free text for readers, accepted everywhere
    for (const auto& e : node_->entries) {
      if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
      const std::string guess = did_you_mean(e.key, known_);
      diags_.error("E_CATALOG_UNKNOWN_KEY", e.key_loc, child(e.key), "unknown key " + quote(e.key),
                   guess.empty() ? kHint : "did you mean " + quote(guess) + "?");
    }
  }

 private:
  const doc::Node* lookup(std::string_view key, Need need) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    if (node_ == nullptr) return nullptr;
    const doc::Node* n = node_->find(key);
    if (n != nullptr && !n->is_null()) return n;
    if (need == Need::required)
      diags_.error("E_CATALOG_KEY", n ? n->loc : node_->loc, child(key),
                   "missing required key " + quote(key), kHint);
    return nullptr;
  }

  bool check_version(const doc::Node& n, const std::string& path, std::size_t min_parts,
                     std::size_t max_parts) {
    const auto v = n.is_scalar() ? Version::parse(n.scalar) : std::nullopt;
    if (v && v->suffix().empty() && v->size() >= min_parts && v->size() <= max_parts) return true;
    const std::string shape =
        min_parts == max_parts
            ? std::to_string(min_parts) + " dotted numbers"
            : std::to_string(min_parts) + " to " + std::to_string(max_parts) + " dotted numbers";
    diags_.error("E_CATALOG_VERSION", n.loc, path,
                 (n.is_scalar() ? quote(n.scalar) : std::string("this")) +
                     " is not a valid version here (expected " + shape + ")",
                 "write it as a quoted string, e.g. \"3.5\" or \"3.4.1\"");
    return false;
  }

  const doc::Node* node_;
  std::string path_;
  Diagnostics& diags_;
  std::vector<std::string> known_;
};

// The items of a top-level list, each with its path ("sparkLines[2]").
template <typename Fn>
void each_item(Fields& top, std::string_view key, Fn&& fn, Need need = Need::required) {
  const doc::Node* n = top.list(key, need);
  if (n == nullptr) return;
  for (std::size_t i = 0; i < n->items.size(); ++i)
    fn(n->items[i], std::string(key) + "[" + std::to_string(i) + "]");
}

std::vector<std::string> read_releases(Fields& f, const std::string& line_path,
                                       const std::string& line, Diagnostics& diags) {
  std::vector<std::string> out;
  const doc::Node* list = f.list("releases");
  if (list == nullptr) return out;
  const auto line_version = Version::parse(line);
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const std::string path = line_path + ".releases[" + std::to_string(i) + "]";
    Fields r(list->items[i], path, diags);
    const std::string release = r.version("version", 3, 3);
    r.source();
    r.finish();
    if (release.empty()) continue;
    if (line_version && !Version::parse(release)->starts_with(*line_version)) {
      diags.error("E_CATALOG_VALUE", r.loc_of("version"), path + ".version",
                  "release " + release + " is not on the " + line + " line",
                  "move it to the entry of line " + Version::parse(release)->line());
      continue;
    }
    out.push_back(release);
  }
  return out;
}

SparkLine read_spark_line(const doc::Node& node, const std::string& path, Diagnostics& diags) {
  Fields f(node, path, diags);
  SparkLine l;
  l.line = f.version("line", 2, 2);
  l.hadoop = f.version("hadoop", 3, 3);
  l.confidence = f.confidence();
  l.scala = f.versions("scala", 2, 2);
  l.scala_default = f.version("scalaDefault", 2, 2);
  l.java = f.versions("java", 1, 1);
  l.java_source = f.text("javaSource", Need::optional);
  l.python_min = f.version("pythonMin", 2, 2);
  l.python_max = f.version("pythonMax", 2, 2, Need::optional);
  l.releases = read_releases(f, path, l.line, diags);
  l.source = f.source();
  f.finish();
  if (!l.scala_default.empty() && !l.scala.empty() &&
      std::find(l.scala.begin(), l.scala.end(), l.scala_default) == l.scala.end()) {
    diags.error("E_CATALOG_VALUE", f.loc_of("scalaDefault"), f.child("scalaDefault"),
                "scalaDefault " + l.scala_default + " is not in this line's scala list",
                "add it to `scala:` or correct it");
  }
  return l;
}

HadoopSdk read_sdk(const doc::Node& node, const std::string& path, Diagnostics& diags) {
  Fields f(node, path, diags);
  HadoopSdk s;
  s.hadoop = f.version("hadoop", 2, 3);
  s.group = f.text("group");
  s.artifact = f.text("artifact");
  s.version = f.version("version", 3, 3);
  s.source = f.source();
  f.finish();
  return s;
}

// The artifact names of a runtime row: non-empty names, each with "{spark}" at most once.
std::vector<std::string> read_runtime_artifacts(Fields& f, Diagnostics& diags) {
  std::vector<std::string> out;
  const doc::Node* list = f.list("artifacts");
  if (list == nullptr) return out;
  const std::string hint =
      "name the runtime's artifacts without their Scala suffix, with {spark} "
      "where the name carries the Spark line";
  if (list->items.empty())
    diags.error("E_CATALOG_KEY", list->loc, f.child("artifacts"), "\"artifacts\" must not be empty",
                hint);
  for (const auto& item : list->items) {
    if (!item.is_scalar() || item.scalar.empty()) {
      diags.error("E_CATALOG_TYPE", item.loc, f.child("artifacts"), "expected an artifact name",
                  hint);
      continue;
    }
    const auto at = item.scalar.find("{spark}");
    if (at != std::string::npos && item.scalar.find("{spark}", at + 1) != std::string::npos) {
      diags.error("E_CATALOG_VALUE", item.loc, f.child("artifacts"),
                  quote(item.scalar) + " has {spark} more than once", hint);
      continue;
    }
    out.push_back(item.scalar);
  }
  return out;
}

// Which releases a row covers: `line` (the table is per runtime line) or `since`..`until` (the
// table is per Spark line), never both; `ended` only with `until`.
void check_runtime_releases(const RuntimeLine& r, Fields& f, Diagnostics& diags,
                            bool ended_written) {
  const std::string hint =
      "write `line` for a table per runtime line (\"3.2.x | 3.5.x\"), or `since` (and `until`) for "
      "a table per Spark line (\"Initial/Latest Iceberg Support\")";
  if (!r.line.empty() && !r.since.empty())
    diags.error("E_CATALOG_VALUE", f.loc_of("since"), f.child("since"),
                "a runtime line has `line` or `since`, not both", hint);
  else if (!f.has("line") && !f.has("since"))
    diags.error("E_CATALOG_KEY", f.loc_of("line"), f.child("line"),
                "missing required key \"line\" (or \"since\")", hint);
  if (!r.until.empty() && r.since.empty())
    diags.error("E_CATALOG_KEY", f.loc_of("until"), f.child("until"), "`until` needs `since`",
                hint);
  if (ended_written && r.until.empty())
    diags.error("E_CATALOG_KEY", f.loc_of("ended"), f.child("ended"), "`ended` needs `until`",
                "name the last release the source lists for the line in `until`");
  const auto since = Version::parse(r.since), until = Version::parse(r.until);
  if (since && until && *until < *since)
    diags.error("E_CATALOG_VALUE", f.loc_of("until"), f.child("until"),
                "until " + r.until + " is older than since " + r.since, hint);
}

RuntimeLine read_runtime_line(const doc::Node& node, const std::string& path, Diagnostics& diags) {
  Fields f(node, path, diags);
  RuntimeLine r;
  r.group = f.text("group");
  r.artifacts = read_runtime_artifacts(f, diags);
  r.name = f.text("name");
  r.line = f.version("line", 2, 2, Need::optional);
  r.since = f.version("since", 3, 3, Need::optional);
  r.until = f.version("until", 3, 3, Need::optional);
  const std::string ended = f.text("ended", Need::optional);
  if (ended == "true")
    r.ended = true;
  else if (!ended.empty() && ended != "false")
    diags.error("E_CATALOG_VALUE", f.loc_of("ended"), f.child("ended"),
                quote(ended) + " is not true or false",
                "true when the source declares the Spark line end-of-life after `until`");
  r.spark = f.one_or_more_versions("spark", 2, 2);
  r.source = f.source();
  f.finish();
  check_runtime_releases(r, f, diags, !ended.empty());
  return r;
}

std::optional<model::HashAlgorithm> algorithm_named(std::string_view name) {
  if (name == "sha1") return model::HashAlgorithm::sha1;
  if (name == "sha256") return model::HashAlgorithm::sha256;
  if (name == "sha512") return model::HashAlgorithm::sha512;
  return std::nullopt;
}

std::size_t hex_length(model::HashAlgorithm a) {
  switch (a) {
    case model::HashAlgorithm::sha1:
      return 40;
    case model::HashAlgorithm::sha256:
      return 64;
    case model::HashAlgorithm::sha512:
      return 128;
  }
  return 0;
}

PublishedChecksum read_checksum(const doc::Node& node, const std::string& path,
                                Diagnostics& diags) {
  Fields f(node, path, diags);
  PublishedChecksum c;
  c.artifact = f.text("artifact");
  const std::string algorithm = f.text("algorithm");
  c.checksum.hex = f.text("hex");
  c.source = f.source();
  f.finish();
  const auto a = algorithm_named(algorithm);
  if (!algorithm.empty() && !a) {
    diags.error("E_CATALOG_VALUE", f.loc_of("algorithm"), f.child("algorithm"),
                quote(algorithm) + " is not a checksum algorithm", "use sha1, sha256 or sha512");
  }
  if (a) c.checksum.algorithm = *a;
  const bool lower_hex = std::all_of(c.checksum.hex.begin(), c.checksum.hex.end(), [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
  });
  if (a && !c.checksum.hex.empty() && (!lower_hex || c.checksum.hex.size() != hex_length(*a))) {
    diags.error("E_CATALOG_VALUE", f.loc_of("hex"), f.child("hex"),
                "a " + algorithm + " checksum is " + std::to_string(hex_length(*a)) +
                    " lower-case hexadecimal digits; this is " +
                    std::to_string(c.checksum.hex.size()) + " characters" +
                    (lower_hex ? "" : " and not all lower-case hexadecimal"),
                "copy the value exactly from its source");
  }
  return c;
}

// Two entries for the same key would make lookups depend on order: report the later one.
struct Keyed {
  std::string key;
  SourceLoc loc;
  std::string path;
};

void report_duplicates(const std::vector<Keyed>& keys, const char* what, Diagnostics& diags) {
  std::set<std::string> seen;
  for (const auto& k : keys) {
    if (k.key.empty() || seen.insert(k.key).second) continue;
    diags.error("E_CATALOG_DUPLICATE", k.loc, k.path,
                std::string("duplicate ") + what + " " + k.key,
                "keep one entry per " + std::string(what));
  }
}

void read_catalog(const doc::Node& root, Catalog& c, Diagnostics& diags) {
  Fields top(root, "", diags);
  if (const std::string v = top.text("catalogVersion"); !v.empty() && v != "1") {
    diags.error("E_CATALOG_VALUE", top.loc_of("catalogVersion"), "catalogVersion",
                "unsupported catalogVersion " + v, "this stackctl reads catalogVersion: 1");
  }
  std::vector<Keyed> lines, pins, sums;
  each_item(top, "sparkLines", [&](const doc::Node& n, const std::string& path) {
    c.spark_lines.push_back(read_spark_line(n, path, diags));
    lines.push_back({c.spark_lines.back().line, n.loc, path});
  });
  each_item(top, "hadoopSdks", [&](const doc::Node& n, const std::string& path) {
    c.hadoop_sdks.push_back(read_sdk(n, path, diags));
    pins.push_back({c.hadoop_sdks.back().hadoop, n.loc, path});
  });
  std::vector<Keyed> runtimes;
  each_item(
      top, "runtimeLines",
      [&](const doc::Node& n, const std::string& path) {
        c.runtime_lines.push_back(read_runtime_line(n, path, diags));
        const auto& r = c.runtime_lines.back();
        std::string sparks;
        for (const auto& l : r.spark) sparks += " " + l;
        for (const auto& a : r.artifacts)
          runtimes.push_back({r.group + ":" + a + " " + (r.line.empty() ? r.since : r.line) +
                                  (r.line.empty() ? sparks : std::string{}),
                              n.loc, path});
      },
      Need::optional);
  each_item(top, "checksums", [&](const doc::Node& n, const std::string& path) {
    c.checksums.push_back(read_checksum(n, path, diags));
    const auto& p = c.checksums.back();
    sums.push_back({p.artifact + " " + model::to_string(p.checksum.algorithm), n.loc, path});
  });
  top.finish();
  report_duplicates(lines, "Spark line", diags);
  report_duplicates(pins, "Hadoop SDK pin", diags);
  report_duplicates(sums, "checksum", diags);
  report_duplicates(runtimes, "runtime line", diags);
}

}  // namespace

std::expected<Catalog, Diagnostics> parse_catalog(std::string_view yaml_text,
                                                  const std::string& file) {
  Diagnostics diags;
  auto root = doc::parse(yaml_text, file, diags);
  if (!root) {
    diags.add(root.error());
    return std::unexpected(std::move(diags));
  }
  Catalog c;
  read_catalog(*root, c, diags);
  if (!diags.empty()) return std::unexpected(std::move(diags));
  return c;
}

const SparkLine* Catalog::spark_line(const Version& spark) const {
  for (const auto& l : spark_lines) {
    const auto v = Version::parse(l.line);
    if (v && spark.same_prefix(*v, 2)) return &l;
  }
  return nullptr;
}

bool Catalog::knows_release(const Version& spark) const {
  const SparkLine* l = spark_line(spark);
  if (l == nullptr) return false;
  return std::any_of(l->releases.begin(), l->releases.end(), [&](const std::string& r) {
    const auto v = Version::parse(r);
    return v && *v == spark && v->suffix() == spark.suffix();
  });
}

const HadoopSdk* Catalog::sdk_for_hadoop(const Version& hadoop) const {
  // An exact release first: a line entry ("3.2") is only the fallback for releases not listed.
  for (const auto& s : hadoop_sdks) {
    const auto v = Version::parse(s.hadoop);
    if (v && v->size() >= 3 && *v == hadoop) return &s;
  }
  for (const auto& s : hadoop_sdks) {
    const auto v = Version::parse(s.hadoop);
    if (v && v->size() < 3 && hadoop.starts_with(*v)) return &s;
  }
  return nullptr;
}

namespace {

// The Spark line `artifact` carries when it fits `pattern` ("iceberg-spark-runtime-{spark}" and
// "iceberg-spark-runtime-3.5" give "3.5"); "" when the pattern has no {spark} and equals it;
// nullopt when it does not fit.
std::optional<std::string> fit_pattern(std::string_view pattern, std::string_view artifact) {
  constexpr std::string_view kSpark = "{spark}";
  const auto at = pattern.find(kSpark);
  if (at == std::string_view::npos)
    return pattern == artifact ? std::optional<std::string>(std::string{}) : std::nullopt;
  const auto prefix = pattern.substr(0, at), suffix = pattern.substr(at + kSpark.size());
  if (artifact.size() <= prefix.size() + suffix.size() || !artifact.starts_with(prefix) ||
      !artifact.ends_with(suffix))
    return std::nullopt;
  const std::string line(
      artifact.substr(prefix.size(), artifact.size() - prefix.size() - suffix.size()));
  const auto v = Version::parse(line);
  if (!v || v->size() != 2 || !v->suffix().empty()) return std::nullopt;
  return line;
}

// The Spark line `r` names for `artifact`, nullopt when none of its names fits.
std::optional<std::string> fit_row(const RuntimeLine& r, std::string_view group,
                                   std::string_view artifact) {
  if (r.group != group) return std::nullopt;
  for (const auto& a : r.artifacts)
    if (auto named = fit_pattern(a, artifact)) return named;
  return std::nullopt;
}

}  // namespace

std::string RuntimeLine::releases() const {
  if (!line.empty()) return line + ".x";
  return since + " to " + until;
}

std::string RuntimeLine::spark_lines() const {
  std::string out = "Spark ";
  for (std::size_t i = 0; i < spark.size(); ++i) out += (i ? ", " : "") + spark[i] + ".x";
  return out;
}

bool RuntimeLine::pairs_with(std::string_view spark_line) const {
  return std::find(spark.begin(), spark.end(), spark_line) != spark.end();
}

bool Catalog::has_runtime_table(std::string_view group, std::string_view artifact) const {
  return std::any_of(runtime_lines.begin(), runtime_lines.end(),
                     [&](const RuntimeLine& r) { return fit_row(r, group, artifact).has_value(); });
}

const RuntimeLine* Catalog::runtime_line(std::string_view group, std::string_view artifact,
                                         const Version& version) const {
  for (const auto& r : runtime_lines) {
    if (r.line.empty() || !fit_row(r, group, artifact)) continue;
    const auto v = Version::parse(r.line);
    if (v && version.same_prefix(*v, 2)) return &r;
  }
  return nullptr;
}

RuntimeFit Catalog::runtime_fit(std::string_view group, std::string_view artifact,
                                const Version& version) const {
  using Kind = RuntimeFit::Kind;
  RuntimeFit fit;
  std::vector<const RuntimeLine*> ranges;  // per-Spark-line rows for the line in the name
  for (const auto& r : runtime_lines) {
    const auto named = fit_row(r, group, artifact);
    if (!named) continue;
    fit.kind = Kind::unlisted;
    fit.named_line = *named;
    if (r.line.empty()) {
      if (named->empty() || r.pairs_with(*named)) ranges.push_back(&r);
      continue;
    }
    const auto line = Version::parse(r.line);
    if (!line || !version.same_prefix(*line, 2)) continue;
    // The row of this release's line: it lists the Spark lines this release publishes for.
    fit.row = &r;
    fit.kind = named->empty() || r.pairs_with(*named) ? Kind::pairs : Kind::not_published;
    return fit;
  }
  for (const RuntimeLine* r : ranges) {
    const auto since = Version::parse(r->since), until = Version::parse(r->until);
    if (!since) continue;
    fit.row = r;
    if (version < *since) {
      fit.kind = Kind::not_published;
    } else if (!until || !(*until < version)) {
      fit.kind = Kind::pairs;
    } else if (r->ended) {
      fit.kind = Kind::not_published;
    } else {
      fit.row = nullptr;  // newer than the source's newest release: unknown, never a guess
      continue;
    }
    return fit;
  }
  return fit;
}

std::vector<const PublishedChecksum*> Catalog::checksums_for(std::string_view artifact) const {
  std::vector<const PublishedChecksum*> out;
  for (const auto& c : checksums)
    if (c.artifact == artifact) out.push_back(&c);
  return out;
}

const Catalog& builtin_catalog() {
  static const Catalog catalog =
      resources::parse_builtin("stacks/catalog.yaml", "version catalog", parse_catalog);
  return catalog;
}

}  // namespace stackctl::catalog
