// Printing what the app layer (tool/app) returns: its errors as text on stderr or, with
// `--output json`, as {"error": {...}} on stdout, and the exit code each kind of error means.
#pragma once

#include <nlohmann/json.hpp>

#include "app/error.hpp"
#include "cli/context.hpp"

namespace stackctl::cli {

int exit_code_of(app::Error::Kind kind);
nlohmann::json to_json(const app::Error& error);
// Text: diagnostics, "stackctl: MESSAGE", then each detail indented. JSON: nothing here (the
// caller puts to_json(error) into its one JSON document on stdout). Returns exit_code_of(kind).
int print_error(Context& ctx, const app::Error& error);

}  // namespace stackctl::cli
