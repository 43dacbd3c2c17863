// stackctl validate STACK: every schema and semantic problem, with file:line:column and a hint.
#include "adapters/fs.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::cli {

namespace {

int run_validate(Context& ctx, const StackInput& in) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return kInputError;
  auto text = read_stack_text(in.path);
  if (!text) {
    ctx.err << "stackctl: " << text.error() << '\n';
    return kInputError;
  }
  const Diagnostics diags = validate_stack(*text, stack_display_name(in.path), catalog);
  const int rc = diags.has_errors() ? kFindings : kOk;
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json j = {{"file", stack_display_name(in.path)},
                        {"valid", !diags.has_errors()},
                        {"errors", diags.error_count()},
                        {"warnings", diags.warning_count()},
                        {"diagnostics", to_json(diags)}};
    return print_json(ctx, std::move(j), rc);
  }
  {
    for (const auto& d : diags.items()) print_diagnostic(ctx, ctx.out, d);
    ctx.out << stack_display_name(in.path) << ": " << (diags.has_errors() ? "invalid" : "valid")
            << " (" << summary(diags.error_count(), diags.warning_count()) << ")\n";
  }
  return rc;
}

}  // namespace

Command validate_command() {
  return {"validate", "Check a stack file against the schema: every problem, with its position",
          "  stackctl validate stacks/spark-connect.stack.yaml\n"
          "  stackctl validate my.stack.yaml --output json | jq '.diagnostics[].message'\n",
          [](CLI::App& sub) -> Runner {
            auto in = std::make_shared<StackInput>();
            add_stack_argument(sub, *in);
            return [in](Context& ctx) { return run_validate(ctx, *in); };
          }};
}

}  // namespace stackctl::cli
