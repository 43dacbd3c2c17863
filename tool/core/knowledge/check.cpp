// The rules of `stackctl check` (see check.hpp for the table). Each rule reads the stack's versions
// and jars, compares them with the catalog, and explains a mismatch with the run-time error users
// would otherwise meet, plus the exact value to write instead.
#include "core/knowledge/check.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "core/version.hpp"

namespace stackctl::check {

const Rule* find_rule(std::string_view code) {
  for (const auto& r : kRules)
    if (r.code == code) return &r;
  return nullptr;
}

namespace {

using Involved = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kHadoopGroup = "org.apache.hadoop";
constexpr std::string_view kSdkV1 = "com.amazonaws:aws-java-sdk-bundle";
constexpr std::string_view kSdkV2 = "software.amazon.awssdk:bundle";

std::string q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

std::string jar_path(std::size_t i) {
  return "artifacts.jars[" + std::to_string(i) + "].maven";
}

std::string family(const model::MavenCoordinate& c) {
  return c.group + ":" + c.artifact;
}

// A jar's Scala binary suffix ("iceberg-spark-runtime-3.5_2.12" -> "2.12"), "" when it has none.
std::string scala_suffix(const std::string& artifact) {
  static const std::regex re(R"(_(2\.[0-9]+)$)");
  std::smatch m;
  return std::regex_search(artifact, m, re) ? m[1].str() : std::string{};
}

// The Spark line an artifact is built for, from the names upstream uses:
// iceberg-spark-runtime-3.5_2.12, iceberg-spark-3.5_2.12, delta-spark_4.1_2.13,
// hudi-spark3.5-bundle_2.12. "" when the name carries no Spark line (delta-spark_2.13).
std::string spark_line_in_name(const std::string& artifact) {
  const std::string suffix = scala_suffix(artifact);
  const std::string base =
      suffix.empty() ? artifact : artifact.substr(0, artifact.size() - suffix.size() - 1);
  static const std::regex re(R"(spark(?:-runtime|-extensions)?[-_]?([0-9]+\.[0-9]+)(?:$|[-_]))");
  std::smatch m;
  return std::regex_search(base, m, re) ? m[1].str() : std::string{};
}

// The artifact name built for `line` and `scala` instead ("iceberg-spark-runtime-4.0_2.13").
std::string renamed_for(const std::string& artifact, const std::string& old_line,
                        const std::string& line, const std::string& scala) {
  std::string out = artifact;
  const std::string suffix = scala_suffix(out);
  if (!suffix.empty() && !scala.empty())
    out.replace(out.size() - suffix.size(), suffix.size(), scala);
  if (const auto at = out.rfind(old_line); at != std::string::npos)
    out.replace(at, old_line.size(), line);
  return out;
}

// A Java version's feature release: "17" -> 17, "1.8" -> 8.
int java_major(const Version& v) {
  return v.major() == 1 && v.size() > 1 ? v.minor() : v.major();
}

class Checker {
 public:
  Checker(const model::Stack& stack, const catalog::Catalog& catalog)
      : stack_(stack), v_(stack.versions), catalog_(catalog) {}

  std::vector<Finding> run() {
    spark_ = parse(v_.spark, "versions.spark", "Spark");
    if (spark_) line_ = catalog_.spark_line(*spark_);
    check_catalog_coverage();
    check_pyspark();
    check_python_range();
    check_python_same();
    check_java();
    check_scala();
    check_hadoop();
    check_hadoop_aws();
    check_s3_needs_hadoop_aws();
    check_sdk();
    check_jar_names();
    return std::move(out_);
  }

 private:
  // Adds a finding with the rule's usual severity unless `severity` overrides it.
  void add(std::string_view code, const std::string& path, std::string message, std::string hint,
           Involved versions, std::optional<Severity> severity = std::nullopt) {
    const Rule* rule = find_rule(code);
    Diagnostic d{severity.value_or(rule ? rule->severity : Severity::error),
                 std::string(code),
                 stack_.locs.at(path),
                 path,
                 std::move(message),
                 std::move(hint)};
    out_.push_back({std::move(d), std::move(versions)});
  }

