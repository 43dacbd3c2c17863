#include "cli/stack_input.hpp"

#include "adapters/fs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::cli {

void add_stack_argument(CLI::App& sub, StackInput& in) {
  sub.add_option("STACK", in.path, "The stack file (YAML), e.g. stacks/spark-connect.stack.yaml")
      ->required();
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
  auto text = fs::read_file(in.path);
  if (!text) {
    ctx.err << "stackctl: " << text.error().message << '\n';
    result.exit_code = kInputError;
    return result;
  }
  result.stack = load_stack(*text, {in.path, in.target, &catalog}, result.diags);
  result.diags.sort();
  return result;
}

}  // namespace stackctl::cli
