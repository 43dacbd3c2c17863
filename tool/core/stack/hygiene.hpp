// Values a stack file may not hold at all, whatever key they are under.
//
// A stack's strings end up in Dockerfiles, shell-sourced spark.env files, properties files, HCL
// and manifests. Each of those files has an escaper (core/render), but a control character (a
// line break, NUL, ESC) has no safe spelling in several of them and is never meant: it is refused
// here, once, at its position, for every key and value of the document (targets' overrides
// included). Sizes are bounded too, so that no later check (std::regex recurses per character;
// "did you mean" compares lengths) runs on a megabyte of text. docs/validate.md, "Limits".
#pragma once

#include <cstddef>

#include "core/diag.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/limits.hpp"

namespace stackctl {

// Reports E_CONTROL_CHAR for each key or scalar that holds a control character (C0, DEL, C1,
// the Unicode line and paragraph separators, bidirectional overrides), and E_LIMIT for a value,
// key or images list over its bound. Returns false when something is over a bound: the caller
// must not read the document further (its values could be too large for the checks that follow).
bool check_values(const doc::Node& root, Diagnostics& diags);

// The first control character of `s` as "U+000A (line feed)" (or a byte that is not UTF-8) and
// its 1-based character index; empty when there is none.
struct ControlChar {
  std::string name;
  std::size_t index = 0;
};
ControlChar first_control_char(std::string_view s);

}  // namespace stackctl
