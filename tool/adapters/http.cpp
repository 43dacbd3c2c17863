// The libcurl implementation of http.hpp. Each attempt takes an easy handle from the client's pool
// of idle ones (or a new one) and puts it back afterwards: curl keeps a handle's connections and
// TLS sessions across curl_easy_reset, so the next request to the same server reuses the
// connection (a deploy of 200 objects makes one TLS handshake, not 200). Concurrent requests
// each hold a handle of their own.
#include "adapters/http.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "adapters/process.hpp"
#include "core/url_secret.hpp"

namespace stackctl::http {

namespace {

// " (after N attempts)" for a request sent more than once, else "": the one wording of both a
// failure and a status the client gave up retrying on (attempts_note).
std::string after_attempts(int attempts) {
  return attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : "";
}

// Bodies of error responses to `download` are kept in memory for diagnostics, up to this size.
constexpr std::size_t kErrorBodyLimit = 64 * 1024;
// A Retry-After of more digits than this is "very long": the cap (Options::max_backoff) applies.
constexpr std::size_t kRetryAfterDigits = 5;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// 429, 502, 503 and 504 always; any other 5xx when the server says when to come back
// (Retry-After), as client-go's checkWait (k8s.io/client-go/rest/request.go: "any 500 error code
// and 429 can trigger a wait" when Retry-After parses). A 500 without it is an answer.
bool is_transient_status(long status, bool has_retry_after) {
  if (status == 429 || status == 502 || status == 503 || status == 504) return true;
  return status >= 500 && status <= 599 && has_retry_after;
}

// What happened, in words, before curl's own text: the failure names the host (in the URL), this
// and the cause.
std::string what_happened(CURLcode code, bool handshake_cut) {
  if (handshake_cut) return "connection dropped during the TLS handshake";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    case CURLE_GOT_NOTHING:
      return "connection dropped without an answer";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return "connection dropped";
    case CURLE_PARTIAL_FILE:
      return "body truncated (the connection closed before the whole body came)";
    case CURLE_COULDNT_CONNECT:
      return "cannot connect";
    default:
      return "";
  }
}

bool is_transient_code(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:  // connection refused, unreachable
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:    // connection reset while sending
    case CURLE_RECV_ERROR:    // connection reset while receiving
    case CURLE_GOT_NOTHING:   // server closed without a response
    case CURLE_PARTIAL_FILE:  // body shorter than Content-Length
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// curl's texts (OpenSSL backend) for a TLS handshake the peer cut short: "OpenSSL SSL_connect:
// SSL_ERROR_SYSCALL in connection to ...", "Recv failure: Connection reset by peer" (seen here
// with libcurl 7.88 / OpenSSL 3.0 against a server that closes at accept), and OpenSSL 3's
// "unexpected eof while reading".
bool is_connection_cut(const std::string& cause) {
  return cause.find("SSL_ERROR_SYSCALL") != std::string::npos ||
         cause.find("Connection reset by peer") != std::string::npos ||
         cause.find("unexpected eof") != std::string::npos;
}

Failure::Kind kind_of(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Failure::Kind::timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return Failure::Kind::tls;
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
      return Failure::Kind::io;
    case CURLE_ABORTED_BY_CALLBACK:
      return Failure::Kind::cancelled;
    default:
      return Failure::Kind::network;
  }
}

// Removes every occurrence of the URL's userinfo from a message that curl wrote, in case a
// library error ever quotes the raw URL.
std::string scrub(std::string message, const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return message;
  const auto authority_end = url.find_first_of("/?#", scheme + 3);
  const std::string authority = url.substr(scheme + 3, authority_end - (scheme + 3));
  const auto at = authority.rfind('@');
  if (at == std::string::npos || at == 0) return message;
  const std::string userinfo = authority.substr(0, at);
  for (auto pos = message.find(userinfo); pos != std::string::npos; pos = message.find(userinfo))
    message.replace(pos, userinfo.size(), "REDACTED");
  return message;
}

// State of one transfer attempt, shared with curl's callbacks.
struct Transfer {
  CURL* handle = nullptr;
  std::FILE* file = nullptr;  // download target, else the body goes to memory
  const Request* request = nullptr;
  Response response;
  const Progress* progress = nullptr;
  bool write_failed = false;
  bool sink_stopped = false;  // the request's on_data asked to end the transfer
  bool delivered = false;     // on_data has seen data: the attempt cannot be repeated
};

bool cancelled(const Request& request) {
  return proc::interrupted() != 0 || (request.cancel != nullptr && request.cancel->load());
}

// Safe to send twice (RFC 9110 section 9.2.2), or marked so by the caller.
bool is_repeatable(const Request& request) {
  if (request.idempotent == Idempotent::yes) return true;
  const std::string& m = request.method;
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

// The URL split for tls-server-name: scheme "https", host as written ("[::1]" keeps brackets),
// port (explicit or the scheme's default) and the rest from the first '/', '?' or '#'.
struct UrlParts {
  std::string scheme, host, port, rest;
  bool ok = false;
};

UrlParts split_url(const std::string& url) {
  UrlParts p;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return p;
  p.scheme = lower(url.substr(0, scheme_end));
  const auto start = scheme_end + 3;
  const auto end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  p.rest = end == std::string::npos ? "" : url.substr(end);
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    p.host = authority.substr(0, colon);
    p.port = authority.substr(colon + 1);
  } else {
    p.host = authority;
    p.port = p.scheme == "https" ? "443" : "80";
  }
  p.ok = !p.host.empty();
  return p;
}

bool is_success_status(long status) {
  return status >= 200 && status < 300;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t.handle, CURLINFO_RESPONSE_CODE, &status);
  if (t.request->on_data && is_success_status(status)) {
    t.delivered = true;
    if (t.request->on_data(std::string_view(data, n))) return n;
    t.sink_stopped = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR, reported as a normal end
  }
  // A download writes only a successful body to its file: an error page is not the artifact.
  if (t.file != nullptr && is_success_status(status)) {
    if (std::fwrite(data, 1, n, t.file) != n) {
      t.write_failed = true;
      return 0;
    }
    return n;
  }
  const std::size_t room =
      t.file == nullptr ? n : kErrorBodyLimit - std::min(kErrorBodyLimit, t.response.body.size());
  t.response.body.append(data, std::min(n, room));
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t.response.headers.clear();  // a new response (after a redirect or a 100 Continue)
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const std::string name = lower(trim(line.substr(0, colon)));
  const std::string value = trim(line.substr(colon + 1));
  auto [it, inserted] = t.response.headers.try_emplace(name, value);
  if (!inserted && name != "www-authenticate") it->second += ", " + value;
  return n;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  // curl calls this at least once a second even when no data flows, so a Ctrl-C or a cancel flag
  // ends even a quiet watch promptly (non-zero aborts with CURLE_ABORTED_BY_CALLBACK).
  if (cancelled(*t.request)) return 1;
  if (t.progress != nullptr && *t.progress)
    (*t.progress)(static_cast<std::uint64_t>(dlnow), static_cast<std::uint64_t>(dltotal));
  return 0;
}

