#include "cli/app_output.hpp"

#include "cli/exit_codes.hpp"
#include "cli/output.hpp"

namespace stackctl::cli {

int exit_code_of(app::Error::Kind kind) {
  switch (kind) {
    case app::Error::Kind::findings:
      return kFindings;
    case app::Error::Kind::usage:
      return kUsage;
    case app::Error::Kind::input:
      return kInputError;
    case app::Error::Kind::external:
      return kExternalError;
    case app::Error::Kind::drift:
      return kDrift;
    case app::Error::Kind::internal:
      return kInternal;
  }
  return kInternal;
}

nlohmann::json to_json(const app::Error& error) {
  return {{"kind", app::to_string(error.kind)},
          {"message", error.message},
          {"details", error.details},
          {"diagnostics", to_json(error.diags)}};
}

int print_error(Context& ctx, const app::Error& error) {
  for (const auto& d : error.diags.items()) print_diagnostic(ctx, ctx.err, d);
  if (!error.message.empty()) {
    ctx.err << "stackctl: " << (error.kind == app::Error::Kind::internal ? "internal error: " : "")
            << error.message << (error.message.ends_with('\n') ? "" : "\n");
  }
  for (const auto& d : error.details) ctx.err << "  " << d << (d.ends_with('\n') ? "" : "\n");
  return exit_code_of(error.kind);
}

}  // namespace stackctl::cli
