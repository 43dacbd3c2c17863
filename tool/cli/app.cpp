#include "cli/app.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/meta_commands.hpp"
#include "core/diag.hpp"

namespace stackctl::cli {

namespace {

const char* kDescription =
    "stackctl: one declarative stack file for Apache Spark on Kubernetes.\n"
    "Validates the stack, checks version compatibility, renders images and manifests.";

const char* kFooter =
    "Examples:\n"
    "  stackctl validate stacks/spark-connect.stack.yaml\n"
    "  stackctl check stacks/spark-connect.stack.yaml --target minikube\n"
    "  stackctl check --list-rules --output json\n"
    "  kubectl logs spark-connect-0 | stackctl explain -\n"
    "  stackctl help deploy\n"
    "  source <(stackctl completion bash)\n"
    "\nExit codes: 0 ok, 1 problems found in the stack, 2 usage, 3 file error,\n"
    "4 external failure, 5 drift, 6 no known error (explain), 70 internal error\n"
    "(docs/exit-codes.md).";

// "stackctl valdate" -> did you mean "validate"? (before CLI11's generic message)
std::optional<std::string> unknown_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return std::nullopt;
  std::vector<std::string> names;
  for (const auto& c : commands()) {
    if (c.name == args[0]) return std::nullopt;
    names.push_back(c.name);
  }
  for (const auto& m : meta_command_names())
    if (args[0] == m) return std::nullopt;
  const std::string guess = did_you_mean(args[0], names);
  std::string msg = "stackctl: unknown command \"" + args[0] + "\"";
  if (!guess.empty()) msg += "; did you mean \"" + guess + "\"?";
  msg += "\nRun `stackctl --help` for the list of commands.";
  return msg;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, bool color) {
  if (auto msg = unknown_command(args)) {
    err << *msg << '\n';
    return kUsage;
  }
  CLI::App app{kDescription, "stackctl"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("stackctl ") + STACKCTL_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();

  Context ctx{GlobalOptions{}, out, err};
  ctx.options.color = color;
  std::string output = "text";
  app.add_option("-o,--output", output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--catalog", ctx.options.catalog_file,
                 "Use this version catalog file instead of the built-in one");
  app.add_flag("-v,--verbose", ctx.options.verbosity, "More detail on stderr (repeatable)");

  Runner runner;
  for (const auto& cmd : commands()) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.synopsis);
    sub->footer("Examples:\n" + cmd.examples);
    Runner r = cmd.setup(*sub);
    sub->callback([&runner, r] { runner = r; });
  }
  // version, completion, help and the hidden helpers the completions and the man pages use: they
  // read the command tree itself, so they are added once it is complete.
  add_meta_commands(app, runner);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kOk;
  } catch (const CLI::CallForVersion&) {
    out << app.version() << '\n';
    return kOk;
  } catch (const CLI::ParseError& e) {
    err << "stackctl: " << e.what() << "\nRun `stackctl --help` for usage.\n";
    return kUsage;
  }
  ctx.options.output = output == "json" ? OutputFormat::json : OutputFormat::text;
  spdlog::set_level(ctx.options.verbosity >= 2   ? spdlog::level::trace
                    : ctx.options.verbosity == 1 ? spdlog::level::debug
                                                 : spdlog::level::info);
  if (!runner) {  // `stackctl` alone, or with global flags only: the help, like `stackctl help`
    out << app.help();
    return kOk;
  }
  return runner(ctx);
}

}  // namespace stackctl::cli
