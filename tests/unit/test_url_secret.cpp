// core/url_secret.hpp: which query parameters and userinfo parts of a URL are credentials; the
// loader refuses them in stacks (E_URL_CREDENTIALS, tests/fixtures/bad/url-*.yaml) and the HTTP
// client redacts the same names.
#include <catch2/catch.hpp>

#include "adapters/http.hpp"
#include "core/url_secret.hpp"

using namespace stackctl;

TEST_CASE("url secrets: secret query parameters are found by name, never by value", "[url]") {
  using url::secret_query_parameter;
  CHECK(secret_query_parameter("https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                               "&X-Amz-Expires=60&X-Amz-Signature=abc") == "X-Amz-Signature");
  CHECK(secret_query_parameter("https://h/p?X-Amz-Credential=AKID%2F2026") == "X-Amz-Credential");
  CHECK(secret_query_parameter("https://h/p?x-amz-security-token=t") == "x-amz-security-token");
  CHECK(secret_query_parameter("https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=s") ==
        "sig");
  CHECK(secret_query_parameter("https://h/p?a=1;Password=p") == "Password");
  CHECK(secret_query_parameter("https://h/p?%74oken=t") == "%74oken");  // percent-decoded name
  CHECK(secret_query_parameter("https://h/p?access_token=t#x") == "access_token");
  // Not credentials: no value, a longer name, only in the fragment, describing fields of a SAS or
  // a presigned URL, no query at all.
  CHECK_FALSE(secret_query_parameter("https://h/p?token="));
  CHECK_FALSE(secret_query_parameter("https://h/p?token"));
  CHECK_FALSE(secret_query_parameter("https://h/p?tokenizer=x&mykey=y"));
  CHECK_FALSE(secret_query_parameter("https://h/p?a=b#token=x"));
  CHECK_FALSE(secret_query_parameter("https://h/p?sv=2022-11-02&se=2026&sp=r&X-Amz-Expires=60"));
  CHECK_FALSE(secret_query_parameter("https://h/token=x/p"));
}

TEST_CASE("url secrets: userinfo is an '@' in the authority only", "[url]") {
  CHECK(url::has_userinfo("https://u:p@h/x"));
  CHECK(url::has_userinfo("https://token@h"));
  CHECK(url::has_userinfo("robot:pw@registry.example.com/team"));  // no scheme: registry.url
  CHECK_FALSE(url::has_userinfo("https://h/p@x"));
  CHECK_FALSE(url::has_userinfo("https://h/p?from=a@b"));
  CHECK_FALSE(url::has_userinfo("registry.example.com/team"));
}

TEST_CASE("url secrets: the HTTP client redacts the same names", "[url][http]") {
  CHECK(http::redact_url("https://h/p?X-Amz-Expires=60&X-Amz-Signature=abc&sig=s") ==
        "https://h/p?X-Amz-Expires=60&X-Amz-Signature=REDACTED&sig=REDACTED");
  CHECK(http::redact_url("https://h/p?%74oken=t") == "https://h/p?%74oken=REDACTED");
}

TEST_CASE("url secrets: the HTTP client splits the query at ';' as validation does",
          "[url][http]") {
  // validate refuses this URL (url::secret_query_parameter reads ';' as a separator); a URL from
  // elsewhere (a kubeconfig server, a mirror) is shown with the same parameter redacted.
  REQUIRE(url::secret_query_parameter("https://h/p?a=1;token=t") == "token");
  CHECK(http::redact_url("https://h/p?a=1;token=t&b=2") == "https://h/p?a=1;token=REDACTED&b=2");
  CHECK(http::redact_url("https://h/p?a=1;b=2") == "https://h/p?a=1;b=2");
  CHECK(http::redact_url("https://h/p?token=t;") == "https://h/p?token=REDACTED;");
  CHECK(http::redact_url("https://h/p?") == "https://h/p?");
}
