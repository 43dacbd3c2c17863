// The rules of `stackctl check` and their table (see check.hpp). Each rule reads the derived facts
// (check_facts.hpp), compares the stack's versions and jars with the catalog, and explains a
// mismatch with the run-time error users would otherwise meet, plus the exact value to write
// instead. No rule reads what another computes, so their order does not matter.
#include "core/knowledge/check.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include "core/knowledge/check_platform.hpp"
#include "core/knowledge/check_settings.hpp"

namespace stackctl::check {

void stamp(Finding& f, std::string_view code, Severity severity) {
  f.diag.code = std::string(code);
  f.diag.severity = severity;
}

namespace {

using Report = rules::Report<Finding>;
using Involved = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kSdkV2 = "software.amazon.awssdk:bundle";

std::string q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

// A finding at stack-file key `path`; its code and severity come from the rule (rules::Report).
Finding finding(const Facts& f, const std::string& path, std::string message, std::string hint,
                Involved versions) {
  Diagnostic d{Severity::error, {}, f.stack->locs.at(path), path, std::move(message),
               std::move(hint)};
  return {std::move(d), std::move(versions)};
}

const model::Versions& versions(const Facts& f) {
  return f.stack->versions;
}

// A jar's Scala binary suffix ("iceberg-spark-runtime-3.5_2.12" -> "2.12"), "" when it has none.
std::string scala_suffix(const std::string& artifact) {
  static const std::regex re(R"(_(2\.[0-9]+)$)");
  std::smatch m;
  return std::regex_search(artifact, m, re) ? m[1].str() : std::string{};
}

// An artifact name without its Scala suffix ("delta-spark_2.13" -> "delta-spark").
std::string without_scala(const std::string& artifact) {
  const std::string suffix = scala_suffix(artifact);
  return suffix.empty() ? artifact : artifact.substr(0, artifact.size() - suffix.size() - 1);
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

// --- Spark and PySpark ---------------------------------------------------------------------------

// PySpark against the server: other line (SC001), newer (SC002), older (SC003).
enum class ClientIs { other_line, newer, older, same };

ClientIs pyspark_vs_spark(const Facts& f) {
  if (!f.spark || !f.pyspark) return ClientIs::same;
  if (!f.pyspark->same_prefix(*f.spark, 2)) return ClientIs::other_line;
  if (*f.pyspark > *f.spark) return ClientIs::newer;
  if (*f.pyspark < *f.spark) return ClientIs::older;
  return ClientIs::same;
}

std::string pyspark_fix(const Facts& f) {
  return "set versions.pyspark: " + q(versions(f).spark) + " (the server's version)";
}

Involved spark_and_pyspark(const Facts& f) {
  return {{"spark", versions(f).spark}, {"pyspark", versions(f).pyspark}};
}

void sc001(const Facts& f, Report& r) {
  if (pyspark_vs_spark(f) != ClientIs::other_line) return;
  const auto& v = versions(f);
  r.add(finding(f, "versions.pyspark",
                "PySpark client " + v.pyspark + " is on the " + f.pyspark->line() +
                    " line but the Spark server is " + v.spark +
                    "; clients and server must share major.minor",
                pyspark_fix(f), spark_and_pyspark(f)));
}

void sc002(const Facts& f, Report& r) {
  if (pyspark_vs_spark(f) != ClientIs::newer) return;
  const auto& v = versions(f);
  r.add(finding(f, "versions.pyspark",
                "PySpark client " + v.pyspark + " is newer than the Spark server " + v.spark +
                    "; a newer Spark Connect client fails against an older server "
                    "(UNIMPLEMENTED: Method not found: "
                    "spark.connect.SparkConnectService/ReleaseExecute)",
                pyspark_fix(f) + ", or raise versions.spark to " + v.pyspark,
                spark_and_pyspark(f)));
}

void sc003(const Facts& f, Report& r) {
  if (pyspark_vs_spark(f) != ClientIs::older) return;
  const auto& v = versions(f);
  r.add(finding(f, "versions.pyspark",
                "PySpark client " + v.pyspark + " is older than the Spark server " + v.spark +
                    "; upstream tests this, but an exact match is what users expect",
                pyspark_fix(f), spark_and_pyspark(f)));
}

void sc017(const Facts& f, Report& r) {
  if (!f.spark || f.line != nullptr) return;
  std::vector<std::string> lines;
  for (const auto& l : f.catalog->spark_lines) lines.push_back(l.line);
  r.add(finding(
      f, "versions.spark",
      "the catalog does not know Spark " + f.spark->line() + "; rules that need it were skipped",
      "check versions.spark for a typo (known lines: " + join(lines) +
          "); for a new line, add it to stacks/catalog.yaml with its sources",
      {{"spark", versions(f).spark}}));
}

void sc018(const Facts& f, Report& r) {
  if (f.line == nullptr || f.catalog->knows_release(*f.spark)) return;
  const auto& spark = versions(f).spark;
  const auto& l = *f.line;
  r.add(finding(f, "versions.spark",
                "Spark " + spark + " is a release the catalog does not know (known " + l.line +
                    " releases: " + (l.releases.empty() ? "none" : join(l.releases)) + "); the " +
                    l.line + " line's rules still apply",
                "check that spark-" + spark +
                    "-bin-hadoop3.tgz exists upstream, or use a release the catalog lists",
                {{"spark", spark}}));
}

void sc020(const Facts& f, Report& r) {
  for (const auto& u : f.unparsable)
    r.add(finding(f, u.path, u.what + " version " + q(u.text) + " does not parse as a version",
                  "write dotted numbers, e.g. \"4.0.1\", \"3.11\", \"17\"", {{u.what, u.text}}));
}

// --- Python, Java, Scala, Hadoop against the Spark line ------------------------------------------

void sc004(const Facts& f, Report& r) {
  if (f.line == nullptr) return;
  const auto& l = *f.line;
  const auto min = Version::parse(l.python_min);
  const auto max = Version::parse(l.python_max);
  for (const auto& use : f.pythons) {
    if (!use.at.version) continue;
    const Version mm = *Version::parse(use.at.version->line());
    const Involved involved{{"spark", versions(f).spark}, {"python", use.at.text}};
    const auto& path = use.at.path;
    if (min && mm < *min) {
      r.add(finding(f, path,
                    "Python " + use.at.text + " (" + use.label + ") is older than Spark " + l.line +
                        " supports (" + l.python_min + " or newer)" + f.unsure_note(false),
                    "set " + path + ": " + q(l.python_min) + " or newer", involved),
            f.line_severity(false));
    } else if (max && mm > *max) {
      r.add(finding(f, path,
                    "Python " + use.at.text + " (" + use.label +
                        ") is newer than the newest Python the catalog knows works with Spark " +
                        l.line + " (" + l.python_max + ")" + f.unsure_note(false),
                    "set " + path + ": " + q(l.python_max) + " or older", involved),
            f.line_severity(false));
    }
  }
}

void sc005(const Facts& f, Report& r) {
  // major.minor -> images using it, in stack order.
  std::map<std::string, std::vector<std::string>> by_python;
  std::string first_override;  // the first image whose Python differs from versions.python
  for (const auto& img : f.python_images) {
    if (!img.version) continue;
    by_python[img.version->line()].push_back(img.name);
    if (first_override.empty() && img.overridden &&
        (!f.python || f.python->line() != img.version->line()))
      first_override = img.path;
  }
  if (by_python.size() < 2) return;
  std::vector<std::string> groups;
  Involved involved;
  for (const auto& [py, images] : by_python) {
    groups.push_back(py + " (" + join(images) + ")");
    involved.emplace_back("python", py);
  }
  r.add(finding(f, first_override.empty() ? "versions.python" : first_override,
                "images that run Python use different Python versions: " + join(groups, "; ") +
                    "; PySpark fails when driver and workers differ (PYTHON_VERSION_MISMATCH)",
                "remove the pythonVersion overrides so every image runs versions.python (" +
                    versions(f).python + "), or give them all the same major.minor",
                involved));
}

// The newest Java major a line lists (its "runs on" list), 0 when none parses.
int newest_java(const catalog::SparkLine& l) {
  int newest = 0;
  for (const auto& j : l.java)
    if (const auto v = Version::parse(j)) newest = std::max(newest, java_major(*v));
  return newest;
}

void sc006(const Facts& f, Report& r) {
  if (f.line == nullptr) return;
  const auto& l = *f.line;
  for (const auto& use : f.javas) {
    if (!use.version) continue;
    const std::string major = std::to_string(java_major(*use.version));
    if (std::find(l.java.begin(), l.java.end(), major) != l.java.end()) continue;
    if (java_major(*use.version) > newest_java(l)) continue;  // newer than the list: SC035
    std::string why = "Java " + use.text + " is not supported by Spark " + l.line +
                      " (supported: " + join(l.java) + ")";
    if (f.spark->major() >= 4 && java_major(*use.version) < 17)
      why += "; Spark 4 needs Java 17 or newer (UnsupportedClassVersionError otherwise)";
    r.add(finding(f, use.path, why + f.unsure_note(false),
                  "set " + use.path + " to one of: " + join(l.java),
                  {{"spark", versions(f).spark}, {"java", use.text}}),
          f.line_severity(false));
  }
}

// A Java newer than every Java the line lists. Spark's documentation says "Spark runs on Java
// 8/11/17": a statement of what is supported, not a proof that a newer Java fails, so a warning.
void sc035(const Facts& f, Report& r) {
  if (f.line == nullptr) return;
  const auto& l = *f.line;
  const int newest = newest_java(l);
  for (const auto& use : f.javas) {
    if (!use.version || newest == 0 || java_major(*use.version) <= newest) continue;
    const std::string source = l.java_source.empty() ? "the catalog's list is from " + l.source +
                                                           "; Spark's own documentation for " +
                                                           l.line + " was not read into the catalog"
                                                     : "source: " + l.java_source;
    r.add(finding(f, use.path,
                  "Java " + use.text + " is newer than the Java versions Spark " + l.line +
                      " is documented to run on (" + join(l.java) +
                      "); it is not known to fail, but upstream does not support it (" + source +
                      ")",
                  "set " + use.path + " to one of: " + join(l.java),
                  {{"spark", versions(f).spark}, {"java", use.text}}));
  }
}

void sc007(const Facts& f, Report& r) {
  if (f.line == nullptr || !f.scala) return;
  const auto& l = *f.line;
  if (std::find(l.scala.begin(), l.scala.end(), f.scala->line()) != l.scala.end()) return;
  const auto& v = versions(f);
  r.add(finding(
            f, "versions.scala",
            "Spark " + l.line + " is not built for Scala " + v.scala +
                " (built for: " + join(l.scala) + ")" + f.unsure_note(false),
            "set versions.scala: " + q(l.scala_default) + " and use _" + l.scala_default + " jars",
            {{"spark", v.spark}, {"scala", v.scala}}),
        f.line_severity(false));
}

void sc008(const Facts& f, Report& r) {
  const auto& v = versions(f);
  if (f.line == nullptr || v.hadoop_origin != model::Origin::stack || !f.hadoop) return;
  const auto& l = *f.line;
  const auto bundled = Version::parse(l.hadoop);
  if (!bundled || *f.hadoop == *bundled) return;
  r.add(
      finding(f, "versions.hadoop",
              "Hadoop " + v.hadoop + " is not the Hadoop bundled with Spark " + l.line + " (" +
                  l.hadoop + ", jars/hadoop-client-api-" + l.hadoop + ".jar)" + f.unsure_note(true),
              "set versions.hadoop: " + q(l.hadoop) + ", or remove it to take the catalog's value",
              {{"spark", v.spark}, {"hadoop", v.hadoop}, {"bundled hadoop", l.hadoop}}),
      f.line_severity(true));
}

// --- hadoop-aws, S3 and the AWS SDK --------------------------------------------------------------

void sc009(const Facts& f, Report& r) {
  if (!f.hadoop_aws_mismatch) return;
  const auto& m = *f.hadoop_aws_mismatch;
  const auto& have = f.hadoop_aws->jar->coordinate.version;
  r.add(finding(f, f.hadoop_aws->path(),
                "hadoop-aws " + have + " does not match Spark's Hadoop " + m.expected +
                    "; hadoop-aws must equal the hadoop-client jars inside Spark "
                    "(NoSuchMethodError at run time otherwise)" +
                    (m.from_catalog && f.line ? f.unsure_note(true) : std::string{}),
                "set the jar to org.apache.hadoop:hadoop-aws:" + m.expected,
                {{"spark", versions(f).spark}, {"hadoop", m.expected}, {"hadoop-aws", have}}),
        m.severity);
}

// Why the stack needs S3A, as "<path> (<what>)", or "" when it does not.
std::string s3_evidence(const model::Stack& stack) {
  const auto& os = stack.services.external.object_store;
  if (os.kind != model::ObjectStoreKind::none)
    return std::string("services.external.objectStore (kind ") + model::to_string(os.kind) + ")";
  const auto& hs = stack.services.history_server;
  if (hs.enabled && hs.log_directory.starts_with("s3a://"))
    return "services.historyServer.logDirectory (" + hs.log_directory + ")";
  for (const auto& [key, value] : stack.spark.conf)
    if (value.starts_with("s3a://")) return "spark.conf." + key + " (" + value + ")";
  return {};
}

void sc010(const Facts& f, Report& r) {
  if (f.hadoop_aws) return;
  const std::string evidence = s3_evidence(*f.stack);
  if (evidence.empty()) return;
  const std::string& hadoop = f.spark_hadoop;
  std::string hint = "add to artifacts.jars: - maven: org.apache.hadoop:hadoop-aws:" +
                     (hadoop.empty() ? std::string("<Spark's Hadoop version>") : hadoop);
  const auto hv = Version::parse(hadoop);
  if (const catalog::HadoopSdk* pin = hv ? f.catalog->sdk_for_hadoop(*hv) : nullptr)
    hint += ", and - maven: " + pin->group + ":" + pin->artifact + ":" + pin->version;
  r.add(finding(f, "artifacts.jars",
                "the stack uses S3 (" + evidence +
                    ") but artifacts.jars has no org.apache.hadoop:hadoop-aws; Spark's tarball "
                    "ships none, so s3a:// fails with ClassNotFoundException: Class "
                    "org.apache.hadoop.fs.s3a.S3AFileSystem not found",
                hint, {{"spark", versions(f).spark}, {"hadoop", hadoop}}));
}

// The pin that applies when the stack has hadoop-aws; nullptr when there is none to judge by.
const catalog::HadoopSdk* jar_pin(const Facts& f) {
  return f.hadoop_aws && f.sdk ? f.sdk->pin : nullptr;
}

std::string after_fix(const Facts& f) {
  return f.sdk->after_fix ? " (once hadoop-aws is " + f.sdk->hadoop + ", see SC009)" : "";
}

std::string pinned(const catalog::HadoopSdk& pin) {
  return pin.group + ":" + pin.artifact + ":" + pin.version;
}

Involved sdk_involved(const Facts& f, const catalog::HadoopSdk& pin) {
  return {{"hadoop-aws", f.sdk->hadoop},
          {"aws-sdk", f.sdk->jar->jar->coordinate.version},
          {"pinned aws-sdk", pin.version}};
}

void sc011(const Facts& f, Report& r) {
  const catalog::HadoopSdk* pin = jar_pin(f);
  if (pin == nullptr || !f.sdk->jar) return;
  const auto& c = f.sdk->jar->jar->coordinate;
  if (family(c) != pin->group + ":" + pin->artifact || c.version == pin->version) return;
  r.add(finding(f, f.sdk->jar->path(),
                "AWS SDK " + c.text() + " is not the " + pin->version + " that hadoop-aws " +
                    f.sdk->hadoop + " pins (NoSuchMethodError in S3A at run time otherwise)",
                "set the jar to " + pinned(*pin) + after_fix(f), sdk_involved(f, *pin)));
}

void sc012(const Facts& f, Report& r) {
  const catalog::HadoopSdk* pin = jar_pin(f);
  if (pin == nullptr || !f.sdk->jar) return;
  const auto& c = f.sdk->jar->jar->coordinate;
  const std::string want = pin->group + ":" + pin->artifact;
  if (family(c) == want) return;
  const bool v2 = want == kSdkV2;
  r.add(finding(f, f.sdk->jar->path(),
                c.text() + " is the AWS SDK " + (v2 ? "v1" : "v2") + " bundle, but hadoop-aws " +
                    f.sdk->hadoop + " uses SDK " + (v2 ? "v2" : "v1") + " (" + pinned(*pin) + ")" +
                    (v2 ? "; with Hadoop >= 3.4, v1 credential providers (com.amazonaws.auth.*) "
                          "must also be remapped (fs.s3a.aws.credentials.provider.mapping) or "
                          "replaced"
                        : ""),
                "replace it with " + pinned(*pin) + after_fix(f), sdk_involved(f, *pin)));
}

void sc013(const Facts& f, Report& r) {
  const auto& v = versions(f);
  const bool written = v.aws_sdk_origin == model::Origin::stack && !v.aws_sdk.empty();
  if (!written || !f.sdk || f.sdk->pin == nullptr || v.aws_sdk == f.sdk->pin->version) return;
  const auto& pin = *f.sdk->pin;
  r.add(finding(
      f, "versions.awsSdk",
      "versions.awsSdk " + v.aws_sdk + " is not the SDK hadoop-aws " + f.sdk->hadoop + " pins (" +
          pin.group + ":" + pin.artifact + " " + pin.version + ")",
      "set versions.awsSdk: " + q(pin.version) + ", or remove it to take the catalog's value",
      {{"hadoop", f.sdk->hadoop}, {"aws-sdk", v.aws_sdk}, {"pinned aws-sdk", pin.version}}));
}

void sc014(const Facts& f, Report& r) {
  const catalog::HadoopSdk* pin = jar_pin(f);
  if (pin == nullptr || f.sdk->jar) return;
  const bool v2 = pin->group + ":" + pin->artifact == kSdkV2;
  r.add(finding(f, "artifacts.jars",
                "hadoop-aws " + f.sdk->hadoop + " needs the AWS SDK " + pinned(*pin) +
                    " beside it, and artifacts.jars has none (NoClassDefFoundError: " +
                    (v2 ? "software/amazon/awssdk/core/exception/SdkException"
                        : "com/amazonaws/auth/AWSCredentialsProvider") +
                    ")",
                "add to artifacts.jars: - maven: " + pinned(*pin) + after_fix(f),
                {{"hadoop-aws", f.sdk->hadoop}, {"pinned aws-sdk", pin->version}}));
}

void sc019(const Facts& f, Report& r) {
  if (!f.sdk || f.sdk->pin != nullptr) return;
  const auto& h = f.sdk->hadoop;
  r.add(finding(f, f.sdk->path,
                "the catalog has no AWS SDK pin for Hadoop " + h +
                    "; the SDK jar and versions.awsSdk were not checked",
                "use the SDK that hadoop-aws " + h +
                    " declares in its pom, and add the pin to stacks/catalog.yaml with its source",
                {{"hadoop", h}}));
}

// --- jar names -----------------------------------------------------------------------------------

void sc015(const Facts& f, Report& r) {
  if (!f.scala) return;
  const auto& v = versions(f);
  const std::string scala = f.scala->line();
  const bool derived = v.scala_origin == model::Origin::catalog && f.line != nullptr;
  for (std::size_t i = 0; i < f.stack->artifacts.jars.size(); ++i) {
    const auto& c = f.stack->artifacts.jars[i].coordinate;
    const std::string suffix = scala_suffix(c.artifact);
    if (suffix.empty() || suffix == scala) continue;
    std::string fixed = c.artifact;
    fixed.replace(fixed.size() - suffix.size(), suffix.size(), scala);
    r.add(finding(f, JarAt{i, nullptr}.path(),
                  c.artifact + " is built for Scala " + suffix + ", but the stack's Scala is " +
                      scala + " (NoSuchMethodError / NoClassDefFoundError in scala.* at run time)" +
                      (derived ? f.unsure_note(false) : std::string{}),
                  "use the _" + scala + " artifact: " + c.group + ":" + fixed + ":" + c.version,
                  {{"scala", v.scala}, {c.artifact, c.version}}),
          derived ? f.line_severity(false) : Severity::error);
  }
}

// What the catalog's runtime tables say of jar `c` (artifact without its Scala suffix).
catalog::RuntimeFit runtime_fit(const Facts& f, const model::MavenCoordinate& c) {
  const auto v = Version::parse(c.version);
  if (!v) return {};
  return f.catalog->runtime_fit(c.group, without_scala(c.artifact), *v);
}

std::string or_list(const std::vector<std::string>& items) {
  return join(items, " or ");
}

void sc016(const Facts& f, Report& r) {
  if (!f.spark) return;
  const auto& v = versions(f);
  for (std::size_t i = 0; i < f.stack->artifacts.jars.size(); ++i) {
    const auto& c = f.stack->artifacts.jars[i].coordinate;
    const std::string built_for = spark_line_in_name(c.artifact);
    if (built_for.empty()) {
      // No Spark line in the name: the runtime's own table (catalog runtimeLines) says which.
      const auto fit = runtime_fit(f, c);
      if (fit.kind != catalog::RuntimeFit::Kind::pairs || !fit.named_line.empty() ||
          fit.row->pairs_with(f.spark->line()))
        continue;
      const auto& row = *fit.row;
      r.add(finding(f, JarAt{i, nullptr}.path(),
                    c.group + ":" + c.artifact + ":" + c.version + " is " + row.name + " " +
                        row.releases() + ", which its compatibility table pairs with " +
                        row.spark_lines() + ", but the stack runs Spark " + v.spark +
                        " (source: " + row.source + ")",
                    "use the " + row.name + " release that its table pairs with Spark " +
                        f.spark->line() + ", or run Spark " + or_list(row.spark),
                    {{"spark", v.spark}, {c.artifact, c.version}}));
      continue;
    }
    if (built_for == f.spark->line()) continue;
    const std::string fixed = renamed_for(c.artifact, built_for, f.spark->line(), v.scala);
    r.add(finding(
        f, JarAt{i, nullptr}.path(),
        c.artifact + " is built for Spark " + built_for + ", but the stack runs Spark " + v.spark,
        "use the artifact built for Spark " + f.spark->line() + " (" + c.group + ":" + fixed +
            "), at a version that publishes one",
        {{"spark", v.spark}, {c.artifact, c.version}}));
  }
}

void sc031(const Facts& f, Report& r) {
  if (!f.spark) return;
  for (std::size_t i = 0; i < f.stack->artifacts.jars.size(); ++i) {
    const auto& c = f.stack->artifacts.jars[i].coordinate;
    if (runtime_fit(f, c).kind != catalog::RuntimeFit::Kind::unlisted) continue;
    r.add(finding(f, JarAt{i, nullptr}.path(),
                  c.group + ":" + c.artifact + ":" + c.version +
                      " is a release line the catalog's compatibility table does not list; "
                      "whether it works with Spark " +
                      versions(f).spark + " was not checked",
                  "look the release up in its project's compatibility table and add the row to "
                  "stacks/catalog.yaml (runtimeLines) with its source",
                  {{"spark", versions(f).spark}, {c.artifact, c.version}}));
  }
}

// Why `fit` (not_published) says release `version` has no artifact for its named line, and the
// fix: before the first release for the line, after the last one of an ended line, or a release
// line whose table lists other Spark lines.
std::pair<std::string, std::string> not_published(const catalog::RuntimeFit& fit,
                                                  const std::string& version) {
  const auto& row = *fit.row;
  const std::string& named = fit.named_line;
  if (!row.line.empty())
    return {row.name + " " + row.releases() + " supports " + row.spark_lines() +
                " by its table, not the Spark " + named + " this artifact's name is built for",
            "use a release of " + row.name + " whose table lists Spark " + named +
                ", or the artifact of a Spark line " + row.name + " " + row.releases() +
                " supports"};
  const auto v = Version::parse(version), since = Version::parse(row.since);
  if (v && since && *v < *since)
    return {row.name + " " + version + " is older than " + row.since + ", the first " + row.name +
                " release its table gives for Spark " + named,
            "use " + row.name + " " + row.since + " or newer"};
  return {row.name + " " + version + " is newer than " + row.until + ", the last " + row.name +
              " release its table gives for Spark " + named + " (end of life)",
          "use " + row.name + " " + row.until +
              " or older, or move to a Spark line the table still supports"};
}

void sc034(const Facts& f, Report& r) {
  for (std::size_t i = 0; i < f.stack->artifacts.jars.size(); ++i) {
    const auto& c = f.stack->artifacts.jars[i].coordinate;
    const auto fit = runtime_fit(f, c);
    if (fit.kind != catalog::RuntimeFit::Kind::not_published) continue;
    const auto [why, fix] = not_published(fit, c.version);
    r.add(finding(f, JarAt{i, nullptr}.path(),
                  c.group + ":" + c.artifact + ":" + c.version + ": " + why +
                      " (source: " + fit.row->source + ")",
                  fix, {{"spark line in name", fit.named_line}, {c.artifact, c.version}}));
  }
}

void sc021(const Facts& f, Report& r) {
  if (!f.spark) return;
  const auto& v = versions(f);
  for (std::size_t i = 0; i < f.stack->artifacts.jars.size(); ++i) {
    const auto& c = f.stack->artifacts.jars[i].coordinate;
    if (c.group != "org.apache.spark" || c.version == v.spark) continue;
    r.add(finding(f, JarAt{i, nullptr}.path(),
                  c.text() + " is not Spark " + v.spark +
                      "; Spark's own jars must be the release of the Spark they run in",
                  "set the jar to " + c.group + ":" + c.artifact + ":" + v.spark,
                  {{"spark", v.spark}, {c.artifact, c.version}}));
  }
}

}  // namespace

// clang-format off
constexpr std::array<Rule, 32> kRules{{
    {{"SC001", "PySpark client on a different Spark line than the server", Severity::error,
      "versions.spark, versions.pyspark"}, sc001},
    {{"SC002", "PySpark client newer than the Spark server", Severity::error,
      "versions.spark, versions.pyspark"}, sc002},
    {{"SC003", "PySpark client older than the Spark server", Severity::warning,
      "versions.spark, versions.pyspark"}, sc003},
    {{"SC004", "Python outside the Spark line's supported range", Severity::error,
      "versions.spark, versions.python, images[].pythonVersion, catalog (pythonMin, pythonMax, confidence)"},
     sc004},
    {{"SC005", "Python major.minor differs between images that run Python", Severity::error,
      "versions.python, images[].python, images[].pythonVersion"}, sc005},
    {{"SC006", "Java not supported by the Spark line", Severity::error,
      "versions.spark, versions.java, images[].javaVersion, catalog (java, confidence)"}, sc006},
    {{"SC007", "Scala version not built for the Spark line", Severity::error,
      "versions.spark, versions.scala, catalog (scala, scalaDefault, confidence)"}, sc007},
    {{"SC008", "Hadoop differs from the Hadoop bundled with Spark", Severity::error,
      "versions.spark, versions.hadoop, catalog (hadoop, confidence)"}, sc008},
    {{"SC009", "hadoop-aws differs from Spark's Hadoop", Severity::error,
      "versions.spark, versions.hadoop, artifacts.jars (hadoop-aws), catalog (hadoop, confidence)"}, sc009},
    {{"SC010", "hadoop-aws missing while the stack uses S3", Severity::error,
      "artifacts.jars, services.external.objectStore, services.historyServer, spark.conf, "
      "versions.hadoop, catalog (hadoop, hadoopSdks)"}, sc010},
    {{"SC011", "AWS SDK jar version differs from the one hadoop-aws pins", Severity::error,
      "artifacts.jars (hadoop-aws, AWS SDK), versions.hadoop, catalog (hadoop, hadoopSdks)"},
     sc011},
    {{"SC012", "AWS SDK jar of the wrong family for hadoop-aws (v1 vs v2)", Severity::error,
      "artifacts.jars (hadoop-aws, AWS SDK), versions.hadoop, catalog (hadoop, hadoopSdks)"},
     sc012},
    {{"SC013", "versions.awsSdk differs from the SDK hadoop-aws pins", Severity::error,
      "versions.awsSdk, artifacts.jars (hadoop-aws), versions.hadoop, catalog (hadoop, "
      "hadoopSdks)"}, sc013},
    {{"SC014", "AWS SDK jar missing beside hadoop-aws", Severity::error,
      "artifacts.jars (hadoop-aws, AWS SDK), versions.hadoop, catalog (hadoop, hadoopSdks)"},
     sc014},
    {{"SC015", "jar's Scala suffix differs from versions.scala", Severity::error,
      "artifacts.jars, versions.scala, versions.spark, catalog (confidence)"}, sc015},
    {{"SC016", "jar built for a different Spark line", Severity::error,
      "artifacts.jars, versions.spark, versions.scala, catalog (runtimeLines)"}, sc016},
    {{"SC017", "Spark line unknown to the catalog", Severity::warning,
      "versions.spark, catalog (sparkLines)"}, sc017},
    {{"SC018", "Spark release unknown to the catalog", Severity::warning,
      "versions.spark, catalog (releases)"}, sc018},
    {{"SC019", "no AWS SDK pin in the catalog for the Hadoop version", Severity::warning,
      "artifacts.jars (hadoop-aws), versions.awsSdk, versions.hadoop, catalog (hadoop, "
      "hadoopSdks)"}, sc019},
    {{"SC020", "version that does not parse", Severity::error,
      "every version the other rules read"}, sc020},
    {{"SC021", "org.apache.spark jar version differs from Spark", Severity::error,
      "artifacts.jars (org.apache.spark), versions.spark"}, sc021},
    {{"SC022", "spark.conf value not valid for its Spark setting", Severity::error,
      "spark.conf"}, detail::sc022},
    {{"SC023", "Spark setting from a spark.env source that check does not read", Severity::info,
      "sparkEnv.keys, sparkEnv.sources"}, detail::sc023},
    {{"SC024", "Iceberg SQL extension without an Iceberg catalog", Severity::warning,
      "spark.conf (spark.sql.extensions, spark.sql.catalog.*)"}, detail::sc024},
    {{"SC025", "pod memory larger than a node of the target gives pods", Severity::error,
      "targets[].nodeAllocatable.memory, spark.driver, spark.executor, services.kyuubi (serverMemory, maxEngines, shareLevel), services.notebooks[] (mode, memory)"},
     detail::sc025},
    {{"SC026", "pod CPU request larger than a node of the target gives pods", Severity::error,
      "targets[].nodeAllocatable.cpu, spark.driver.cores, spark.executor (cores, requestCores), services.kyuubi (maxEngines, shareLevel), services.notebooks[].mode"},
     detail::sc026},
    {{"SC027", "AWS keys in spark.env that S3A never reads (IRSA on eks)", Severity::warning,
      "targets[].kind, services.external.objectStore (kind, credentialsSecret), sparkEnv.keys"},
     detail::sc027},
    {{"SC028", "spark.env value from Vault or a values file not valid for its Spark setting",
      Severity::error, "sparkEnv.keys, values read by --values or --vault"}, detail::sc028},
    {{"SC029", "client-mode driver outside the cluster that executors cannot reach",
      Severity::warning, "applications[] (deployMode, client.runsIn, client.driverHost)"},
     detail::sc029},
    {{"SC031", "runtime release missing from its compatibility table in the catalog",
      Severity::warning, "artifacts.jars (Delta Lake, Iceberg, Hudi, Unity Catalog runtimes), "
      "versions.spark, catalog (runtimeLines)"}, sc031},
    {{"SC034", "runtime release that publishes no artifact for the Spark line in its name",
      Severity::error, "artifacts.jars (Iceberg, Hudi, Unity Catalog runtimes), catalog "
      "(runtimeLines)"}, sc034},
    {{"SC035", "Java newer than the Java versions documented for the Spark line",
      Severity::warning, "versions.spark, versions.java, images[].javaVersion, catalog (java, "
      "javaSource)"}, sc035},
}};
// clang-format on

static_assert(rules::codes_well_formed(kRules, "SC"), "SC codes: SC + 3 digits, each once");
static_assert(rules::rows_complete(kRules), "every rule has a title, reads and a run function");

const rules::Spec* find_rule(std::string_view code) {
  return rules::find(kRules, code);
}

std::vector<Finding> run_rules(std::span<const Rule> list, const model::Stack& stack,
                               const catalog::Catalog& catalog,
                               const env_settings::ReadValues* env_values) {
  return rules::run(list, derive_facts(stack, catalog, env_values));
}

std::vector<Finding> check_stack(const model::Stack& stack, const catalog::Catalog& catalog,
                                 const env_settings::ReadValues* env_values) {
  return run_rules(kRules, stack, catalog, env_values);
}

}  // namespace stackctl::check
