// What the rules of `stackctl check` read: the stack, the catalog, and the facts derived from
// them once, before any rule runs (parsed versions, the Spark line, the Hadoop inside Spark, the
// Python of each image, the hadoop-aws and SDK jars, the SDK pin that applies). Deriving them in
// one place is what makes the rules independent: no rule computes something another reads.
// Pure, no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/knowledge/catalog.hpp"
#include "core/knowledge/version.hpp"
#include "core/stack/env_settings.hpp"
#include "core/stack/model.hpp"

namespace stackctl::check {

// A version as written at one stack-file key, and what it parses to (nullopt: it does not, and
// Facts::unparsable has it).
struct VersionAt {
  std::string path;  // "versions.python", "images[2].pythonVersion"
  std::string text;  // as written
  std::optional<Version> version;
};

// A Python the stack declares: versions.python, or the override of an image that runs Python.
struct PythonUse {
  VersionAt at;
  std::string label;  // "versions.python" or image "notebook"
};

// An image that runs Python, with the Python it gets (its override, else versions.python).
struct PythonImage {
  std::string name;
  std::string path;  // images[i].pythonVersion
  bool overridden = false;
  std::optional<Version> version;
};

// A jar of artifacts.jars, by index.
struct JarAt {
  std::size_t index = 0;
  const model::Jar* jar = nullptr;
  std::string path() const { return "artifacts.jars[" + std::to_string(index) + "].maven"; }
};

// A version a rule needs that does not parse; reported once per key (SC020).
struct Unparsable {
  std::string path;
  std::string what;  // "PySpark", "Python", "hadoop-aws", ...
  std::string text;
};

// hadoop-aws against the Hadoop inside Spark (SC009), decided once: the SDK rules follow it.
struct HadoopAwsMismatch {
  std::string expected;                 // Spark's Hadoop, the version hadoop-aws must have
  bool from_catalog = false;            // the expected Hadoop came from the catalog, not the stack
  Severity severity = Severity::error;  // warning when it came from unsure catalog data
};

// The AWS SDK that applies (SC011-SC014, SC019): the pin of the hadoop-aws the stack must end up
// with. Present when the stack has hadoop-aws or writes versions.awsSdk, and that Hadoop parses.
struct SdkTarget {
  std::string hadoop;                       // the hadoop-aws version whose pin applies
  std::string path;                         // where to report a missing pin
  bool after_fix = false;                   // hadoop is SC009's demand, not the jar's version
  const catalog::HadoopSdk* pin = nullptr;  // nullptr: the catalog has none (SC019)
  // With hadoop-aws and a pin: the SDK bundle in artifacts.jars, of the pin's family, else of the
  // other family (v1 vs v2); nullopt when neither is there.
  std::optional<JarAt> jar;
};

struct Facts {
  const model::Stack* stack = nullptr;
  const catalog::Catalog* catalog = nullptr;

  std::optional<Version> spark;               // versions.spark
  const catalog::SparkLine* line = nullptr;   // its line; nullptr when unknown or no Spark
  std::optional<Version> pyspark;             // versions.pyspark, parsed only with a Spark
  std::optional<Version> scala;               // versions.scala
  std::optional<Version> python;              // versions.python
  std::vector<PythonUse> pythons;             // versions.python, then image overrides
  std::vector<PythonImage> python_images;     // every image that runs Python, in stack order
  std::vector<VersionAt> javas;               // versions.java, then image overrides
  std::optional<Version> hadoop;              // versions.hadoop
  std::string spark_hadoop;                   // versions.hadoop, else the line's bundled Hadoop
  std::optional<JarAt> hadoop_aws;            // the org.apache.hadoop:hadoop-aws jar
  std::optional<Version> hadoop_aws_version;  // its version
  std::optional<HadoopAwsMismatch> hadoop_aws_mismatch;
  std::optional<SdkTarget> sdk;
  std::vector<Unparsable> unparsable;  // in the order found, one per key
  // spark.env values the command read for check (`check --values FILE`, `check --vault`), read by
  // the CLI before any rule runs; nullptr when it read none (SC023 then names what was not judged).
  const env_settings::ReadValues* env_values = nullptr;

  // Severity for a rule comparing with the line's data: a warning when that data is unsure
  // (low confidence; medium too when `hadoop_data`). Needs `line`.
  Severity line_severity(bool hadoop_data) const;
  // " (the catalog's data for Spark 3.3 has medium confidence, so this is a warning)", or "".
  std::string unsure_note(bool hadoop_data) const;
};

// Derives every fact the rules read. `stack`, `catalog` and `env_values` (may be nullptr) must
// outlive the result.
Facts derive_facts(const model::Stack& stack, const catalog::Catalog& catalog,
                   const env_settings::ReadValues* env_values = nullptr);

// The jar at `group:artifact`, the first one in artifacts.jars; nullopt when absent.
std::optional<JarAt> find_jar(const model::Stack& stack, std::string_view family);

// "group:artifact" of a coordinate.
std::string family(const model::MavenCoordinate& c);

}  // namespace stackctl::check
