#include "cli/stack_input.hpp"

#include <iostream>
#include <iterator>

#include "adapters/fs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/stack/limits.hpp"
#include "core/stack/loader.hpp"
#include "core/text.hpp"

namespace stackctl::cli {

void add_stack_argument(CLI::App& sub, StackInput& in) {
  sub.add_option("STACK", in.path,
                 "The stack file (YAML), e.g. stacks/spark-connect.stack.yaml; - reads it from "
                 "standard input")
      ->required();
}

std::expected<std::string, std::string> read_stack_text(const std::string& path) {
  // A regular file of at most 4 MiB: a device or a FIFO given as STACK neither hangs nor fills
  // memory (docs/validate.md, "Limits"). The message names the path, escaped for the terminal.
  if (path != kStdinStack) {
    auto text = fs::read_regular_file(path, limits::kMaxDocumentBytes);
    if (!text) return std::unexpected(printable(text.error().message));
    return std::move(*text);
  }
  // Read once: a command that loads the stack more than once (deploy, drift per target) sees
  // the same text, and standard input is not asked twice.
  static std::optional<std::expected<std::string, std::string>> cached;
  if (!cached) {
    // At most one byte past the limit, so doc::parse reports the size (E_YAML_SIZE).
    std::string text;
    for (std::istreambuf_iterator<char> it(std::cin), end;
         it != end && text.size() <= limits::kMaxDocumentBytes; ++it)
      text += *it;
    if (std::cin.bad())
      cached = std::unexpected(std::string("cannot read the stack from standard input"));
    else
      cached = std::move(text);
  }
  return *cached;
}

std::string stack_display_name(const std::string& path) {
  return path == kStdinStack ? "<stdin>" : path;
}

void add_target_option(CLI::App& sub, StackInput& in) {
  sub.add_option("-t,--target", in.target,
                 "Apply this target's overrides (a name under `targets:`, e.g. minikube)");
}

const catalog::Catalog* active_catalog(Context& ctx) {
  if (ctx.options.catalog_file.empty()) return &catalog::builtin_catalog();
  static std::optional<catalog::Catalog> loaded;
  auto text = fs::read_file(ctx.options.catalog_file);
  if (!text) {
    ctx.err << "stackctl: " << text.error().message << '\n';
    return nullptr;
  }
  auto parsed = catalog::parse_catalog(*text, ctx.options.catalog_file);
  if (!parsed) {
    for (const auto& d : parsed.error().items()) print_diagnostic(ctx, ctx.err, d);
    return nullptr;
  }
  loaded = std::move(*parsed);
  return &*loaded;
}

LoadedStack load_stack_file(Context& ctx, const StackInput& in, const catalog::Catalog& catalog) {
  LoadedStack result;
  auto text = read_stack_text(in.path);
  if (!text) {
    ctx.err << "stackctl: " << text.error() << '\n';
    result.exit_code = kInputError;
    return result;
  }
  result.stack =
      load_stack(*text, {stack_display_name(in.path), in.target, &catalog}, result.diags);
  result.diags.sort();
  return result;
}

std::expected<model::Stack, int> load_valid_stack(Context& ctx, const StackInput& in,
                                                  std::string_view nothing_was) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return std::unexpected(kInputError);
  LoadedStack loaded = load_stack_file(ctx, in, *catalog);
  if (loaded.exit_code != 0) return std::unexpected(loaded.exit_code);
  for (const auto& d : loaded.diags.items()) {
    print_diagnostic(ctx, ctx.err, d);
    if (d.code == "E_UNKNOWN_TARGET") return std::unexpected(kUsage);
  }
  if (!loaded.stack || loaded.diags.has_errors()) {
    ctx.err << stack_display_name(in.path) << ": invalid stack; nothing was " << nothing_was
            << " (see `stackctl validate " << in.path << "`)\n";
    return std::unexpected(kFindings);
  }
  return std::move(*loaded.stack);
}

}  // namespace stackctl::cli
