// A streaming tar header reader; see tar.hpp for the formats it reads.
#include "core/layers/tar.hpp"

#include <algorithm>
#include <vector>

namespace stackctl::tar {

namespace {

constexpr std::size_t kBlock = 512;
// A long name, long link or pax header larger than this is not a layer stackctl reads: real ones
// are a few hundred bytes.
constexpr std::uint64_t kMaxMeta = 1 << 20;

std::uint64_t padded(std::uint64_t size) {
  return (size + kBlock - 1) / kBlock * kBlock;
}

// A NUL-terminated (or full-width) field.
std::string field(std::string_view block, std::size_t at, std::size_t width) {
  const std::string_view f = block.substr(at, width);
  return std::string(f.substr(0, f.find('\0')));
}

// An octal number field (spaces and NULs around it allowed), or GNU's base-256 (high bit set).
std::expected<std::uint64_t, std::string> number(std::string_view block, std::size_t at,
                                                 std::size_t width) {
  const std::string_view f = block.substr(at, width);
  const auto first = static_cast<unsigned char>(f[0]);
  if ((first & 0x80) != 0) {
    if ((first & 0x40) != 0) return std::unexpected("a negative base-256 number");
    std::uint64_t v = first & 0x3f;
    for (std::size_t i = 1; i < f.size(); ++i) {
      if (v > (UINT64_MAX >> 8)) return std::unexpected("a base-256 number too large");
      v = (v << 8) | static_cast<unsigned char>(f[i]);
    }
    return v;
  }
  std::uint64_t v = 0;
  std::size_t i = 0;
  while (i < f.size() && (f[i] == ' ' || f[i] == '\0')) ++i;
  bool digits = false;
  for (; i < f.size() && f[i] >= '0' && f[i] <= '7'; ++i) {
    if (v > (UINT64_MAX >> 3)) return std::unexpected("an octal number too large");
    v = v * 8 + static_cast<std::uint64_t>(f[i] - '0');
    digits = true;
  }
  for (; i < f.size(); ++i)
    if (f[i] != ' ' && f[i] != '\0') return std::unexpected("a number field that is not octal");
  if (!digits) return 0;
  return v;
}

bool checksum_ok(std::string_view block, std::uint64_t stored) {
  std::uint64_t unsigned_sum = 0;
  std::int64_t signed_sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    const bool in_field = i >= 148 && i < 156;
    const char c = in_field ? ' ' : block[i];
    unsigned_sum += static_cast<unsigned char>(c);
    signed_sum += static_cast<signed char>(c);
  }
  return stored == unsigned_sum || static_cast<std::int64_t>(stored) == signed_sum;
}

Type type_of(char flag) {
  switch (flag) {
    case '0':
    case '\0':
    case '7':  // contiguous file
    case 'S':  // GNU sparse file: a regular file with holes
      return Type::file;
    case '1':
      return Type::hardlink;
    case '2':
      return Type::symlink;
    case '5':
      return Type::directory;
    default:
      return Type::other;
  }
}

// pax records: "LEN key=value\n", LEN counting the whole record.
std::expected<std::vector<std::pair<std::string, std::string>>, std::string> pax_records(
    std::string_view data) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!data.empty()) {
    const auto space = data.find(' ');
    if (space == std::string_view::npos || space == 0) break;
    std::uint64_t len = 0;
    for (const char c : data.substr(0, space)) {
      if (c < '0' || c > '9') return std::unexpected("a pax record length that is not a number");
      len = len * 10 + static_cast<std::uint64_t>(c - '0');
      if (len > data.size()) return std::unexpected("a pax record longer than its header");
    }
    if (len <= space + 1 || data[len - 1] != '\n')
      return std::unexpected("a pax record that does not end in a newline");
    const std::string_view rec = data.substr(space + 1, len - space - 2);
    const auto eq = rec.find('=');
    if (eq == std::string_view::npos) return std::unexpected("a pax record without '='");
    out.emplace_back(std::string(rec.substr(0, eq)), std::string(rec.substr(eq + 1)));
    data.remove_prefix(len);
  }
  return out;
}

}  // namespace

std::string normalise(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i <= path.size()) {
    const auto slash = std::min(path.find('/', i), path.size());
    const std::string_view part = path.substr(i, slash - i);
    if (!part.empty() && part != ".") out += "/" + std::string(part);
    i = slash + 1;
  }
  return out.empty() ? "/" : out;
}

