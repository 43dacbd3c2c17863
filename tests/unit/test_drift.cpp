// stackctl drift: the pure comparisons and outputs (core/drift) and the registry fan-out
// (app/drift) over a fake lookup.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/drift.hpp"
#include "core/drift/checks.hpp"
#include "core/drift/cluster.hpp"
#include "core/drift/files.hpp"
#include "core/drift/output.hpp"
#include "core/drift/secret_diff.hpp"
#include "core/knowledge/catalog.hpp"

using namespace stackctl;
using drift::Result;
using drift::Status;

namespace {

const Result* find(const std::vector<Result>& rs, const std::string& item) {
  for (const auto& r : rs)
    if (r.item == item) return &r;
  return nullptr;
}

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

}  // namespace

TEST_CASE("drift: which checks run", "[drift]") {
  using V = std::vector<std::string>;
  CHECK(drift::selected_checks({}, {}, false) == V{"files", "lock", "registry", "catalog"});
  CHECK(drift::selected_checks({}, {}, true) ==
        V{"files", "lock", "registry", "catalog", "cluster"});
  CHECK(drift::selected_checks({"lock", "files"}, {}, false) == V{"files", "lock"});
  CHECK(drift::selected_checks({}, {"registry"}, false) == V{"files", "lock", "catalog"});
  CHECK(drift::selected_checks({"cluster"}, {}, false) == V{"cluster"});
  CHECK(drift::known_check("catalog"));
  CHECK_FALSE(drift::known_check("regsitry"));
}

TEST_CASE("drift: outcome: drift beats could-not-check; advisories never fail", "[drift]") {
  Result passed{"lock", "x", Status::passed, drift::Severity::error, "", "", {}, ""};
  Result advisory{"catalog", "x", Status::drifted, drift::Severity::advisory, "", "", {}, ""};
  Result drifted{"files", "x", Status::drifted, drift::Severity::error, "", "", {}, ""};
  Result error = drift::failed("registry", "x", "refused");
  CHECK(drift::outcome({passed, advisory}) == drift::Outcome::clean);
  CHECK(drift::outcome({passed, error}) == drift::Outcome::could_not_check);
  CHECK(drift::outcome({error, drifted}) == drift::Outcome::drifted);
}

TEST_CASE("drift: files: equal, modified, missing, extra, secret, ignored", "[drift]") {
  drift::CommittedFiles committed;
  committed.root = "rendered/demo";
  committed.ref = "HEAD (abc1234) + work tree";
  committed.files = {{"targets/m/a.yaml", "one\ntwo\nthree\nfour\nfive\n"},
                     {"targets/m/same.yaml", "same\n"},
                     {"targets/m/spark.env", "KEY=committed-secret\n"},
                     {"targets/m/gone.yaml", "x\n"},
                     {"targets/other/b.yaml", "not rendered by this run\n"}};
  committed.notes = {{"targets/m/a.yaml", "modified in the work tree"}};
  drift::FilesRequest req;
  req.committed = &committed;
  req.rendered = {{"targets/m/a.yaml", "one\ntwo\nthree\nFOUR\nfive\n", false, false},
                  {"targets/m/same.yaml", "same\n", false, false},
                  {"targets/m/spark.env", "KEY=new-secret-value\n", true, false},
                  {"targets/m/new.yaml", "new\n", false, false}};
  req.ignored_prefixes = {"targets/other/"};
  const auto rs = drift::compare_files(req);
  REQUIRE(rs.size() == 5);
  CHECK(find(rs, "targets/other/b.yaml") == nullptr);
  CHECK(find(rs, "targets/m/same.yaml")->status == Status::passed);

  const Result* a = find(rs, "targets/m/a.yaml");
  CHECK(a->status == Status::drifted);
  CHECK(a->summary == "modified (modified in the work tree)");
  CHECK(a->evidence.find("-four\n+FOUR\n") != std::string::npos);
  REQUIRE(a->location);
  CHECK(a->location->file == "rendered/demo/targets/m/a.yaml");
  CHECK(a->location->line == 4);  // the first changed line of the committed file

  const Result* env = find(rs, "targets/m/spark.env");
  CHECK(env->status == Status::drifted);
  CHECK(env->evidence.find("new-secret-value") == std::string::npos);
  CHECK(env->evidence.find("committed-secret") == std::string::npos);
  CHECK(env->evidence.find("(values masked)") != std::string::npos);
  CHECK(env->evidence.find("-KEY=*** (before)\n+KEY=*** (after)\n") != std::string::npos);
  CHECK(env->location->line == 1);

  CHECK(find(rs, "targets/m/new.yaml")->summary == "rendered but not committed");
  CHECK(find(rs, "targets/m/gone.yaml")->summary == "committed but no longer rendered");
}

