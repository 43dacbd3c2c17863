// core/rules/rule.hpp with a finding type other than check's: the shape doctor's rules will take
// (facts observed in a cluster -> findings with code, severity, object, evidence, cause, fix).
// The snapshot and the two rules here are made up for the test; they are not doctor's rules.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/rules/rule.hpp"

using namespace stackctl;

namespace {

struct Pod {
  std::string name;
  std::string phase;   // "Pending", "Running"
  std::string reason;  // "ImagePullBackOff", ""
};

struct Snapshot {
  std::vector<Pod> pods;
};

struct ClusterFinding {
  std::string code;
  Severity severity = Severity::info;
  std::string object;  // "Pod/spark-connect-0"
  std::string evidence;
  std::string cause;
  std::string fix;
};

void stamp(ClusterFinding& f, std::string_view code, Severity severity) {
  f.code = std::string(code);
  f.severity = severity;
}

using Rule = rules::Rule<Snapshot, ClusterFinding>;
using Report = rules::Report<ClusterFinding>;

void image_pull(const Snapshot& s, Report& r) {
  for (const auto& p : s.pods)
    if (p.reason == "ImagePullBackOff")
      r.add({{},
             {},
             "Pod/" + p.name,
             "reason ImagePullBackOff",
             "the image cannot be pulled",
             "push the image"});
}

void pending(const Snapshot& s, Report& r) {
  for (const auto& p : s.pods)
    if (p.phase == "Pending" && p.reason.empty())
      r.add({{}, {}, "Pod/" + p.name, "phase Pending", "not scheduled", "check the nodes"},
            Severity::warning);
}

constexpr std::array<Rule, 2> kTestRules{{
    {{"TD001", "pod cannot pull its image", Severity::error, "pods (status)"}, image_pull},
    {{"TD002", "pod pending", Severity::error, "pods (status)"}, pending},
}};
static_assert(rules::codes_well_formed(kTestRules, "TD"));
static_assert(rules::rows_complete(kTestRules));

constexpr std::array<rules::Spec, 2> kDuplicate{{
    {"TD001", "a", Severity::error, "x"},
    {"TD001", "b", Severity::error, "x"},
}};
static_assert(!rules::codes_well_formed(kDuplicate, "TD"));
constexpr std::array<rules::Spec, 1> kMistyped{{{"TD01", "a", Severity::error, "x"}}};
static_assert(!rules::codes_well_formed(kMistyped, "TD"));
constexpr std::array<rules::Spec, 1> kNoReads{{{"TD001", "a", Severity::error, ""}}};
static_assert(!rules::rows_complete(kNoReads));
static_assert(rules::declared(kTestRules, "TD002").severity == Severity::error);

}  // namespace

TEST_CASE("rules: the runner stamps each rule's code and groups findings by rule", "[rules]") {
  const Snapshot s{{{"a", "Pending", ""},
                    {"b", "Pending", "ImagePullBackOff"},
                    {"c", "Running", ""},
                    {"d", "Pending", "ImagePullBackOff"}}};
  const auto findings = rules::run<Snapshot, ClusterFinding>(kTestRules, s);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].code == "TD001");
  CHECK(findings[0].object == "Pod/b");
  CHECK(findings[0].severity == Severity::error);
  CHECK(findings[1].code == "TD001");
  CHECK(findings[1].object == "Pod/d");
  CHECK(findings[2].code == "TD002");
  CHECK(findings[2].object == "Pod/a");
  CHECK(findings[2].severity == Severity::warning);  // softened by the rule
  CHECK(findings[2].evidence == "phase Pending");

  const std::array<Rule, 2> reversed{kTestRules[1], kTestRules[0]};
  const auto again = rules::run<Snapshot, ClusterFinding>(reversed, s);
  REQUIRE(again.size() == 3);
  CHECK(again[0].code == "TD002");  // grouped in the list's order
  CHECK(again[1].object == "Pod/b");

  CHECK(rules::find(kTestRules, "TD002") == &kTestRules[1]);
  CHECK(rules::find(kTestRules, "TD003") == nullptr);
  CHECK(rules::no_harsher(Severity::warning, Severity::error));
  CHECK_FALSE(rules::no_harsher(Severity::error, Severity::warning));
}