  // Parses a version the rules need; an unparsable one is reported once (SC020) and skipped.
  std::optional<Version> parse(const std::string& text, const std::string& path,
                               const std::string& what) {
    if (text.empty()) return std::nullopt;
    auto v = Version::parse(text);
    if (!v && reported_.insert(path).second) {
      add("SC020", path, what + " version " + q(text) + " does not parse as a version",
          "write dotted numbers, e.g. \"4.0.1\", \"3.11\", \"17\"", {{what, text}});
    }
    return v;
  }

  // Severity for a rule that compares with the line's data; unsure data gives warnings.
  Severity line_severity(bool hadoop_data) const {
    const auto c = line_->confidence;
    const bool unsure =
        c == catalog::Confidence::low || (hadoop_data && c == catalog::Confidence::medium);
    return unsure ? Severity::warning : Severity::error;
  }

  std::string unsure_note(bool hadoop_data) const {
    if (line_severity(hadoop_data) == Severity::error) return {};
    return " (the catalog's data for Spark " + line_->line + " has " +
           catalog::to_string(line_->confidence) + " confidence, so this is a warning)";
  }

  void check_catalog_coverage() {
    if (!spark_) return;
    if (line_ == nullptr) {
      std::vector<std::string> lines;
      for (const auto& l : catalog_.spark_lines) lines.push_back(l.line);
      add("SC017", "versions.spark",
          "the catalog does not know Spark " + spark_->line() + "; rules that need it were skipped",
          "check versions.spark for a typo (known lines: " + join(lines) +
              "); for a new line, add it to stacks/catalog.yaml with its sources",
          {{"spark", v_.spark}});
      return;
    }
    if (catalog_.knows_release(*spark_)) return;
    add("SC018", "versions.spark",
        "Spark " + v_.spark + " is a release the catalog does not know (known " + line_->line +
            " releases: " + (line_->releases.empty() ? "none" : join(line_->releases)) + "); the " +
            line_->line + " line's rules still apply",
        "check that spark-" + v_.spark +
            "-bin-hadoop3.tgz exists upstream, or use a release the catalog lists",
        {{"spark", v_.spark}});
  }

  void check_pyspark() {
    if (!spark_) return;
    const auto client = parse(v_.pyspark, "versions.pyspark", "PySpark");
    if (!client) return;
    const Involved involved{{"spark", v_.spark}, {"pyspark", v_.pyspark}};
    const std::string fix = "set versions.pyspark: " + q(v_.spark) + " (the server's version)";
    if (!client->same_prefix(*spark_, 2)) {
      add("SC001", "versions.pyspark",
          "PySpark client " + v_.pyspark + " is on the " + client->line() +
              " line but the Spark server is " + v_.spark +
              "; clients and server must share major.minor",
          fix, involved);
    } else if (*client > *spark_) {
      add("SC002", "versions.pyspark",
          "PySpark client " + v_.pyspark + " is newer than the Spark server " + v_.spark +
              "; a newer Spark Connect client fails against an older server (UNIMPLEMENTED: "
              "Method not found: spark.connect.SparkConnectService/ReleaseExecute)",
          fix + ", or raise versions.spark to " + v_.pyspark, involved);
    } else if (*client < *spark_) {
      add("SC003", "versions.pyspark",
          "PySpark client " + v_.pyspark + " is older than the Spark server " + v_.spark +
              "; upstream tests this, but an exact match is what users expect",
          fix, involved);
    }
  }

  struct PythonUse {
    std::string path;   // where the version is written
    std::string text;   // as written
    std::string label;  // "versions.python" or image "notebook"
  };

  // Every Python the stack declares: versions.python and the overrides of images that run Python.
  std::vector<PythonUse> pythons() const {
    std::vector<PythonUse> out;
    if (!v_.python.empty()) out.push_back({"versions.python", v_.python, "versions.python"});
    for (std::size_t i = 0; i < stack_.images.size(); ++i) {
      const auto& img = stack_.images[i];
      if (!img.python || img.python_version.empty()) continue;
      out.push_back({"images[" + std::to_string(i) + "].pythonVersion", img.python_version,
                     "image " + q(img.name)});
    }
    return out;
  }