TEST_CASE("drift: secret files: which keys changed, never a value", "[drift]") {
  SECTION("spark.env: same, changed, added and removed keys; odd lines hidden") {
    const auto m = drift::masked_diff("targets/m/spark.env",
                                      "# c\nSAME=s3cr3t\nCHANGED=old-v\nGONE=g-v\nbroken line\n",
                                      "# c\nSAME=s3cr3t\nCHANGED=new-v\nADDED=a-v\n");
    for (const char* value : {"s3cr3t", "old-v", "new-v", "g-v", "a-v", "broken"})
      CHECK(m.diff.find(value) == std::string::npos);
    CHECK(m.diff.find(" SAME=***\n") != std::string::npos);
    CHECK(m.diff.find("-CHANGED=*** (before)\n") != std::string::npos);
    CHECK(m.diff.find("+CHANGED=*** (after)\n") != std::string::npos);
    CHECK(m.diff.find("-GONE=*** (before)\n") != std::string::npos);
    CHECK(m.diff.find("+ADDED=*** (after)\n") != std::string::npos);
    CHECK(m.diff.find("-***\n") != std::string::npos);
    CHECK(m.line == 3);
  }
  SECTION("a Secret manifest: data and stringData masked as deploy --diff masks them") {
    const std::string head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n";
    const auto m =
        drift::masked_diff("targets/m/kubernetes/31-secret-s.yaml",
                           head + "  A: same-v\n  B: old-v\n", head + "  A: same-v\n  B: new-v\n");
    for (const char* value : {"same-v", "old-v", "new-v"})
      CHECK(m.diff.find(value) == std::string::npos);
    CHECK(m.diff.find("   A: \"***\"\n") != std::string::npos);
    CHECK(m.diff.find("-  B: \"*** (before)\"\n") != std::string::npos);
    CHECK(m.diff.find("+  B: \"*** (after)\"\n") != std::string::npos);
  }
  SECTION("a Secret that no longer parses: no diff, the caller says only that it differs") {
    CHECK(drift::masked_diff("k/31-secret-s.yaml", "kind: Secret\nstringData: [x: y\n",
                             "kind: Secret\n")
              .diff.empty());
  }
}

TEST_CASE("drift: files: the stack key a path comes from", "[drift]") {
  model::Stack s;
  s.images.push_back({});
  s.images.push_back({});
  s.images[1].name = "spark-connect";
  s.targets.push_back({});
  s.targets[0].name = "minikube";
  CHECK(drift::stack_key_of(s, "images/spark-connect/Dockerfile") == "images[1]");
  CHECK(drift::stack_key_of(s, "targets/minikube/spark.env") == "targets[0]");
  CHECK(drift::stack_key_of(s, "terraform/modules/eks/main.tf").empty());
}

TEST_CASE("drift: first changed line of a unified diff", "[drift]") {
  CHECK(drift::first_changed_line("--- a\n+++ b\n@@ -10,7 +10,7 @@\n x\n y\n z\n-a\n+b\n") == 13);
  CHECK(drift::first_changed_line("--- a\n+++ b\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n") == 1);
  CHECK(drift::first_changed_line("") == 0);
}