struct HandleDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Retry-After in seconds (the HTTP-date form is ignored: the doubling backoff applies then);
// nullopt when absent or not delta-seconds.
std::optional<std::chrono::milliseconds> retry_after(const Response& r,
                                                     std::chrono::milliseconds cap) {
  const auto it = r.headers.find("retry-after");
  if (it == r.headers.end() || it->second.empty()) return std::nullopt;
  if (!std::ranges::all_of(it->second, [](unsigned char c) { return std::isdigit(c) != 0; }))
    return std::nullopt;
  if (it->second.size() > kRetryAfterDigits) return cap;
  return std::chrono::seconds(std::stol(it->second));
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(Options options) : options_(std::move(options)) { global_init_once(); }

  std::expected<Response, Failure> send(const Request& request) override {
    return with_retries(request, nullptr, nullptr);
  }

  std::expected<Response, Failure> download(const Request& request,
                                            const std::filesystem::path& path,
                                            const Progress& progress) override {
    auto result = with_retries(request, &path, &progress);
    std::error_code ec;
    if (!result || !is_success_status(result->status)) std::filesystem::remove(path, ec);
    return result;
  }

 private:
  struct Attempt {
    std::expected<Response, Failure> result;
    bool transient = false;
    bool nothing_sent = false;  // the connection was refused: any method may be tried again
    bool delivered = false;     // a streamed body reached the caller
    // No connection was made: refused, no route to the host (CURLE_COULDNT_CONNECT). Retried as
    // Options::connect_retries says.
    bool no_connection = false;
  };

  std::expected<Response, Failure> with_retries(const Request& request,
                                                const std::filesystem::path* path,
                                                const Progress* progress) {
    const std::string shown = redact_url(request.url);
    std::chrono::milliseconds backoff = options_.initial_backoff;
    // Connections that could not be made have their own, smaller budget when the options give
    // one (a server that refuses connections is down or absent: waiting minutes only delays the
    // error); never more than `retries`.
    const bool own_connect_policy = options_.connect_retries >= 0;
    const int connect_limit = own_connect_policy
                                  ? std::min(options_.connect_retries, options_.retries)
                                  : options_.retries;
    int connect_failures = 0;
    for (int attempt = 0;; ++attempt) {
      Attempt a = perform(request, path, progress);
      if (a.no_connection) ++connect_failures;
      const bool may_repeat = (is_repeatable(request) || a.nothing_sent) && !a.delivered;
      const bool spent =
          attempt >= options_.retries || (a.no_connection && connect_failures > connect_limit);
      if (!a.transient || !may_repeat || spent) {
        if (a.result)
          a.result->attempts = attempt + 1;
        else
          a.result.error().message += after_attempts(attempt + 1);
        return std::move(a.result);
      }
      std::chrono::milliseconds wait = backoff;
      if (a.result)
        wait = std::max(wait, retry_after(*a.result, options_.max_backoff).value_or(wait));
      wait = std::min(wait, options_.max_backoff);
      if (a.no_connection && own_connect_policy)
        wait = std::min(wait, options_.connect_max_backoff);
      spdlog::warn("{}; retrying in {} ms ({}/{})",
                   a.result
                       ? request.method + " " + shown + ": HTTP " + std::to_string(a.result->status)
                       : a.result.error().message,
                   wait.count(), a.no_connection ? connect_failures : attempt + 1,
                   a.no_connection ? connect_limit : options_.retries);
      if (!sleep_unless_cancelled(request, wait))
        return std::unexpected(
            Failure{Failure::Kind::cancelled,
                    request.method + " " + shown + ": cancelled while waiting to retry"});
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }

  // Sleeps in slices of 100 ms so that an interrupt ends the wait; false when it did.
  static bool sleep_unless_cancelled(const Request& request, std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      if (cancelled(request)) return false;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), until - std::chrono::steady_clock::now()));
    }
    return !cancelled(request);
  }

  Attempt perform(const Request& request, const std::filesystem::path* path,
                  const Progress* progress) {
    const std::string shown = redact_url(request.url);
    const std::string what = request.method + " " + shown;
    Lease handle(*this);
    if (!handle)
      return {std::unexpected(Failure{Failure::Kind::network, what + ": curl_easy_init failed"}),
              false};

    if (cancelled(request))
      return {std::unexpected(Failure{Failure::Kind::cancelled, what + ": cancelled"}), false};
    Transfer t;
    t.handle = handle.get();
    t.request = &request;
    t.progress = progress;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
    if (path != nullptr) {
      file.reset(std::fopen(path->c_str(), "wb"));
      if (!file)
        return {
            std::unexpected(Failure{Failure::Kind::io, what + ": cannot write " + path->string()}),
            false};
      t.file = file.get();
    }

    std::unique_ptr<curl_slist, ListDeleter> headers;
    for (const auto& h : request.headers)
      headers.reset(curl_slist_append(headers.release(), (h.name + ": " + h.value).c_str()));
    const Rerouted route = reroute(request.url);
    if (!route.host_header.empty())
      headers.reset(curl_slist_append(headers.release(), route.host_header.c_str()));
    std::unique_ptr<curl_slist, ListDeleter> connect_to;
    if (!route.connect_to.empty())
      connect_to.reset(curl_slist_append(nullptr, route.connect_to.c_str()));
    // No "Expect: 100-continue" round trip before uploads (registries answer at once).
    headers.reset(curl_slist_append(headers.release(), "Expect:"));

    std::array<char, CURL_ERROR_SIZE> error{};
    configure(handle.get(), request, t, headers.get(), error.data());
    curl_easy_setopt(handle.get(), CURLOPT_URL, route.url.c_str());
    if (connect_to) curl_easy_setopt(handle.get(), CURLOPT_CONNECT_TO, connect_to.get());
    const CURLcode code = curl_easy_perform(handle.get());

    if (file && std::fflush(file.get()) != 0) t.write_failed = true;
    if (code == CURLE_ABORTED_BY_CALLBACK)
      return {std::unexpected(Failure{
                  Failure::Kind::cancelled,
                  what + ": cancelled" + (proc::interrupted() != 0 ? " (interrupted)" : "")}),
              false};
    if ((code != CURLE_OK && !(code == CURLE_WRITE_ERROR && t.sink_stopped)) || t.write_failed) {
      std::string cause =
          t.write_failed
              ? "cannot write " + (path ? path->string() : std::string("body"))
              : (error[0] != '\0' ? std::string(error.data()) : curl_easy_strerror(code));
      const Failure::Kind kind = t.write_failed ? Failure::Kind::io : kind_of(code);
      // The peer closed the connection during the TLS handshake: the request was never sent,
      // so any method may be tried again. Other handshake failures (a wrong protocol, a
      // certificate) are not transient.
      const bool handshake_cut = code == CURLE_SSL_CONNECT_ERROR && is_connection_cut(cause);
      // A cut handshake is the network's doing, not a certificate's: callers that refuse to
      // retry TLS failures (Vault's client) must see it as a network failure.
      const Failure::Kind shown_kind = handshake_cut ? Failure::Kind::network : kind;
      const bool unsent = code == CURLE_COULDNT_CONNECT || handshake_cut;
      const std::string happened = t.write_failed ? "" : what_happened(code, handshake_cut);
      return {std::unexpected(Failure{shown_kind,
                                      what + ": " + (happened.empty() ? "" : happened + ": ") +
                                          scrub(cause, request.url),
                                      unsent}),
              !t.write_failed && (is_transient_code(code) || handshake_cut), unsent, t.delivered,
              code == CURLE_COULDNT_CONNECT};
    }
    curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &t.response.status);
    log_timings(handle.get(), what, t.response.status);
    char* effective = nullptr;
    curl_easy_getinfo(handle.get(), CURLINFO_EFFECTIVE_URL, &effective);
    if (effective != nullptr) t.response.effective_url = effective;
    if (!route.connect_to.empty() && t.response.effective_url.starts_with(route.url_prefix))
      t.response.effective_url.replace(0, route.url_prefix.size(), route.original_prefix);
    const bool transient = is_transient_status(
        t.response.status, retry_after(t.response, options_.max_backoff).has_value());
    return {std::move(t.response), transient, false, t.delivered};
  }

  // One debug line per transfer: where its time went, as curl measured it (CURLINFO_*_TIME_T,
  // microseconds from the start of the transfer), the HTTP version and whether the transfer made
  // a new connection. Compare with `curl -w '%{time_starttransfer}'` against the same endpoint.
  static void log_timings(CURL* h, const std::string& what, long status) {
    if (!spdlog::should_log(spdlog::level::debug)) return;
    const auto ms = [h](CURLINFO info) {
      curl_off_t us = 0;
      curl_easy_getinfo(h, info, &us);
      return static_cast<double>(us) / 1000.0;
    };
    long version = 0, connects = 0;
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    const char* shown = version == CURL_HTTP_VERSION_2_0   ? "HTTP/2"
                        : version == CURL_HTTP_VERSION_1_1 ? "HTTP/1.1"
                        : version == CURL_HTTP_VERSION_1_0 ? "HTTP/1.0"
                                                           : "HTTP/?";
    spdlog::debug(
        "http: {} -> {} {}, {} connection; ms: dns {:.1f} connect {:.1f} tls {:.1f} sent {:.1f} "
        "first byte {:.1f} total {:.1f}",
        what, status, shown, connects > 0 ? "new" : "reused", ms(CURLINFO_NAMELOOKUP_TIME_T),
        ms(CURLINFO_CONNECT_TIME_T), ms(CURLINFO_APPCONNECT_TIME_T),
        ms(CURLINFO_PRETRANSFER_TIME_T), ms(CURLINFO_STARTTRANSFER_TIME_T),
        ms(CURLINFO_TOTAL_TIME_T));
  }

  // tls-server-name: curl verifies the certificate against (and sends SNI for) the URL's host, so
  // the URL names tls_server_name and CURLOPT_CONNECT_TO sends the connection to the real host;
  // the Host header keeps the original authority, as client-go does (ServerName apart from Host).
  struct Rerouted {
    std::string url;
    std::string connect_to;   // "name:port:host:port", or "" when not rerouted
    std::string host_header;  // "Host: host:port"
    std::string url_prefix, original_prefix;
  };

  Rerouted reroute(const std::string& url) const {
    Rerouted r{url, {}, {}, {}, {}};
    if (options_.tls_server_name.empty()) return r;
    const UrlParts p = split_url(url);
    if (!p.ok || p.scheme != "https" || lower(p.host) == lower(options_.tls_server_name)) return r;
    const std::string name = options_.tls_server_name;
    r.url_prefix = p.scheme + "://" + name + ":" + p.port;
    r.original_prefix = p.scheme + "://" + p.host + ":" + p.port;
    r.url = r.url_prefix + p.rest;
    r.connect_to = name + ":" + p.port + ":" + p.host + ":" + p.port;
    r.host_header = "Host: " + p.host + ":" + p.port;
    return r;
  }

  void configure(CURL* h, const Request& request, Transfer& t, curl_slist* headers,
                 char* error) const {
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "stackctl/" STACKCTL_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(
        h, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::chrono::milliseconds(options_.connect_timeout).count()));
    const auto timeout =
        request.timeout.count() > 0 ? request.timeout : std::chrono::milliseconds(options_.timeout);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    // A transfer that stalls (under 1 byte/s for Options::stall_timeout) is a timeout even
    // without a deadline; not a stream, which may rightly be quiet for longer.
    if (!request.on_data && options_.stall_timeout.count() > 0) {
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(options_.stall_timeout.count()));
    }
    // libcurl silently sends a request again, on a fresh connection, when a reused connection
    // closes before any byte of the answer (lib/transfer.c, Curl_retry_request: "Retry the same
    // request on a fresh connect!"), whatever the method. The server may have acted on the first
    // one, so a request that is not safe to repeat never goes on a reused connection.
    if (!is_repeatable(request)) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, options_.follow_redirects ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    // Credentials go only to the host they were given for, never across a redirect.
    curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
    configure_tls(h);
    if (!options_.proxy_url.empty()) curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy_url.c_str());
    if (options_.insecure_skip_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    set_method(h, request);
  }

  // curl copies a blob (CURL_BLOB_COPY), so the Options strings need not outlive the handle.
  static void set_blob(CURL* h, CURLoption option, const std::string& pem) {
    curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(h, option, &blob);
  }

  void configure_tls(CURL* h) const {
    if (!options_.ca_data.empty())
      set_blob(h, CURLOPT_CAINFO_BLOB, options_.ca_data);
    else if (!options_.ca_file.empty())
      curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.client_cert_data.empty()) {
      set_blob(h, CURLOPT_SSLCERT_BLOB, options_.client_cert_data);
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    } else if (!options_.client_cert_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLCERT, options_.client_cert_file.c_str());
    }
    if (!options_.client_key_data.empty()) {
      set_blob(h, CURLOPT_SSLKEY_BLOB, options_.client_key_data.reveal());
      curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (!options_.client_key_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLKEY, options_.client_key_file.c_str());
    }
  }

  static void set_method(CURL* h, const Request& request) {
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.body.empty() && request.method != "POST" && request.method != "PUT" &&
               request.method != "PATCH") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());  // DELETE, OPTIONS
    } else {
      // POSTFIELDS makes curl send the body (also an empty one) with its Content-Length;
      // CUSTOMREQUEST then names the real method (PUT, PATCH, DELETE, ...).
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      if (request.method != "POST")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }

  // An easy handle for one attempt, back to the pool when the attempt ends.
  class Lease {
   public:
    explicit Lease(CurlClient& owner) : owner_(owner), handle_(owner.take()) {}
    ~Lease() { owner_.give_back(std::move(handle_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    CURL* get() const { return handle_.get(); }
    explicit operator bool() const { return handle_ != nullptr; }

   private:
    CurlClient& owner_;
    std::unique_ptr<CURL, HandleDeleter> handle_;
  };

  std::unique_ptr<CURL, HandleDeleter> take() {
    {
      const std::lock_guard lock(pool_mutex_);
      if (!idle_.empty()) {
        auto h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    return std::unique_ptr<CURL, HandleDeleter>(curl_easy_init());
  }

  // curl_easy_reset drops the options (they point at this attempt's headers and buffers) and
  // keeps "live connections, the Session ID cache, the DNS cache" (curl_easy_reset(3)).
  void give_back(std::unique_ptr<CURL, HandleDeleter> h) {
    if (!h) return;
    curl_easy_reset(h.get());
    const std::lock_guard lock(pool_mutex_);
    if (idle_.size() < kIdleHandles) idle_.push_back(std::move(h));
  }

  static constexpr std::size_t kIdleHandles = 8;
  Options options_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<CURL, HandleDeleter>> idle_;
};

}  // namespace

std::unique_ptr<Client> make_curl_client(Options options) {
  return std::make_unique<CurlClient>(with_environment(
      std::move(options), [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      }));
}

Options with_environment(Options options, const EnvLookup& lookup) {
  // The variable's whole number in [low, high], else nullopt (with a warning when it was set).
  const auto number = [&](const char* name, long low, long high) -> std::optional<long> {
    const auto text = lookup(name);
    if (!text) return std::nullopt;
    long value = 0;
    const bool digits = !text->empty() && text->size() <= 9 &&
                        std::ranges::all_of(*text, [](unsigned char c) { return std::isdigit(c); });
    if (digits) value = std::stol(*text);
    if (!digits || value < low || value > high) {
      spdlog::warn("{}={} is not a whole number from {} to {}: ignored", name, *text, low, high);
      return std::nullopt;
    }
    return value;
  };
  if (auto v = number("STACKCTL_HTTP_RETRIES", 0, 100); v && options.retries > 0)
    options.retries = static_cast<int>(*v);
  if (auto v = number("STACKCTL_HTTP_BACKOFF_MS", 1, 600'000))
    options.initial_backoff = std::chrono::milliseconds(*v);
  if (auto v = number("STACKCTL_HTTP_MAX_WAIT", 0, 3600))
    options.max_backoff = std::chrono::seconds(*v);
  if (auto v = number("STACKCTL_HTTP_CONNECT_TIMEOUT", 1, 3600))
    options.connect_timeout = std::chrono::seconds(*v);
  if (auto v = number("STACKCTL_HTTP_STALL_TIMEOUT", 0, 3600))
    options.stall_timeout = std::chrono::seconds(*v);
  return options;
}

std::string url_escape(std::string_view s) {
  if (s.empty()) return {};
  char* escaped = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  if (escaped == nullptr) throw std::bad_alloc();  // libcurl's only failure: out of memory
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

std::string attempts_note(const Response& response) {
  return after_attempts(response.attempts);
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  // Userinfo: everything between "://" and the last '@' of the authority.
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto end = out.find_first_of("/?#", start);
    const auto at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) out.erase(start, at + 1 - start);
  }
  const auto query = out.find('?');
  if (query == std::string::npos) return out;
  const auto fragment = out.find('#', query);
  const std::string tail = fragment == std::string::npos ? "" : out.substr(fragment);
  const std::string q = out.substr(
      query + 1, fragment == std::string::npos ? std::string::npos : fragment - query - 1);
  // Parameters end at '&' or ';' (both separators, as url::secret_query_parameter reads them);
  // each separator is kept as it was.
  std::string redacted;
  std::size_t pos = 0;
  while (pos <= q.size()) {
    auto sep = q.find_first_of("&;", pos);
    if (sep == std::string::npos) sep = q.size();
    const std::string param = q.substr(pos, sep - pos);
    const auto eq = param.find('=');
    if (eq != std::string::npos && url::is_secret_query_name(param.substr(0, eq)))
      redacted += param.substr(0, eq + 1) + "REDACTED";
    else
      redacted += param;
    if (sep < q.size()) redacted += q[sep];
    pos = sep + 1;
  }
  return out.substr(0, query + 1) + redacted + tail;
}

}  // namespace stackctl::http
