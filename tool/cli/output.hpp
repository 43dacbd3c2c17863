// Printing results: diagnostics as text or JSON, summaries, colours.
#pragma once

#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "core/diag.hpp"

namespace stackctl::cli {

nlohmann::json to_json(const Diagnostic& d);
nlohmann::json to_json(const Diagnostics& diags);

// Text: one gcc-style block per diagnostic, coloured when ctx.options.color.
void print_diagnostic(Context& ctx, std::ostream& os, const Diagnostic& d);

// "2 errors, 1 warning" (with correct plurals).
std::string summary(std::size_t errors, std::size_t warnings);

}  // namespace stackctl::cli