std::expected<Reader::State, std::string> Reader::feed(std::string_view bytes,
                                                       const EntrySink& sink) {
  while (!bytes.empty()) {
    if (phase_ == Phase::end) return State::end;
    if (phase_ == Phase::skip || phase_ == Phase::meta) {
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(bytes.size())));
      if (phase_ == Phase::meta && meta_.size() < meta_size_)
        meta_.append(bytes.substr(
            0, std::min<std::size_t>(n, static_cast<std::size_t>(meta_size_ - meta_.size()))));
      bytes.remove_prefix(n);
      offset_ += n;
      remaining_ -= n;
      if (remaining_ == 0) {
        if (phase_ == Phase::meta) {
          if (meta_type_ == 'x') {
            auto recs = pax_records(meta_);
            if (!recs)
              return std::unexpected("pax header at byte " + std::to_string(offset_) + ": " +
                                     recs.error());
            for (const auto& [k, v] : *recs) {
              if (k == "path") pax_path_ = v;
              if (k == "linkpath") pax_link_ = v;
              if (k == "size") {
                std::uint64_t size = 0;
                for (const char c : v) {
                  if (c < '0' || c > '9' || size > UINT64_MAX / 10)
                    return std::unexpected("pax size \"" + v + "\" is not a number");
                  size = size * 10 + static_cast<std::uint64_t>(c - '0');
                }
                pax_size_ = size;
                pax_size_set_ = true;
              }
            }
          } else if (meta_type_ == 'L') {
            long_name_ = meta_.substr(0, meta_.find('\0'));
          } else if (meta_type_ == 'K') {
            long_link_ = meta_.substr(0, meta_.find('\0'));
          }
          meta_.clear();
        }
        phase_ = Phase::header;
      }
      continue;
    }
    // Phase::header
    const std::size_t want = kBlock - block_.size();
    const std::size_t n = std::min(want, bytes.size());
    block_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    offset_ += n;
    if (block_.size() < kBlock) break;
    auto h = header(sink);
    block_.clear();
    if (!h) return std::unexpected(h.error());
    if (!*h) return State::stopped;
  }
  return phase_ == Phase::end ? State::end : State::more;
}

std::expected<bool, std::string> Reader::header(const EntrySink& sink) {
  const std::string_view b = block_;
  const std::uint64_t at = offset_ - kBlock;
  if (std::all_of(b.begin(), b.end(), [](char c) { return c == '\0'; })) {
    phase_ = Phase::end;
    return true;
  }
  const auto where = [&](const std::string& what) {
    return "tar header at byte " + std::to_string(at) + ": " + what;
  };
  auto stored = number(b, 148, 8);
  if (!stored) return std::unexpected(where("checksum is " + stored.error()));
  if (!checksum_ok(b, *stored)) return std::unexpected(where("checksum does not match"));
  auto size = number(b, 124, 12);
  if (!size) return std::unexpected(where("size is " + size.error()));
  const char flag = b[156];
  if (flag == 'L' || flag == 'K' || flag == 'x' || flag == 'g') {
    if (*size > kMaxMeta)
      return std::unexpected(where(std::string("a '") + flag + "' entry of " +
                                   std::to_string(*size) + " bytes (more than 1 MiB)"));
    meta_type_ = flag;
    meta_size_ = *size;
    remaining_ = padded(*size);
    phase_ = remaining_ == 0 ? Phase::header : Phase::meta;
    if (remaining_ == 0) meta_done();
    return true;
  }
  Entry e;
  const std::string magic(b.substr(257, 6));
  std::string name = field(b, 0, 100);
  if (magic == std::string("ustar\0", 6)) {
    const std::string prefix = field(b, 345, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
  }
  if (!long_name_.empty()) name = long_name_;
  if (!pax_path_.empty()) name = pax_path_;
  e.type = type_of(flag);
  e.link = field(b, 157, 100);
  if (!long_link_.empty()) e.link = long_link_;
  if (!pax_link_.empty()) e.link = pax_link_;
  e.size = pax_size_set_ ? pax_size_ : *size;
  if (name.ends_with('/') && e.type == Type::file) e.type = Type::directory;  // old tars
  e.path = normalise(name);
  long_name_.clear();
  long_link_.clear();
  pax_path_.clear();
  pax_link_.clear();
  pax_size_set_ = false;
  // Hard links, symlinks and directories have no data whatever the size field says (pax and
  // GNU agree); every other type has `size` bytes.
  const bool has_data = e.type == Type::file || e.type == Type::other;
  remaining_ = has_data ? padded(e.size) : 0;
  phase_ = remaining_ == 0 ? Phase::header : Phase::skip;
  return sink(e);
}

void Reader::meta_done() {
  if (meta_type_ == 'L') long_name_.clear();
  if (meta_type_ == 'K') long_link_.clear();
}

std::expected<void, std::string> Reader::finish() const {
  if (phase_ == Phase::end) return {};
  if (phase_ == Phase::header && block_.empty() && long_name_.empty() && pax_path_.empty())
    return {};  // no end-of-archive blocks, but nothing cut short either
  return std::unexpected("the archive is truncated at byte " + std::to_string(offset_) +
                         " (inside " + (phase_ == Phase::header ? "a header" : "an entry") + ")");
}

}  // namespace stackctl::tar
