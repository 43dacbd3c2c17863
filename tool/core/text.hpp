// Text from the input, made safe for where it is shown.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stackctl {

// The length of the UTF-8 sequence at s[i] and its code point in `cp`; 0 when it is not UTF-8
// (a stray continuation byte, a truncated or overlong sequence, a surrogate, beyond U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp);

// `s` on one line with what a terminal would act on spelled out: a line feed as \n, other control
// characters but tab (ESC, CR, backspace, DEL, C1) as \xNN or \u{NN}, and bytes that are not
// UTF-8 as \xNN. Everything else is kept as it is. format_diagnostic() applies it to each field of
// a finding, so a value quoted from the input can neither fake a line of output nor move the
// cursor, clear the screen or recolour the terminal.
std::string printable(std::string_view s);

// `s` with every byte that is not part of valid UTF-8 spelled as \xNN: for JSON, whose writer
// refuses such bytes (nlohmann::json throws type_error 316).
std::string utf8_safe(std::string_view s);

}  // namespace stackctl
