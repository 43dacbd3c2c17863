// `stackctl version`, `help`, `completion`, and the man pages: what users and packagers rely on.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_meta.hpp"
#include "cli_run.hpp"

using namespace stackctl;

namespace {

using Run = test::CliRun;

Run run(const std::vector<std::string>& args) {
  return test::run_cli(args);
}

}  // namespace

TEST_CASE("stackctl alone and stackctl help print the help and exit 0") {
  for (const auto& args : {std::vector<std::string>{}, std::vector<std::string>{"help"},
                           std::vector<std::string>{"--help"}}) {
    const Run r = run(args);
    CHECK(r.code == cli::kOk);
    CHECK(r.out.find("Usage: stackctl") != std::string::npos);
    CHECK(r.out.find("deploy") != std::string::npos);
    CHECK(r.err.empty());
  }
}

TEST_CASE("stackctl help CMD is that command's help; an unknown one is a usage error") {
  const Run r = run({"help", "validate"});
  CHECK(r.code == cli::kOk);
  CHECK(r.out.find("Usage: stackctl validate") != std::string::npos);
  CHECK(r.out.find("Examples:") != std::string::npos);
  const Run bad = run({"help", "valdate"});
  CHECK(bad.code == cli::kUsage);
  CHECK(bad.err ==
        "stackctl: no command \"valdate\"; did you mean \"validate\"?\n"
        "Run `stackctl help` for the list of commands.\n");
  CHECK(run({"help", "__man"}).code == cli::kUsage);  // hidden helpers have no help
}

TEST_CASE("stackctl version --output json has kubectl's fields and the libraries") {
  const Run r = run({"version", "--output", "json"});
  REQUIRE(r.code == cli::kOk);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("version") == STACKCTL_VERSION);
  for (const char* key : {"gitCommit", "gitTreeState", "buildDate", "compiler", "platform"})
    CHECK_FALSE(j.at(key).get<std::string>().empty());
  CHECK(std::regex_match(j.at("catalog").at("builtin").at("sha256").get<std::string>(),
                         std::regex("[0-9a-f]{64}")));
  std::vector<std::string> names;
  for (const auto& lib : j.at("libraries")) {
    names.push_back(lib.at("name"));
    CHECK(std::regex_match(lib.at("version").get<std::string>(), std::regex("[0-9]+\\.[0-9]+.*")));
  }
  for (const char* want : {"libcurl", "openssl", "libgit2", "yaml-cpp", "nlohmann-json", "cli11"})
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
  const Run text = run({"version"});
  CHECK(text.out.starts_with(std::string("stackctl ") + STACKCTL_VERSION + "\n"));
}

TEST_CASE("completion: the three shells, and an unknown one is a usage error") {
  const Run bash = run({"completion", "bash"});
  REQUIRE(bash.code == cli::kOk);
  CHECK(bash.out.find("complete -o filenames -o bashdefault -F _stackctl stackctl") !=
        std::string::npos);
  // Every visible command is offered; the hidden helpers are not.
  for (const char* cmd : {"validate", "check", "lock", "build", "render", "deploy", "submit",
                          "doctor", "explain", "version", "completion", "help"})
    CHECK(bash.out.find(std::string(" ") + cmd) != std::string::npos);
  CHECK(bash.out.find("'validate check lock build render deploy submit doctor drift explain "
                      "version completion help'") != std::string::npos);
  CHECK(run({"completion", "zsh"}).out.starts_with("#compdef stackctl\n"));
  CHECK(run({"completion", "fish"}).out.find("__fish_seen_subcommand_from deploy") !=
        std::string::npos);
  const Run bad = run({"completion", "tcsh"});
  CHECK(bad.code == cli::kUsage);
  CHECK(bad.err.find("tcsh") != std::string::npos);
}

TEST_CASE("option_choices reads CLI11's IsMember list") {
  CLI::App app;
  std::string out;
  auto* opt = app.add_option("-o,--output", out)->check(CLI::IsMember({"text", "json"}));
  CHECK(cli::help_meta::option_choices(*opt) == std::vector<std::string>{"text", "json"});
  auto* plain = app.add_option("--name", out);
  CHECK(cli::help_meta::option_choices(*plain).empty());
}
