// Derivation of the facts `check`'s rules read (check_facts.hpp). Everything one rule used to
// compute for a later one (the parsed versions, the unparsable ones, the hadoop-aws verdict the
// SDK rules follow) is computed here, once, in a fixed order.
#include "core/knowledge/check_facts.hpp"

#include <set>

namespace stackctl::check {

namespace {

constexpr std::string_view kHadoopAws = "org.apache.hadoop:hadoop-aws";
constexpr std::string_view kSdkV1 = "com.amazonaws:aws-java-sdk-bundle";
constexpr std::string_view kSdkV2 = "software.amazon.awssdk:bundle";

class Deriver {
 public:
  Deriver(const model::Stack& stack, const catalog::Catalog& catalog)
      : stack_(stack), v_(stack.versions) {
    f_.stack = &stack;
    f_.catalog = &catalog;
  }

  Facts run() {
    f_.spark = parse(v_.spark, "versions.spark", "Spark");
    if (f_.spark) {
      f_.line = f_.catalog->spark_line(*f_.spark);
      f_.pyspark = parse(v_.pyspark, "versions.pyspark", "PySpark");
    }
    pythons();
    javas();
    f_.scala = parse(v_.scala, "versions.scala", "Scala");
    hadoop();
    sdk();
    return std::move(f_);
  }

 private:
  // Parses a version a rule needs; one that does not parse is recorded once per key (SC020).
  std::optional<Version> parse(const std::string& text, const std::string& path,
                               const std::string& what) {
    if (text.empty()) return std::nullopt;
    auto v = Version::parse(text);
    if (!v && seen_.insert(path).second) f_.unparsable.push_back({path, what, text});
    return v;
  }

  VersionAt at(const std::string& path, const std::string& text, const std::string& what) {
    return {path, text, parse(text, path, what)};
  }

  void pythons() {
    if (!v_.python.empty())
      f_.pythons.push_back({at("versions.python", v_.python, "Python"), "versions.python"});
    f_.python = Version::parse(v_.python);
    for (std::size_t i = 0; i < stack_.images.size(); ++i) {
      const auto& img = stack_.images[i];
      if (!img.python) continue;
      const std::string path = "images[" + std::to_string(i) + "].pythonVersion";
      const bool overridden = !img.python_version.empty();
      if (overridden)
        f_.pythons.push_back(
            {at(path, img.python_version, "Python"), "image \"" + img.name + "\""});
      const auto py = overridden ? Version::parse(img.python_version)
                                 : parse(v_.python, "versions.python", "Python");
      f_.python_images.push_back({img.name, path, overridden, py});
    }
  }

  void javas() {
    if (!v_.java.empty()) f_.javas.push_back(at("versions.java", v_.java, "Java"));
    for (std::size_t i = 0; i < stack_.images.size(); ++i)
      if (!stack_.images[i].java_version.empty())
        f_.javas.push_back(at("images[" + std::to_string(i) + "].javaVersion",
                              stack_.images[i].java_version, "Java"));
  }

  // versions.hadoop, Spark's Hadoop, the hadoop-aws jar, and whether they disagree (SC009).
  void hadoop() {
    f_.hadoop = parse(v_.hadoop, "versions.hadoop", "Hadoop");
    f_.spark_hadoop = !v_.hadoop.empty() ? v_.hadoop : f_.line ? f_.line->hadoop : std::string{};
    f_.hadoop_aws = find_jar(stack_, kHadoopAws);
    if (!f_.hadoop_aws || f_.spark_hadoop.empty()) return;
    f_.hadoop_aws_version =
        parse(f_.hadoop_aws->jar->coordinate.version, f_.hadoop_aws->path(), "hadoop-aws");
    const auto expected = parse(f_.spark_hadoop, "versions.hadoop", "Hadoop");
    if (!f_.hadoop_aws_version || !expected || *f_.hadoop_aws_version == *expected) return;
    // Unsure catalog data only matters when the expected Hadoop came from the catalog.
    const bool from_catalog = v_.hadoop_origin != model::Origin::stack || v_.hadoop.empty();
    const auto severity = from_catalog && f_.line ? f_.line_severity(true) : Severity::error;
    f_.hadoop_aws_mismatch = HadoopAwsMismatch{f_.spark_hadoop, from_catalog, severity};
  }

  // The SDK follows the hadoop-aws the stack must end up with: when SC009 says for sure (an
  // error) that hadoop-aws must change, the pin of that version, so that following every hint
  // converges; else the jar's own version, else Spark's Hadoop.
  void sdk() {
    const auto& aws = f_.hadoop_aws;
    const bool sdk_written = v_.aws_sdk_origin == model::Origin::stack && !v_.aws_sdk.empty();
    if (!aws && !sdk_written) return;
    const auto& m = f_.hadoop_aws_mismatch;
    const bool after_fix = m && m->severity == Severity::error;
    const std::string hadoop = after_fix ? m->expected
                               : aws     ? aws->jar->coordinate.version
                                         : f_.spark_hadoop;
    const auto version = parse(hadoop, aws ? aws->path() : "versions.hadoop", "Hadoop");
    if (!version) return;
    SdkTarget t{hadoop, aws ? aws->path() : "versions.awsSdk", after_fix,
                f_.catalog->sdk_for_hadoop(*version), std::nullopt};
    if (aws && t.pin != nullptr) {
      const std::string want = t.pin->group + ":" + t.pin->artifact;
      t.jar = find_jar(stack_, want);
      if (!t.jar) t.jar = find_jar(stack_, want == kSdkV2 ? kSdkV1 : kSdkV2);
    }
    f_.sdk = std::move(t);
  }

  const model::Stack& stack_;
  const model::Versions& v_;
  Facts f_;
  std::set<std::string> seen_;  // keys already recorded as unparsable
};

}  // namespace

Severity Facts::line_severity(bool hadoop_data) const {
  const auto c = line->confidence;
  const bool unsure =
      c == catalog::Confidence::low || (hadoop_data && c == catalog::Confidence::medium);
  return unsure ? Severity::warning : Severity::error;
}

std::string Facts::unsure_note(bool hadoop_data) const {
  if (line_severity(hadoop_data) == Severity::error) return {};
  return " (the catalog's data for Spark " + line->line + " has " +
         catalog::to_string(line->confidence) + " confidence, so this is a warning)";
}

std::string family(const model::MavenCoordinate& c) {
  return c.group + ":" + c.artifact;
}

std::optional<JarAt> find_jar(const model::Stack& stack, std::string_view fam) {
  for (std::size_t i = 0; i < stack.artifacts.jars.size(); ++i)
    if (family(stack.artifacts.jars[i].coordinate) == fam)
      return JarAt{i, &stack.artifacts.jars[i]};
  return std::nullopt;
}

Facts derive_facts(const model::Stack& stack, const catalog::Catalog& catalog,
                   const env_settings::ReadValues* env_values) {
  Facts f = Deriver(stack, catalog).run();
  f.env_values = env_values;
  return f;
}

}  // namespace stackctl::check