  void check_python_range() {
    if (line_ == nullptr) return;
    const auto min = Version::parse(line_->python_min);
    const auto max = Version::parse(line_->python_max);
    for (const auto& use : pythons()) {
      const auto py = parse(use.text, use.path, "Python");
      if (!py) continue;
      const Version mm = *Version::parse(py->line());
      const Involved involved{{"spark", v_.spark}, {"python", use.text}};
      if (min && mm < *min) {
        add("SC004", use.path,
            "Python " + use.text + " (" + use.label + ") is older than Spark " + line_->line +
                " supports (" + line_->python_min + " or newer)" + unsure_note(false),
            "set " + use.path + ": " + q(line_->python_min) + " or newer", involved,
            line_severity(false));
      } else if (max && mm > *max) {
        add("SC004", use.path,
            "Python " + use.text + " (" + use.label +
                ") is newer than the newest Python the "
                "catalog knows works with Spark " +
                line_->line + " (" + line_->python_max + ")" + unsure_note(false),
            "set " + use.path + ": " + q(line_->python_max) + " or older", involved,
            line_severity(false));
      }
    }
  }

  void check_python_same() {
    // major.minor -> images using it, in stack order.
    std::map<std::string, std::vector<std::string>> by_python;
    std::string first_override;  // the first image whose Python differs from versions.python
    const auto base = Version::parse(v_.python);
    for (std::size_t i = 0; i < stack_.images.size(); ++i) {
      const auto& img = stack_.images[i];
      if (!img.python) continue;
      const std::string path = "images[" + std::to_string(i) + "].pythonVersion";
      const std::string& text = img.python_version.empty() ? v_.python : img.python_version;
      const auto py = parse(text, img.python_version.empty() ? "versions.python" : path, "Python");
      if (!py) continue;
      by_python[py->line()].push_back(img.name);
      if (first_override.empty() && !img.python_version.empty() &&
          (!base || base->line() != py->line()))
        first_override = path;
    }
    if (by_python.size() < 2) return;
    std::vector<std::string> groups;
    Involved involved;
    for (const auto& [py, images] : by_python) {
      groups.push_back(py + " (" + join(images) + ")");
      involved.emplace_back("python", py);
    }
    add("SC005", first_override.empty() ? "versions.python" : first_override,
        "images that run Python use different Python versions: " + join(groups, "; ") +
            "; PySpark fails when driver and workers differ (PYTHON_VERSION_MISMATCH)",
        "remove the pythonVersion overrides so every image runs versions.python (" + v_.python +
            "), or give them all the same major.minor",
        involved);
  }

  void check_java() {
    if (line_ == nullptr) return;
    std::vector<std::pair<std::string, std::string>> uses;  // path, version
    if (!v_.java.empty()) uses.emplace_back("versions.java", v_.java);
    for (std::size_t i = 0; i < stack_.images.size(); ++i)
      if (!stack_.images[i].java_version.empty())
        uses.emplace_back("images[" + std::to_string(i) + "].javaVersion",
                          stack_.images[i].java_version);
    for (const auto& [path, text] : uses) {
      const auto java = parse(text, path, "Java");
      if (!java) continue;
      const std::string major = std::to_string(java_major(*java));
      if (std::find(line_->java.begin(), line_->java.end(), major) != line_->java.end()) continue;
      std::string why = "Java " + text + " is not supported by Spark " + line_->line +
                        " (supported: " + join(line_->java) + ")";
      if (spark_->major() >= 4 && java_major(*java) < 17)
        why += "; Spark 4 needs Java 17 or newer (UnsupportedClassVersionError otherwise)";
      add("SC006", path, why + unsure_note(false),
          "set " + path + " to one of: " + join(line_->java), {{"spark", v_.spark}, {"java", text}},
          line_severity(false));
    }
  }

  void check_scala() {
    if (line_ == nullptr) return;
    const auto scala = parse(v_.scala, "versions.scala", "Scala");
    if (!scala) return;
    if (std::find(line_->scala.begin(), line_->scala.end(), scala->line()) != line_->scala.end())
      return;
    add("SC007", "versions.scala",
        "Spark " + line_->line + " is not built for Scala " + v_.scala +
            " (built for: " + join(line_->scala) + ")" + unsure_note(false),
        "set versions.scala: " + q(line_->scala_default) + " and use _" + line_->scala_default +
            " jars",
        {{"spark", v_.spark}, {"scala", v_.scala}}, line_severity(false));
  }