TEST_CASE("drift: lock: none, current, and each difference located at the lock", "[drift]") {
  auto none = drift::compare_lock(nullptr, {}, "s.stack.lock");
  REQUIRE(none.size() == 1);
  CHECK(none[0].status == Status::drifted);
  CHECK(none[0].evidence.find("stackctl lock") != std::string::npos);

  lock::Lock locked;
  locked.stack = "demo";
  locked.versions = {{"spark", "4.0.1"}};
  locked.images = {{"spark-base", "r/spark-base:t1", kDigestA, kDigestB}};
  auto same = drift::compare_lock(&locked, locked, "s.stack.lock");
  REQUIRE(same.size() == 1);
  CHECK(same[0].status == Status::passed);

  lock::Lock now = locked;
  now.versions = {{"spark", "4.0.2"}};
  now.images[0].ref = "r/spark-base:t2";
  auto diff = drift::compare_lock(&locked, now, "s.stack.lock");
  REQUIRE(diff.size() == 2);
  CHECK(diff[0].item == "version spark");
  CHECK(diff[0].summary == "4.0.1 -> 4.0.2");
  CHECK(diff[1].item == "image spark-base");
  CHECK(diff[1].location->file == "s.stack.lock");
}

TEST_CASE("drift: lock: expected lock keeps a digest only while ref and inputs hold", "[drift]") {
  model::Stack s;
  s.metadata.name = "demo";
  lock::Lock locked;
  locked.stack = "demo";
  locked.images = {{"a", "r/a:t1", kDigestA, kDigestB}, {"b", "r/b:t1", kDigestA, kDigestB}};
  plan::ImagePlan pa;
  pa.name = "a";
  pa.ref = "r/a:t1";
  pa.inputs_digest = kDigestA;
  plan::ImagePlan pb = pa;
  pb.name = "b";
  pb.ref = "r/b:t1";
  pb.inputs_digest = kDigestB;  // its inputs changed
  const lock::Lock want = drift::expected_lock(s, locked, {pa, pb});
  REQUIRE(want.images.size() == 2);
  CHECK(want.images[0].digest == kDigestB);
  CHECK(want.images[1].digest.empty());
}

TEST_CASE("drift: registry: moved, deleted, unreachable, at the digest", "[drift]") {
  drift::TagObservation seen{"spark-base", "r/spark-base:t1", kDigestA, kDigestA, ""};
  CHECK(drift::compare_tag(seen, "l").status == Status::passed);
  seen.observed_digest = kDigestB;
  auto moved = drift::compare_tag(seen, "l");
  CHECK(moved.status == Status::drifted);
  CHECK(moved.summary == "tag moved");
  CHECK(moved.evidence.find(kDigestA) != std::string::npos);
  CHECK(moved.evidence.find(kDigestB) != std::string::npos);
  seen.observed_digest = std::nullopt;
  CHECK(drift::compare_tag(seen, "l").summary == "tag deleted");
  seen.error = "connection refused";
  CHECK(drift::compare_tag(seen, "l").status == Status::error);
}

