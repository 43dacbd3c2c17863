#include "core/url_secret.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace stackctl::url {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoded and lower-cased (ASCII): "X%2DAmz%2DSignature" is "x-amz-signature".
std::string normalized(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '%' && i + 2 < name.size()) {
      const int hi = hex_value(name[i + 1]), lo = hex_value(name[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

bool is_secret_query_name(std::string_view name) {
  // Sources:
  // - AWS Signature Version 4 query authentication (a presigned URL): "Authenticating Requests:
  //   Using Query Parameters (AWS Signature Version 4)",
  //   https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html, and the
  //   common parameters of every SigV4 query request (e.g.
  //   https://docs.aws.amazon.com/STS/latest/APIReference/CommonParameters.html):
  //   X-Amz-Signature (the signature: whoever has it may make the request), X-Amz-Credential
  //   (the access key id and scope), X-Amz-Security-Token (the STS session token). X-Amz-Algorithm,
  //   -Date, -Expires and -SignedHeaders carry nothing secret and are kept.
  // - Azure Storage shared access signatures: the SAS token's `sig` is its signature; sv, ss, srt,
  //   sp, st, se, sip, spr describe it and are not secret ("Identify URI and SAS parameters",
  //   https://learn.microsoft.com/en-us/training/modules/configure-storage-security/4-identify-uri-sas-parameters).
  // - OAuth 2.0 bearer tokens in a query: `access_token` (RFC 6750, section 2.3, "URI Query
  //   Parameter"); and refresh_token, id_token, client_secret, the names OAuth 2.0 (RFC 6749) and
  //   OpenID Connect give their other secrets.
  // - Names in general use that say what they hold: token, password, passwd, secret, api_key,
  //   apikey, key (Google API keys: ?key=), signature (S3's older query authentication).
  // Not here: Google Cloud Storage's V4 signed URLs (X-Goog-*), for want of a primary source
  // read for this list; docs/security.md says so.
  static constexpr std::array<std::string_view, 16> kNames = {"token",
                                                              "access_token",
                                                              "refresh_token",
                                                              "id_token",
                                                              "password",
                                                              "passwd",
                                                              "secret",
                                                              "client_secret",
                                                              "api_key",
                                                              "apikey",
                                                              "key",
                                                              "sig",
                                                              "signature",
                                                              "x-amz-signature",
                                                              "x-amz-credential",
                                                              "x-amz-security-token"};
  const std::string n = normalized(name);
  return std::ranges::find(kNames, n) != kNames.end();
}

std::optional<std::string> secret_query_parameter(std::string_view url) {
  const auto question = url.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = url.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto end = query.find_first_of("&;");
    const std::string_view param = query.substr(0, end);
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && eq + 1 < param.size() &&
        is_secret_query_name(param.substr(0, eq)))
      return std::string(param.substr(0, eq));
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return std::nullopt;
}

bool has_userinfo(std::string_view url) {
  const auto scheme_end = url.find("://");
  const std::string_view rest =
      scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  return authority.find('@') != std::string_view::npos;
}

}  // namespace stackctl::url