  void check_hadoop() {
    if (line_ == nullptr || v_.hadoop_origin != model::Origin::stack) return;
    const auto hadoop = parse(v_.hadoop, "versions.hadoop", "Hadoop");
    const auto bundled = Version::parse(line_->hadoop);
    if (!hadoop || !bundled || *hadoop == *bundled) return;
    add("SC008", "versions.hadoop",
        "Hadoop " + v_.hadoop + " is not the Hadoop bundled with Spark " + line_->line + " (" +
            line_->hadoop + ", jars/hadoop-client-api-" + line_->hadoop + ".jar)" +
            unsure_note(true),
        "set versions.hadoop: " + q(line_->hadoop) + ", or remove it to take the catalog's value",
        {{"spark", v_.spark}, {"hadoop", v_.hadoop}, {"bundled hadoop", line_->hadoop}},
        line_severity(true));
  }

  // The jar at `group:artifact`, with its index; nullptr when absent.
  const model::Jar* find_jar(std::string_view fam, std::size_t& index) const {
    for (std::size_t i = 0; i < stack_.artifacts.jars.size(); ++i) {
      if (family(stack_.artifacts.jars[i].coordinate) != fam) continue;
      index = i;
      return &stack_.artifacts.jars[i];
    }
    return nullptr;
  }

  // The Hadoop that hadoop-aws must equal: versions.hadoop, else the line's bundled Hadoop.
  std::string spark_hadoop() const {
    if (!v_.hadoop.empty()) return v_.hadoop;
    return line_ ? line_->hadoop : std::string{};
  }

  void check_hadoop_aws() {
    std::size_t i = 0;
    const model::Jar* aws = find_jar(std::string(kHadoopGroup) + ":hadoop-aws", i);
    const std::string expected_text = spark_hadoop();
    if (aws == nullptr || expected_text.empty()) return;
    const auto have = parse(aws->coordinate.version, jar_path(i), "hadoop-aws");
    const auto expected = parse(expected_text, "versions.hadoop", "Hadoop");
    if (!have || !expected || *have == *expected) return;
    // Unsure catalog data only matters when the expected Hadoop came from the catalog.
    const bool from_catalog = v_.hadoop_origin != model::Origin::stack || v_.hadoop.empty();
    const auto severity = from_catalog && line_ ? line_severity(true) : Severity::error;
    if (severity == Severity::error) hadoop_aws_target_ = expected_text;
    add("SC009", jar_path(i),
        "hadoop-aws " + aws->coordinate.version + " does not match Spark's Hadoop " +
            expected_text +
            "; hadoop-aws must equal the hadoop-client jars inside Spark "
            "(NoSuchMethodError at run time otherwise)" +
            (from_catalog && line_ ? unsure_note(true) : std::string{}),
        "set the jar to org.apache.hadoop:hadoop-aws:" + expected_text,
        {{"spark", v_.spark}, {"hadoop", expected_text}, {"hadoop-aws", aws->coordinate.version}},
        severity);
  }

  // Why the stack needs S3A, as "<path> (<what>)", or "" when it does not.
  std::string s3_evidence() const {
    const auto& os = stack_.services.external.object_store;
    if (os.kind != model::ObjectStoreKind::none)
      return std::string("services.external.objectStore (kind ") + model::to_string(os.kind) + ")";
    const auto& hs = stack_.services.history_server;
    if (hs.enabled && hs.log_directory.starts_with("s3a://"))
      return "services.historyServer.logDirectory (" + hs.log_directory + ")";
    for (const auto& [key, value] : stack_.spark.conf)
      if (value.starts_with("s3a://")) return "spark.conf." + key + " (" + value + ")";
    return {};
  }

