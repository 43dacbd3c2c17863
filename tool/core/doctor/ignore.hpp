// The stack file's `doctor: {ignore: [{code, object}]}` for `stackctl doctor`. The loader
// validates the section (unknown codes, an object without a kind) like every other; this reads
// it from the stack's top level. Not done: a target's `overrides.doctor` is validated but not
// applied (the top-level list holds for every target).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diag.hpp"
#include "core/doctor/report.hpp"

namespace stackctl::doctor {

std::vector<Ignore> read_ignore_list(std::string_view text, const std::string& file,
                                     Diagnostics& diags);

}  // namespace stackctl::doctor
