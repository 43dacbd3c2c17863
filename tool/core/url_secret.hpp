// Which parts of a URL carry a credential: the userinfo (`user:password@` before the host) and
// query parameters whose name says they hold a secret (a presigned URL's signature, a token).
// One list for two uses: the loader refuses such URLs in a stack (E_URL_CREDENTIALS, since stack
// URLs are written into stack.lock, build contexts and JSON output), and the HTTP client shows
// URLs with these values removed (http::redact_url).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stackctl::url {

// Whether a query parameter of this name holds a secret (ASCII case-insensitive, after
// percent-decoding the name). The names and their sources are listed in url_secret.cpp.
bool is_secret_query_name(std::string_view name);

// The first query parameter of `url` (between '?' and '#', split at '&' and ';') whose name is a
// secret name and whose value is not empty: its name as written in the URL (never the value).
std::optional<std::string> secret_query_parameter(std::string_view url);

// Whether a URL has a userinfo part (RFC 3986 3.2.1): an '@' in its authority, which starts after
// "://" (or at the start when there is no scheme) and ends at the first '/', '?' or '#'.
bool has_userinfo(std::string_view url);

}  // namespace stackctl::url