TEST_CASE("drift: registry: one lookup per pushed image, in parallel, in lock order", "[drift]") {
  lock::Lock locked;
  for (int i = 0; i < 12; ++i)
    locked.images.push_back({"img" + std::to_string(i), "r/img" + std::to_string(i) + ":t",
                             kDigestA, i == 3 ? "" : kDigestA});
  std::atomic<int> running{0}, most{0}, calls{0};
  app::TagLookup lookup =
      [&](const std::string& ref) -> std::expected<std::optional<std::string>, std::string> {
    ++calls;
    const int now = ++running;
    for (int m = most; now > m && !most.compare_exchange_weak(m, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    if (ref == "r/img5:t") return std::optional<std::string>(kDigestB);
    if (ref == "r/img6:t") return std::optional<std::string>();
    if (ref == "r/img7:t") return std::unexpected(std::string("refused"));
    return std::optional<std::string>(kDigestA);
  };
  auto rs = app::registry_check(locked, "l", lookup, 4);
  CHECK(calls == 11);  // img3 has no digest: skipped, never asked
  CHECK(most > 1);
  CHECK(most <= 4);
  REQUIRE(rs.size() == 12);
  CHECK(rs[0].status == Status::skipped);
  CHECK(rs[0].item == "img3 r/img3:t");
  CHECK(find(rs, "img5 r/img5:t")->summary == "tag moved");
  CHECK(find(rs, "img6 r/img6:t")->summary == "tag deleted");
  CHECK(find(rs, "img7 r/img7:t")->status == Status::error);
  CHECK(rs[1].item == "img0 r/img0:t");

  most = 0;
  app::registry_check(locked, "l", lookup, 1);
  CHECK(most == 1);
}

TEST_CASE("drift: catalog: a later patch release on the line is advisory, cited", "[drift]") {
  const auto& catalog = catalog::builtin_catalog();
  model::Stack s;
  s.versions.spark = "3.5.5";
  s.locs.set("versions.spark", {"s.yaml", 4, 10});
  auto rs = drift::compare_catalog(s, catalog, "stacks/catalog.yaml");
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == Status::drifted);
  CHECK(rs[0].severity == drift::Severity::advisory);
  CHECK(rs[0].summary ==
        "superseded by 3.5.9");  // the latest 3.5 release stacks/catalog.yaml lists
  CHECK(rs[0].evidence.find("facts/versions.md") != std::string::npos);
  CHECK(rs[0].location->line == 4);
  CHECK(drift::outcome(rs) == drift::Outcome::clean);

  s.versions.spark = "3.5.9";
  CHECK(drift::compare_catalog(s, catalog, "c")[0].status == Status::passed);
  s.versions.spark = "9.9.0";
  CHECK(drift::compare_catalog(s, catalog, "c")[0].status == Status::skipped);
}

TEST_CASE("drift: catalog: check's errors are known-broken combinations", "[drift]") {
  check::Finding f;
  f.diag = {Severity::error,        "SC004",    {"s.yaml", 9, 5}, "artifacts.jars[0]",
            "hadoop-aws 3.3.4 ...", "use 3.4.1"};
  check::Finding w = f;
  w.diag.severity = Severity::warning;
  auto rs = drift::known_broken({f, w});
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].item == "SC004 artifacts.jars[0]");
  CHECK(rs[0].severity == drift::Severity::advisory);
  CHECK(rs[0].location->line == 9);
  CHECK(drift::known_broken({w})[0].status == Status::passed);
}

TEST_CASE("drift: cluster: pods running other digests or tags", "[drift]") {
  lock::Lock locked;
  locked.images = {{"spark-connect", "127.0.0.1:5000/dp/spark-connect:t1", kDigestA, kDigestA}};
  auto pods = kube::Json::parse(R"([
    {"metadata": {"name": "ok", "namespace": "n"}, "kind": "Pod",
     "spec": {"containers": [{"name": "c", "image": "127.0.0.1:5000/dp/spark-connect@)" +
                                kDigestA + R"("}, {"name": "side", "image": "busybox:1"}]}},
    {"metadata": {"name": "moved", "namespace": "n"}, "kind": "Pod",
     "spec": {"containers": [{"name": "c", "image": "127.0.0.1:5000/dp/spark-connect@)" +
                                kDigestA + R"("}]},
     "status": {"containerStatuses": [{"name": "c", "imageID": "docker-pullable://127.0.0.1:5000/dp/spark-connect@)" +
                                kDigestB + R"("}]}},
    {"metadata": {"name": "tag", "namespace": "n"}, "kind": "Pod",
     "spec": {"containers": [{"name": "c", "image": "127.0.0.1:5000/dp/spark-connect:t1"}]}}
  ])");
  auto rs = drift::compare_pod_images(pods, locked);
  REQUIRE(rs.size() == 3);  // the busybox sidecar is not the stack's
  CHECK(rs[0].status == Status::passed);
  CHECK(rs[1].status == Status::drifted);
  CHECK(rs[1].evidence.find(kDigestB) != std::string::npos);
  CHECK(rs[1].evidence.find("imageID") != std::string::npos);
  CHECK(rs[2].summary == "runs a tag, not the locked digest");
}

