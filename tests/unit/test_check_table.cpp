// The rule tables of `check` against their documentation and `check --list-rules`: one table,
// so docs, help and code cannot drift apart.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "cli/app.hpp"
#include "cli_run.hpp"
#include "core/knowledge/check.hpp"
#include "core/knowledge/check_app_files.hpp"
#include "core/knowledge/check_cluster.hpp"
#include "core/knowledge/check_image.hpp"

using namespace stackctl;

namespace {

std::string read_doc(const std::string& relative) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct DocRow {
  std::string severity;
  std::string title;
  std::string reads;
};

// The rows `| CODE | severity | title | reads |` of a Markdown table.
std::map<std::string, DocRow> table_rows(const std::string& doc, const std::string& prefix) {
  std::map<std::string, DocRow> out;
  const std::regex row("^\\| (" + prefix + "[0-9]{3}) \\| ([a-z]+) \\| (.*) \\| (.*) \\|$");
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) {
      INFO(line);
      CHECK(out.count(m[1].str()) == 0);
      out[m[1].str()] = {m[2].str(), m[3].str(), m[4].str()};
    }
  }
  return out;
}

// Every code-shaped word in `doc` ("SC011", and both ends of "SC011-SC014").
std::set<std::string> codes_named(const std::string& doc, const std::string& prefix) {
  std::set<std::string> out;
  const std::regex code("\\b" + prefix + "[0-9]{3}\\b");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), code); it != std::sregex_iterator();
       ++it)
    out.insert(it->str());
  return out;
}

using Run = test::CliRun;

Run run(const std::vector<std::string>& args) {
  return test::run_cli(args);
}

}  // namespace

TEST_CASE("check: docs/check.md documents exactly the SC table", "[check]") {
  const std::string doc = read_doc("docs/check.md");
  const auto rows = table_rows(doc, "SC");
  std::set<std::string> table;
  // The stack rules, and SC030, which judges the stack's applications against --image's layers.
  std::vector<rules::Spec> specs(check::kRules.begin(), check::kRules.end());
  specs.insert(specs.end(), check_app_files::kRules.begin(), check_app_files::kRules.end());
  for (const auto& rule : specs) {
    const std::string code(rule.code);
    table.insert(code);
    INFO(code);
    REQUIRE(rows.count(code) == 1);
    const DocRow& row = rows.at(code);
    CHECK(row.severity == to_string(rule.severity));
    CHECK(row.title == rule.title);
    CHECK(row.reads == rule.reads);
    // Each code has its own section, titled like the table.
    CHECK(doc.find("### " + code + ": ") != std::string::npos);
    CHECK(doc.find(" (" + std::string(to_string(rule.severity)) + ")\n",
                   doc.find("### " + code + ": ")) != std::string::npos);
  }
  // No row, section or mention of a code the table lacks.
  for (const auto& [code, row] : rows) CHECK(table.count(code) == 1);
  for (const auto& code : codes_named(doc, "SC")) {
    INFO(code);
    CHECK(table.count(code) == 1);
  }
}

TEST_CASE("check: docs/registry.md documents exactly the SI table", "[check]") {
  const std::string doc = read_doc("docs/registry.md");
  std::set<std::string> table;
  for (const auto& rule : check_image::kRules) {
    table.insert(std::string(rule.code));
    INFO(rule.code);
    const std::regex row("\\| " + std::string(rule.code) + " \\| " + to_string(rule.severity) +
                         " \\|");
    CHECK(std::regex_search(doc, row));
  }
  for (const auto& code : codes_named(doc, "SI")) {
    INFO(code);
    CHECK(table.count(code) == 1);
  }
}

TEST_CASE("check: docs/check-cluster.md documents exactly the SL table", "[check]") {
  const std::string doc = read_doc("docs/check-cluster.md");
  std::set<std::string> table;
  for (const auto& rule : check_cluster::kRules) {
    table.insert(std::string(rule.code));
    INFO(rule.code);
    const std::regex row("\\| " + std::string(rule.code) + " \\| " + to_string(rule.severity) +
                         " \\|");
    CHECK(std::regex_search(doc, row));
  }
  for (const auto& code : codes_named(doc, "SL")) {
    INFO(code);
    CHECK(table.count(code) == 1);
  }
}

TEST_CASE("check --list-rules prints the table", "[check][cli]") {
  const Run text = run({"check", "--list-rules"});
  CHECK(text.code == 0);
  CHECK(text.err.empty());
  CHECK_THAT(text.out,
             Catch::Matchers::StartsWith(
                 "SC001  error    PySpark client on a different Spark line than the server\n"
                 "       reads: versions.spark, versions.pyspark\n"
                 "SC002  error    PySpark client newer than the Spark server\n"));
  CHECK_THAT(text.out, Catch::Matchers::Contains(
                           "SC003  warning  PySpark client older than the Spark server\n"));
  CHECK_THAT(text.out, Catch::Matchers::Contains("SI006  warning  image is none of the stack's "
                                                 "images\n"));

  const Run json = run({"check", "--list-rules", "--output", "json"});
  CHECK(json.code == 0);
  const auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == check::kRules.size() + check_app_files::kRules.size() +
                          check_image::kRules.size() + check_cluster::kRules.size());
  CHECK(j[0] ==
        nlohmann::json{{"code", "SC001"},
                       {"severity", "error"},
                       {"title", "PySpark client on a different Spark line than the server"},
                       {"reads", {"versions.spark", "versions.pyspark"}}});
  // Parenthesised lists stay one item.
  CHECK(j[10]["code"] == "SC011");
  CHECK(j[10]["reads"] == nlohmann::json{"artifacts.jars (hadoop-aws, AWS SDK)", "versions.hadoop",
                                         "catalog (hadoop, hadoopSdks)"});
  for (std::size_t i = 0; i < check::kRules.size(); ++i) {
    CHECK(j[i]["code"] == check::kRules[i].code);
    CHECK(j[i]["severity"] == to_string(check::kRules[i].severity));
  }
}