  void check_s3_needs_hadoop_aws() {
    std::size_t i = 0;
    if (find_jar(std::string(kHadoopGroup) + ":hadoop-aws", i) != nullptr) return;
    const std::string evidence = s3_evidence();
    if (evidence.empty()) return;
    const std::string hadoop = spark_hadoop();
    std::string hint = "add to artifacts.jars: - maven: org.apache.hadoop:hadoop-aws:" +
                       (hadoop.empty() ? std::string("<Spark's Hadoop version>") : hadoop);
    const auto hv = Version::parse(hadoop);
    if (const catalog::HadoopSdk* pin = hv ? catalog_.sdk_for_hadoop(*hv) : nullptr)
      hint += ", and - maven: " + pin->group + ":" + pin->artifact + ":" + pin->version;
    add("SC010", "artifacts.jars",
        "the stack uses S3 (" + evidence +
            ") but artifacts.jars has no "
            "org.apache.hadoop:hadoop-aws; Spark's tarball ships none, so s3a:// fails with "
            "ClassNotFoundException: Class org.apache.hadoop.fs.s3a.S3AFileSystem not found",
        hint, {{"spark", v_.spark}, {"hadoop", hadoop}});
  }

  void check_sdk() {
    std::size_t aws_index = 0;
    const model::Jar* aws = find_jar(std::string(kHadoopGroup) + ":hadoop-aws", aws_index);
    const bool sdk_written = v_.aws_sdk_origin == model::Origin::stack && !v_.aws_sdk.empty();
    if (aws == nullptr && !sdk_written) return;
    // The SDK follows the hadoop-aws the stack must end up with: when SC009 said for sure that
    // hadoop-aws must change, pin against that version, so that following every hint converges.
    const std::string hadoop_text = !hadoop_aws_target_.empty() ? hadoop_aws_target_
                                    : aws                       ? aws->coordinate.version
                                                                : spark_hadoop();
    const auto hadoop = parse(hadoop_text, aws ? jar_path(aws_index) : "versions.hadoop", "Hadoop");
    if (!hadoop) return;
    const catalog::HadoopSdk* pin = catalog_.sdk_for_hadoop(*hadoop);
    if (pin == nullptr) {
      add("SC019", aws ? jar_path(aws_index) : "versions.awsSdk",
          "the catalog has no AWS SDK pin for Hadoop " + hadoop_text +
              "; the SDK jar and versions.awsSdk were not checked",
          "use the SDK that hadoop-aws " + hadoop_text +
              " declares in its pom, and add the pin to stacks/catalog.yaml with its source",
          {{"hadoop", hadoop_text}});
      return;
    }
    if (aws != nullptr) check_sdk_jar(hadoop_text, *pin);
    if (sdk_written && v_.aws_sdk != pin->version) {
      add("SC013", "versions.awsSdk",
          "versions.awsSdk " + v_.aws_sdk + " is not the SDK hadoop-aws " + hadoop_text +
              " pins (" + pin->group + ":" + pin->artifact + " " + pin->version + ")",
          "set versions.awsSdk: " + q(pin->version) + ", or remove it to take the catalog's value",
          {{"hadoop", hadoop_text}, {"aws-sdk", v_.aws_sdk}, {"pinned aws-sdk", pin->version}});
    }
  }