TEST_CASE("drift: cluster: spark.env checksum on the pod template", "[drift]") {
  auto workload = [](const std::string& sum) {
    kube::Json j = {{"apiVersion", "apps/v1"},
                    {"kind", "Deployment"},
                    {"metadata", {{"name", "d"}, {"namespace", "n"}}}};
    if (!sum.empty())
      j["spec"]["template"]["metadata"]["annotations"][drift::kSecretChecksum] = sum;
    return j;
  };
  const kube::Object intended{workload("sum-now-1")};
  CHECK(drift::compare_values_checksum(intended, workload("sum-now-1"))->status == Status::passed);
  auto changed = drift::compare_values_checksum(intended, workload("sum-before-2"));
  REQUIRE(changed);
  CHECK(changed->status == Status::drifted);
  CHECK(changed->evidence.find("sum-") == std::string::npos);  // neither checksum is shown
  CHECK_FALSE(drift::compare_values_checksum(intended, std::nullopt));
  CHECK_FALSE(drift::compare_values_checksum(kube::Object{workload("")}, workload("x")));
}

namespace {

drift::Report sample_report() {
  drift::Report r;
  r.stack = "stacks/demo.stack.yaml";
  r.checks = {"files", "registry", "catalog"};
  r.results = {
      {"files", "targets/m/a&b.yaml", Status::drifted, drift::Severity::error, "modified",
       "--- a\n+++ b\n@@ -1 +1 @@\n-<x>\n+y\x01\n",
       SourceLoc{"rendered/demo/targets/m/a&b.yaml", 4, 1}, "targets[0]"},
      {"files", "targets/m/ok.yaml", Status::passed, drift::Severity::error, "same", "", {}, ""},
      drift::failed("registry", "img r/img:t", "connection refused: 100%"),
      {"catalog", "versions.spark 3.5.5", Status::drifted, drift::Severity::advisory,
       "superseded by 3.5.9", "see, the catalog: x", SourceLoc{"stacks/demo.stack.yaml", 5, 10},
       ""},
      drift::skipped("catalog", "nothing"),
  };
  return r;
}

}  // namespace

TEST_CASE("drift: text output lists what is not passed and a summary", "[drift]") {
  const std::string t = drift::to_text(sample_report(), false);
  CHECK(t.find("files: 1 passed, 1 drifted\n") != std::string::npos);
  CHECK(t.find("  drifted  targets/m/a&b.yaml: modified  (rendered/demo/targets/m/a&b.yaml:4:1)") !=
        std::string::npos);
  CHECK(t.find("ok.yaml") == std::string::npos);
  CHECK(t.find("advisory  versions.spark 3.5.5") != std::string::npos);
  CHECK(t.find("drift: drifted (1 drifted, 1 advisory, 1 could not be checked, 1 passed, 1 "
               "skipped)") != std::string::npos);
  CHECK(drift::to_text(sample_report(), true).find("ok.yaml") != std::string::npos);
}

TEST_CASE("drift: json output", "[drift]") {
  auto j = nlohmann::json::parse(drift::to_json(sample_report()));
  CHECK(j["outcome"] == "drifted");
  CHECK(j["results"].size() == 5);
  CHECK(j["results"][0]["location"]["line"] == 4);
  CHECK(j["results"][1]["location"].is_null());
  CHECK(j["results"][3]["severity"] == "advisory");
  CHECK(j["counts"]["files"]["drifted"] == 1);
  CHECK(j["counts"]["registry"]["error"] == 1);
}

