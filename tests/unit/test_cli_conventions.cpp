// Conventions every command shares: flag errors name the command, its help and the nearest flag;
// --color decides per stream, with NO_COLOR and TERM=dumb honoured in auto mode.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "cli_run.hpp"

using namespace stackctl;

namespace {

using Run = test::CliRun;

Run run(const std::vector<std::string>& args, const cli::Terminal& term = {}) {
  return test::run_cli(args, term);
}

const std::string kStack = std::string(STACKCTL_SOURCE_DIR) + "/stacks/spark-connect.stack.yaml";
const std::string kBad =
    std::string(STACKCTL_SOURCE_DIR) + "/tests/fixtures/bad/spark-env-unknown-source.yaml";

}  // namespace

TEST_CASE("an unknown flag names the command, the nearest flag and the command's help") {
  const Run r = run({"validate", kStack, "--outptu", "json"});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err ==
        "stackctl validate: unknown flag \"--outptu\"; did you mean \"--output\"?\n"
        "Run `stackctl validate --help` for usage.\n");
  CHECK(r.out.empty());
}

TEST_CASE("an unknown flag of a command's own is guessed from that command's flags") {
  const Run r = run({"render", kStack, "--tagret=minikube"});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err.find("stackctl render: unknown flag \"--tagret\"; did you mean \"--target\"?") == 0);
}

TEST_CASE("an unknown short flag and a flag nothing resembles are still named") {
  const Run s = run({"check", kStack, "-Z"});
  CHECK(s.code == cli::kUsage);
  CHECK(s.err.find("stackctl check: unknown flag \"-Z\"\n") == 0);
  const Run l = run({"check", kStack, "--zzzzzzzzzzzz"});
  CHECK(l.err.find("stackctl check: unknown flag \"--zzzzzzzzzzzz\"\n") == 0);
}

TEST_CASE("other parse errors keep the parser's message under the command's name") {
  const Run r = run({"validate"});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err.find("stackctl validate: ") == 0);
  CHECK(r.err.find("STACK") != std::string::npos);
  CHECK(r.err.find("Run `stackctl validate --help` for usage.") != std::string::npos);
  const Run c = run({"--color", "sometimes", "validate", kStack});
  CHECK(c.code == cli::kUsage);
}

TEST_CASE("color flag: auto follows each stream's terminal, NO_COLOR and TERM=dumb; flags win") {
  using cli::ColorWhen;
  cli::Terminal tty;
  tty.stdout_tty = true;
  tty.stderr_tty = true;
  CHECK(cli::use_color(ColorWhen::auto_, true, tty));
  CHECK_FALSE(cli::use_color(ColorWhen::auto_, false, tty));
  cli::Terminal no_color = tty;
  no_color.no_color = true;
  CHECK_FALSE(cli::use_color(ColorWhen::auto_, true, no_color));
  CHECK(cli::use_color(ColorWhen::always, true, no_color));
  cli::Terminal dumb = tty;
  dumb.dumb = true;
  CHECK_FALSE(cli::use_color(ColorWhen::auto_, true, dumb));
  CHECK_FALSE(cli::use_color(ColorWhen::never, true, tty));
  CHECK(cli::use_color(ColorWhen::always, false, {}));
  CHECK(cli::parse_color_when("auto") == ColorWhen::auto_);
  CHECK_FALSE(cli::parse_color_when("yes").has_value());
}

TEST_CASE("color flag: decided per stream: stdout a pipe, stderr a terminal") {
  REQUIRE(std::filesystem::exists(kBad));
  cli::Terminal term;
  term.stderr_tty = true;  // render prints the diagnostics of an invalid stack on stderr
  const Run r = run({"render", "--list", kBad}, term);
  CHECK(r.code == cli::kFindings);
  CHECK(r.err.find("\033[1;31merror\033[0m") != std::string::npos);
  CHECK(r.out.find('\033') == std::string::npos);
  const Run never = run({"--color", "never", "render", "--list", kBad}, term);
  CHECK(never.err.find('\033') == std::string::npos);
  const Run always = run({"validate", kBad, "--color=always"});  // stdout, not a terminal
  CHECK(always.out.find("\033[1;31merror\033[0m") != std::string::npos);
}

TEST_CASE("every command's help lists the global flags") {
  for (const char* cmd :
       {"validate", "check", "render", "lock", "build", "deploy", "doctor", "drift", "explain"}) {
    const Run r = run({cmd, "--help"});
    CHECK(r.code == cli::kOk);
    INFO(cmd);
    CHECK(r.out.find("Global flags (any command):") != std::string::npos);
    CHECK(r.out.find("--color auto|always|never") != std::string::npos);
    CHECK(r.out.find("-o, --output text|json") != std::string::npos);
  }
}