  // `h`: the hadoop-aws version whose pin applies.
  void check_sdk_jar(const std::string& h, const catalog::HadoopSdk& pin) {
    const std::string want = pin.group + ":" + pin.artifact;
    const std::string want_full = want + ":" + pin.version;
    const bool v2 = want == kSdkV2;
    std::size_t i = 0;
    const model::Jar* sdk = find_jar(want, i);
    if (sdk == nullptr) sdk = find_jar(v2 ? kSdkV1 : kSdkV2, i);
    const std::string after_fix =
        hadoop_aws_target_.empty() ? "" : " (once hadoop-aws is " + h + ", see SC009)";
    if (sdk == nullptr) {
      add("SC014", "artifacts.jars",
          "hadoop-aws " + h + " needs the AWS SDK " + want_full +
              " beside it, and artifacts.jars has none (NoClassDefFoundError: " +
              (v2 ? "software/amazon/awssdk/core/exception/SdkException"
                  : "com/amazonaws/auth/AWSCredentialsProvider") +
              ")",
          "add to artifacts.jars: - maven: " + want_full + after_fix,
          {{"hadoop-aws", h}, {"pinned aws-sdk", pin.version}});
      return;
    }
    const std::string have = sdk->coordinate.text();
    const Involved involved{
        {"hadoop-aws", h}, {"aws-sdk", sdk->coordinate.version}, {"pinned aws-sdk", pin.version}};
    if (family(sdk->coordinate) != want) {
      add("SC012", jar_path(i),
          have + " is the AWS SDK " + (v2 ? "v1" : "v2") + " bundle, but hadoop-aws " + h +
              " uses SDK " + (v2 ? "v2" : "v1") + " (" + want_full + ")" +
              (v2 ? "; with Hadoop >= 3.4, v1 credential providers (com.amazonaws.auth.*) must "
                    "also be remapped (fs.s3a.aws.credentials.provider.mapping) or replaced"
                  : ""),
          "replace it with " + want_full + after_fix, involved);
    } else if (sdk->coordinate.version != pin.version) {
      add("SC011", jar_path(i),
          "AWS SDK " + have + " is not the " + pin.version + " that hadoop-aws " + h +
              " pins (NoSuchMethodError in S3A at run time otherwise)",
          "set the jar to " + want_full + after_fix, involved);
    }
  }

  void check_jar_names() {
    const auto scala = Version::parse(v_.scala);
    for (std::size_t i = 0; i < stack_.artifacts.jars.size(); ++i) {
      const auto& c = stack_.artifacts.jars[i].coordinate;
      if (scala) check_jar_scala(c, i, *scala);
      if (spark_) check_jar_spark_line(c, i);
      if (spark_ && c.group == "org.apache.spark" && c.version != v_.spark) {
        add("SC021", jar_path(i),
            c.text() + " is not Spark " + v_.spark +
                "; Spark's own jars must be the release of the Spark they run in",
            "set the jar to " + c.group + ":" + c.artifact + ":" + v_.spark,
            {{"spark", v_.spark}, {c.artifact, c.version}});
      }
    }
  }

  void check_jar_scala(const model::MavenCoordinate& c, std::size_t i, const Version& scala) {
    const std::string suffix = scala_suffix(c.artifact);
    if (suffix.empty() || suffix == scala.line()) return;
    const bool derived = v_.scala_origin == model::Origin::catalog && line_ != nullptr;
    std::string fixed = c.artifact;
    fixed.replace(fixed.size() - suffix.size(), suffix.size(), scala.line());
    add("SC015", jar_path(i),
        c.artifact + " is built for Scala " + suffix + ", but the stack's Scala is " +
            scala.line() + " (NoSuchMethodError / NoClassDefFoundError in scala.* at run time)" +
            (derived ? unsure_note(false) : std::string{}),
        "use the _" + scala.line() + " artifact: " + c.group + ":" + fixed + ":" + c.version,
        {{"scala", v_.scala}, {c.artifact, c.version}},
        derived ? line_severity(false) : Severity::error);
  }

  void check_jar_spark_line(const model::MavenCoordinate& c, std::size_t i) {
    const std::string built_for = spark_line_in_name(c.artifact);
    if (built_for.empty() || built_for == spark_->line()) return;
    const std::string fixed = renamed_for(c.artifact, built_for, spark_->line(), v_.scala);
    add("SC016", jar_path(i),
        c.artifact + " is built for Spark " + built_for + ", but the stack runs Spark " + v_.spark,
        "use the artifact built for Spark " + spark_->line() + " (" + c.group + ":" + fixed +
            "), at a version that publishes one",
        {{"spark", v_.spark}, {c.artifact, c.version}});
  }

  const model::Stack& stack_;
  const model::Versions& v_;
  const catalog::Catalog& catalog_;
  std::optional<Version> spark_;
  const catalog::SparkLine* line_ = nullptr;
  std::set<std::string> reported_;  // paths already reported as unparsable
  std::string hadoop_aws_target_;   // the hadoop-aws version SC009 demanded, "" when none
  std::vector<Finding> out_;
};

}  // namespace

std::vector<Finding> check_stack(const model::Stack& stack, const catalog::Catalog& catalog) {
  return Checker(stack, catalog).run();
}

}  // namespace stackctl::check