TEST_CASE("drift: junit output escapes and maps statuses", "[drift]") {
  const std::string x = drift::to_junit(sample_report());
  CHECK(x.find("<testsuites name=\"stackctl drift\" tests=\"5\" failures=\"1\" errors=\"1\" "
               "skipped=\"1\">") != std::string::npos);
  CHECK(x.find("name=\"targets/m/a&amp;b.yaml\"") != std::string::npos);
  CHECK(x.find("<failure type=\"drifted\" message=\"modified\">") != std::string::npos);
  CHECK(x.find("-&lt;x&gt;") != std::string::npos);
  CHECK(x.find('\x01') == std::string::npos);
  CHECK(x.find("<error type=\"could-not-check\"") != std::string::npos);
  CHECK(x.find("<system-out>advisory: superseded by 3.5.9") != std::string::npos);
  CHECK(x.find("<skipped message=") != std::string::npos);
}

TEST_CASE("drift: sarif output", "[drift]") {
  auto j = nlohmann::json::parse(drift::to_sarif(sample_report(), "0.1.0"));
  CHECK(j["version"] == "2.1.0");
  const auto& run = j["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "stackctl");
  CHECK(run["tool"]["driver"]["rules"].size() == 3);
  REQUIRE(run["results"].size() == 2);  // the drifted and the advisory; passed/skipped are not
  CHECK(run["results"][0]["ruleId"] == "drift/files");
  CHECK(run["results"][0]["level"] == "error");
  const auto& loc = run["results"][0]["locations"][0]["physicalLocation"];
  CHECK(loc["artifactLocation"]["uri"] == "rendered/demo/targets/m/a&b.yaml");
  CHECK(loc["region"]["startLine"] == 4);
  CHECK(run["results"][1]["level"] == "warning");
  CHECK(run["results"][1]["ruleIndex"] == 2);
  CHECK(run["invocations"][0]["executionSuccessful"] == false);
  CHECK(run["invocations"][0]["toolExecutionNotifications"].size() == 1);
  CHECK(run["invocations"][0]["toolExecutionNotifications"][0]["associatedRule"]["id"] ==
        "drift/registry");
}

TEST_CASE("drift: sarif has no relative helpUri and its artifact URIs are URI references",
          "[drift]") {
  drift::Report report = sample_report();
  report.results[0].location->file = "rendered/my demo/ä:b.yaml";
  auto j = nlohmann::json::parse(drift::to_sarif(report, "0.1.0"));
  CHECK(j["$schema"] ==
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
        "sarif-schema-2.1.0.json");
  const auto& driver = j["runs"][0]["tool"]["driver"];
  CHECK_FALSE(driver.contains("informationUri"));
  for (const auto& rule : driver["rules"]) {
    CHECK_FALSE(rule.contains("helpUri"));  // the schema wants an absolute URI there
    CHECK(rule["help"]["text"].get<std::string>().starts_with("See docs/drift.md"));
  }
  CHECK(j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "rendered/my%20demo/%C3%A4%3Ab.yaml");
}

TEST_CASE("drift: GitHub workflow commands escape properties and messages", "[drift]") {
  const std::string g = drift::to_github_commands(sample_report());
  CHECK(g.find("::error file=rendered/demo/targets/m/a&b.yaml,line=4,col=1,title=drift files%3A "
               "targets/m/a&b.yaml::modified%0A--- a%0A") != std::string::npos);
  CHECK(g.find("::warning file=stacks/demo.stack.yaml,line=5,col=10,title=drift catalog%3A "
               "versions.spark 3.5.5::superseded by 3.5.9%0Asee, the catalog: x\n") !=
        std::string::npos);
  CHECK(g.find("connection refused: 100%25") != std::string::npos);
  CHECK(g.find("ok.yaml") == std::string::npos);
}
