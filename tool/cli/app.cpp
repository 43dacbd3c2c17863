#include "cli/app.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
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
    "4 external failure, 5 drift, 6 no known error (explain), 7 rollout or application\n"
    "failed, 8 drift could not check, 9 still running (submit --wait), 70 internal error\n"
    "(docs/exit-codes.md).";

// The global flags, given before or after the command: listed in every command's help.
const char* kGlobalFlags =
    "\nGlobal flags (any command):\n"
    "  -o, --output text|json        Output format\n"
    "  --catalog FILE                Use this version catalog instead of the built-in one\n"
    "  -v, --verbose                 More detail on stderr (repeatable)\n"
    "  --color auto|always|never     Colour (auto: a terminal, NO_COLOR unset, TERM not dumb)";

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

// A flag on the command line that neither the command nor the global options know, with the
// nearest known one: `stackctl validate --outptu` -> unknown flag "--outptu"; did you mean
// "--output"? Empty when every flag is known (the error is about something else).
std::string unknown_flag(const CLI::App& app, const CLI::App* sub,
                         const std::vector<std::string>& args) {
  std::vector<std::string> longs;
  std::vector<std::string> shorts;
  for (const CLI::App* a : {&app, sub}) {
    if (a == nullptr) continue;
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) longs.push_back("--" + l);
      for (const auto& s : o->get_snames()) shorts.push_back("-" + s);
    }
  }
  for (const auto& arg : args) {
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") continue;
    if (arg[1] == '-') {
      const std::string name = arg.substr(0, arg.find('='));
      if (std::find(longs.begin(), longs.end(), name) != longs.end()) continue;
      std::string msg = "unknown flag \"" + name + "\"";
      if (auto guess = did_you_mean(name, longs); !guess.empty())
        msg += "; did you mean \"" + guess + "\"?";
      return msg;
    }
    if (std::isdigit(static_cast<unsigned char>(arg[1])) != 0) continue;  // a negative number
    const std::string name = arg.substr(0, 2);
    if (std::find(shorts.begin(), shorts.end(), name) == shorts.end())
      return "unknown flag \"" + name + "\"";
  }
  return {};
}

// The logger writes to stderr: its level words follow stderr's colour decision.
void set_log_colors(bool on) {
  for (auto& sink : spdlog::default_logger()->sinks()) {
    if (auto* s = dynamic_cast<spdlog::sinks::stderr_color_sink_mt*>(sink.get()))
      s->set_color_mode(on ? spdlog::color_mode::always : spdlog::color_mode::never);
  }
}

// `-o json`, `--output json`, `--output=json` or `-ojson` anywhere before `--`: how a usage error
// (which stops parsing before the option is read) knows that a JSON document was asked for.
bool asks_for_json(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a == "--output=json" || a == "-ojson") return true;
    if ((a == "-o" || a == "--output") && i + 1 < args.size() && args[i + 1] == "json") return true;
  }
  return false;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& real_out, std::ostream& real_err,
        const Terminal& term) {
  // Under --output json a failed run prints a document even when the command did not.
  Recorder recorder(real_out, real_err);
  std::ostream& out = recorder.out();
  std::ostream& err = recorder.err();
  const auto usage_error = [&] {
    recorder.finish(asks_for_json(args), kUsage, {});
    return static_cast<int>(kUsage);
  };
  if (auto msg = unknown_command(args)) {
    err << *msg << '\n';
    return usage_error();
  }
  CLI::App app{kDescription, "stackctl"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("stackctl ") + STACKCTL_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();

  Context ctx{GlobalOptions{}, out, err};
  std::string output = "text";
  std::string color = "auto";
  app.add_option("-o,--output", output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--catalog", ctx.options.catalog_file,
                 "Use this version catalog file instead of the built-in one");
  app.add_flag("-v,--verbose", ctx.options.verbosity, "More detail on stderr (repeatable)");
  app.add_option("--color", color,
                 "Colour: auto (a terminal, NO_COLOR unset, TERM not dumb), always or never; "
                 "decided for stdout and stderr apart")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  Runner runner;
  for (const auto& cmd : commands()) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.synopsis);
    sub->footer("Examples:\n" + cmd.examples + kGlobalFlags);
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
    // Name the command being parsed and its own help, not only the top level's.
    const auto parsed = app.get_subcommands();
    const CLI::App* sub = parsed.empty() ? nullptr : parsed.front();
    const std::string who = sub == nullptr ? "stackctl" : "stackctl " + sub->get_name();
    std::string what = unknown_flag(app, sub, args);
    if (what.empty()) what = e.what();
    err << who << ": " << what << "\nRun `" << who << " --help` for usage.\n";
    return usage_error();
  }
  ctx.options.output = output == "json" ? OutputFormat::json : OutputFormat::text;
  const ColorWhen when = parse_color_when(color).value_or(ColorWhen::auto_);
  ctx.options.color = use_color(when, term.stdout_tty, term);
  ctx.options.err_color = use_color(when, term.stderr_tty, term);
  set_log_colors(ctx.options.err_color);
  spdlog::set_level(ctx.options.verbosity >= 2   ? spdlog::level::trace
                    : ctx.options.verbosity == 1 ? spdlog::level::debug
                                                 : spdlog::level::info);
  if (!runner) {  // `stackctl` alone, or with global flags only: the help, like `stackctl help`
    out << app.help();
    return kOk;
  }
  const int rc = runner(ctx);
  recorder.finish(ctx.options.output == OutputFormat::json, rc, ctx.reported);
  return rc;
}

}  // namespace stackctl::cli
