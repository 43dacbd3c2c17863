// What the process knows about its terminal, and the --color decision made from it per stream.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stackctl::cli {

// Read by main from the process (isatty, NO_COLOR, TERM); tests build it by hand.
struct Terminal {
  bool stdout_tty = false;
  bool stderr_tty = false;
  bool no_color = false;  // NO_COLOR is set and not empty (https://no-color.org)
  bool dumb = false;      // TERM=dumb
};

enum class ColorWhen { auto_, always, never };

// "auto" | "always" | "never" (the values of --color, as in git and ls); nullopt for anything else.
std::optional<ColorWhen> parse_color_when(std::string_view s);

// auto: colour only on a terminal, and neither NO_COLOR nor TERM=dumb; always/never: as named,
// whatever the environment says (an explicit flag wins over NO_COLOR, as no-color.org asks).
bool use_color(ColorWhen when, bool is_tty, const Terminal& term);

}  // namespace stackctl::cli
