#include "cli/meta_commands.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/fs.hpp"
#include "adapters/hashing.hpp"
#include "adapters/library_versions.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_meta.hpp"
#include "cli/json_output.hpp"
#include "core/diag.hpp"
#include "core/resources.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::build_info {
// cmake/BuildInfo.cmake writes these at every build.
extern const char* const kGitCommit;
extern const char* const kGitTreeState;
extern const char* const kBuildDate;
extern const char* const kCatalogDate;
}  // namespace stackctl::build_info

namespace stackctl::cli {

namespace {

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string platform() {
#if defined(__x86_64__)
  const char* arch = "amd64";
#elif defined(__aarch64__)
  const char* arch = "arm64";
#else
  const char* arch = "unknown";
#endif
  return std::string("linux/") + arch;
}

int run_version(Context& ctx) {
  const auto catalog = resources::find("stacks/catalog.yaml");
  const std::string catalog_sha =
      catalog ? hashing::hash_bytes(*catalog, model::HashAlgorithm::sha256) : "";
  const auto libs = library_versions::all();
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json l = nlohmann::json::array();
    for (const auto& lib : libs)
      l.push_back({{"name", lib.name}, {"version", lib.version}, {"source", lib.source}});
    nlohmann::json j = {
        {"version", STACKCTL_VERSION},
        {"gitCommit", build_info::kGitCommit},
        {"gitTreeState", build_info::kGitTreeState},
        {"buildDate", build_info::kBuildDate},
        {"compiler", compiler()},
        {"platform", platform()},
        {"catalog",
         {{"builtin", {{"date", build_info::kCatalogDate}, {"sha256", catalog_sha}}},
          {"file", ctx.options.catalog_file.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(ctx.options.catalog_file)}}},
        {"libraries", l}};
    return print_json(ctx, std::move(j), kOk);
  }
  ctx.out << "stackctl " << STACKCTL_VERSION << "\n"
          << "  commit:   " << build_info::kGitCommit << " (" << build_info::kGitTreeState << ")\n"
          << "  built:    " << build_info::kBuildDate << "\n"
          << "  compiler: " << compiler() << "\n"
          << "  platform: " << platform() << "\n"
          << "  catalog:  built-in, last changed " << build_info::kCatalogDate << ", sha256 "
          << catalog_sha.substr(0, 12) << "\n";
  if (!ctx.options.catalog_file.empty())
    ctx.out << "            --catalog " << ctx.options.catalog_file << " in use\n";
  ctx.out << "  libraries:";
  for (std::size_t i = 0; i < libs.size(); ++i)
    ctx.out << (i == 0 ? " " : ", ") << libs[i].name << " " << libs[i].version;
  ctx.out << "\n";
  return kOk;
}

// The target names in a stack file, one per line, for the completion scripts. Best effort and
// silent: a file that cannot be read or parsed gives nothing (completion must not print errors
// into the user's command line).
int run_complete_targets(Context& ctx, const std::string& path) {
  auto text = fs::read_file(path);
  if (!text) return kInputError;
  Diagnostics ignored;
  auto root = doc::parse(*text, path, ignored);
  if (!root) return kInputError;
  if (const doc::Node* targets = root->find("targets"); targets != nullptr && targets->is_seq())
    for (const auto& t : targets->items)
      if (const doc::Node* name = t.find("name"); name != nullptr && name->is_scalar())
        ctx.out << name->scalar << '\n';
  return kOk;
}

int run_help(Context& ctx, CLI::App& app, const std::vector<std::string>& words) {
  if (words.empty()) {
    ctx.out << app.help();
    return kOk;
  }
  std::vector<std::string> names;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    names.push_back(sub->get_name());
  CLI::App* sub = nullptr;
  try {
    sub = app.get_subcommand(words.front());
  } catch (const CLI::OptionNotFound&) {
  }
  if (sub == nullptr || sub->get_group().empty()) {
    const std::string guess = did_you_mean(words.front(), names);
    ctx.err << "stackctl: no command \"" << words.front() << "\""
            << (guess.empty() ? "" : "; did you mean \"" + guess + "\"?")
            << "\nRun `stackctl help` for the list of commands.\n";
    return kUsage;
  }
  ctx.out << sub->help("stackctl");
  return kOk;
}

int run_man(Context& ctx, CLI::App& app, const std::string& dir) {
  std::string date = build_info::kBuildDate;
  date = date.size() >= 10 ? date.substr(0, 10) : "unknown";
  std::vector<fs::OutputFile> files;
  for (auto& page : help_meta::man_pages(app, std::string("stackctl ") + STACKCTL_VERSION, date))
    files.push_back({page.file, std::move(page.text)});
  if (auto ok = fs::replace_tree(dir, files); !ok) {
    ctx.err << "stackctl: " << ok.error().message << '\n';
    return kInputError;
  }
  ctx.err << "wrote " << files.size() << " man pages to " << dir << '\n';
  return kOk;
}

}  // namespace

std::vector<std::string_view> meta_command_names() {
  return {"version", "completion", "help", "__complete-targets", "__man"};
}

void add_meta_commands(CLI::App& app, Runner& runner) {
  {
    CLI::App* sub = app.add_subcommand(
        "version", "Print stackctl's version, commit, build date, compiler and libraries");
    sub->footer(
        "Examples:\n"
        "  stackctl version\n"
        "  stackctl version --output json | jq -r .gitCommit\n");
    sub->callback([&runner] { runner = run_version; });
  }
  {
    CLI::App* sub = app.add_subcommand(
        "completion", "Print a shell completion script (bash, zsh or fish) to source");
    auto shell = std::make_shared<std::string>();
    sub->add_option("SHELL", *shell, "The shell: bash, zsh or fish")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    sub->footer(
        "Examples:\n"
        "  source <(stackctl completion bash)\n"
        "  stackctl completion bash > /etc/bash_completion.d/stackctl\n"
        "  stackctl completion zsh > \"${fpath[1]}/_stackctl\"\n"
        "  stackctl completion fish > ~/.config/fish/completions/stackctl.fish\n");
    sub->callback([&runner, &app, shell] {
      runner = [&app, shell](Context& ctx) {
        ctx.out << help_meta::completion_script(app, *shell);
        return static_cast<int>(kOk);
      };
    });
  }
  {
    CLI::App* sub = app.add_subcommand("help", "Help for stackctl or for one command");
    auto words = std::make_shared<std::vector<std::string>>();
    sub->add_option("COMMAND", *words, "The command to explain (none: the list of commands)");
    sub->footer(
        "Examples:\n"
        "  stackctl help\n"
        "  stackctl help deploy\n");
    sub->callback([&runner, &app, words] {
      runner = [&app, words](Context& ctx) { return run_help(ctx, app, *words); };
    });
  }
  {
    CLI::App* sub = app.add_subcommand("__complete-targets", "");
    sub->group("");  // hidden: used by the completion scripts
    auto path = std::make_shared<std::string>();
    sub->add_option("STACK", *path)->required();
    sub->callback([&runner, path] {
      runner = [path](Context& ctx) { return run_complete_targets(ctx, *path); };
    });
  }
  {
    CLI::App* sub = app.add_subcommand("__man", "");
    sub->group("");  // hidden: the build writes the man pages with it (tool/CMakeLists.txt)
    auto dir = std::make_shared<std::string>();
    sub->add_option("DIR", *dir)->required();
    sub->callback([&runner, &app, dir] {
      runner = [&app, dir](Context& ctx) { return run_man(ctx, app, *dir); };
    });
  }
}

}  // namespace stackctl::cli
