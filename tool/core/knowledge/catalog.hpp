// The version catalog: what is known about Spark lines, the Hadoop they bundle, the AWS SDK each
// hadoop-aws pins, and published checksums. The catalog is data (stacks/catalog.yaml, embedded in
// the binary at build time); every entry carries the source it was read from.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.hpp"
#include "core/knowledge/version.hpp"
#include "core/stack/model.hpp"

namespace stackctl::catalog {

// How sure the catalog's sources are of a Spark line's row (`confidence:` in catalog.yaml). The
// facts mark some data as unsure (3.3's bundled Hadoop; the whole 4.2 row); `check` reports
// mismatches against unsure data as warnings, because an error there could be the catalog's fault.
enum class Confidence { high, medium, low };

const char* to_string(Confidence c);

struct SparkLine {
  std::string line;                // "3.5"
  std::string hadoop;              // hadoop-client-api version bundled in -bin-hadoop3 tarballs
  std::vector<std::string> scala;  // supported Scala binary versions ("2.12", "2.13")
  std::string scala_default;       // the Scala of the default binary tarball
  std::vector<std::string> java;   // supported Java majors ("8", "11", "17")
  // Where Spark's own documentation lists `java` ("Spark runs on Java 8/11/17"); "" when the list
  // was not read there. A "runs on" list is a support statement: a Java newer than its newest
  // entry is not known to fail, so check warns (SC035) instead of refusing (SC006).
  std::string java_source;
  std::string python_min;             // lowest supported Python ("3.8")
  std::string python_max;             // highest known-good Python, "" when the sources give none
  std::vector<std::string> releases;  // releases known to exist ("3.5.0", ...)
  std::string source;
  Confidence confidence = Confidence::high;  // medium: the bundled Hadoop is unsure; low: all of it
};

struct HadoopSdk {
  std::string hadoop;    // "3.3.4"; a line "3.2" matches every 3.2.x
  std::string group;     // "com.amazonaws" / "software.amazon.awssdk"
  std::string artifact;  // "aws-java-sdk-bundle" / "bundle"
  std::string version;
  std::string source;
};

// A row of a runtime's own compatibility table (catalog `runtimeLines`). Two shapes, each the
// shape of the table it was read from:
// - per runtime line (Delta's and Hudi's tables: "3.2.x | 3.5.x"): `line` "3.2" covers every 3.2.x
//   because the table says "3.2.x"; a release of a line the table lacks is not matched.
// - per Spark line (Iceberg's "Initial/Latest Iceberg Support"): `since`..`until` are the first
//   and last runtime releases the source names for that Spark line; `ended` says the source
//   declares the line end-of-life, so releases after `until` publish no artifact for it.
// Artifact names are written without their Scala suffix; "{spark}" stands for the Spark line the
// name carries (iceberg-spark-runtime-{spark}, hudi-spark{spark}-bundle).
struct RuntimeLine {
  std::string group;                   // "io.delta"
  std::vector<std::string> artifacts;  // "delta-spark", "iceberg-spark-runtime-{spark}"
  std::string name;                    // for messages ("Delta Lake")
  std::string line;                    // per runtime line: its major.minor ("3.2"); else ""
  std::string since;                   // per Spark line: first release ("1.4.0"); else ""
  std::string until;                   // per Spark line: last release the source names
  bool ended = false;                  // per Spark line: no release after `until` publishes it
  std::vector<std::string> spark;      // the Spark lines the row pairs with ("3.5")
  std::string source;

  // "3.2.x" or "1.4.0 to 1.11.0", for messages.
  std::string releases() const;
  // "Spark 3.5.x" or "Spark 4.0.x, 3.5.x", for messages.
  std::string spark_lines() const;
  bool pairs_with(std::string_view spark_line) const;
};

// What the runtime tables say of one jar (Catalog::runtime_fit).
struct RuntimeFit {
  enum class Kind {
    none,           // no row names this artifact: not a runtime the catalog has a table for
    pairs,          // `row` covers the release (and the Spark line in its name, if any)
    not_published,  // `row` says this release publishes no artifact for the line in its name
    unlisted,       // the table has rows for the artifact, none for this release: unknown
  };
  Kind kind = Kind::none;
  const RuntimeLine* row = nullptr;  // pairs, not_published
  std::string named_line;            // the Spark line the artifact name carries, "" when none
};

struct PublishedChecksum {
  std::string artifact;  // a Maven coordinate "g:a:v" or a file name "spark-4.0.1-bin-hadoop3.tgz"
  model::Checksum checksum;
  std::string source;
};

class Catalog {
 public:
  std::vector<SparkLine> spark_lines;
  std::vector<HadoopSdk> hadoop_sdks;
  std::vector<RuntimeLine> runtime_lines;
  std::vector<PublishedChecksum> checksums;

  // The line for a Spark version ("3.5.7" -> 3.5), nullptr when the catalog has no such line.
  const SparkLine* spark_line(const Version& spark) const;
  // True when `spark` is listed among its line's known releases.
  bool knows_release(const Version& spark) const;
  // The SDK pinned by a Hadoop release: an exact entry first, then a line entry ("3.2").
  const HadoopSdk* sdk_for_hadoop(const Version& hadoop) const;
  // True when some runtimeLines row names group:artifact (artifact without its Scala suffix).
  bool has_runtime_table(std::string_view group, std::string_view artifact) const;
  // The per-runtime-line row for that runtime at `version`'s major.minor, nullptr when none.
  const RuntimeLine* runtime_line(std::string_view group, std::string_view artifact,
                                  const Version& version) const;
  // What the rows say of group:artifact:version (artifact without its Scala suffix). Never the
  // nearest row: a release no row covers is `unlisted`.
  RuntimeFit runtime_fit(std::string_view group, std::string_view artifact,
                         const Version& version) const;
  // Published checksums for a coordinate or file name, in catalog order.
  std::vector<const PublishedChecksum*> checksums_for(std::string_view artifact) const;
};

// Parses catalog YAML. Every problem (missing keys, malformed versions, an entry without a
// source) is reported with its position; the catalog is returned only when there are none.
std::expected<Catalog, Diagnostics> parse_catalog(std::string_view yaml_text,
                                                  const std::string& file);

// The catalog embedded in this binary (stacks/catalog.yaml at build time). Parsed once.
const Catalog& builtin_catalog();

}  // namespace stackctl::catalog
