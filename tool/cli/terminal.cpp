#include "cli/terminal.hpp"

namespace stackctl::cli {

std::optional<ColorWhen> parse_color_when(std::string_view s) {
  if (s == "auto") return ColorWhen::auto_;
  if (s == "always") return ColorWhen::always;
  if (s == "never") return ColorWhen::never;
  return std::nullopt;
}

bool use_color(ColorWhen when, bool is_tty, const Terminal& term) {
  switch (when) {
    case ColorWhen::always:
      return true;
    case ColorWhen::never:
      return false;
    case ColorWhen::auto_:
      break;
  }
  return is_tty && !term.no_color && !term.dumb;
}

}  // namespace stackctl::cli
