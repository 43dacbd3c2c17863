// Streaming a layer: registry blob -> sha256 -> zlib inflate -> tar headers -> the layer merge.
#include "adapters/layer_files.hpp"

#include <zlib.h>

#include <array>

namespace stackctl::layer_files {

namespace {

using registry::Failure;

std::unexpected<Failure> fail(Failure::Kind kind, std::string message, std::string hint = {}) {
  return std::unexpected(Failure{kind, std::move(message), std::move(hint)});
}

// gzip (RFC 1952, several members allowed as `gzip -c a b` writes them) or plain bytes, into the
// tar reader, counting what is unpacked.
class Unpacker {
 public:
  Unpacker(bool gzip, image_files::Merge& merge, std::uint64_t max_unpacked)
      : gzip_(gzip), merge_(merge), max_unpacked_(max_unpacked) {
    if (gzip_ && inflateInit2(&z_, 15 + 16) != Z_OK) error_ = "zlib: inflateInit2 failed";
  }
  ~Unpacker() {
    if (gzip_) inflateEnd(&z_);
  }
  Unpacker(const Unpacker&) = delete;
  Unpacker& operator=(const Unpacker&) = delete;

  // False when the layer cannot be read on (the error says why) or holds too many entries.
  bool feed(std::string_view chunk) {
    if (!error_.empty()) return false;
    if (done_) return true;  // past the tar's end: the rest is only hashed
    if (!gzip_) return tar(chunk);
    if (ended_member_ && !chunk.empty()) {  // another gzip member follows the one that ended
      if (inflateReset(&z_) != Z_OK) {
        error_ = "zlib: inflateReset failed";
        return false;
      }
      ended_member_ = false;
    }
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z_.avail_in = static_cast<uInt>(chunk.size());
    while (z_.avail_in > 0 && !done_) {
      std::array<char, 64 * 1024> out{};
      z_.next_out = reinterpret_cast<Bytef*>(out.data());
      z_.avail_out = static_cast<uInt>(out.size());
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        error_ = std::string("the layer is not valid gzip (zlib: ") +
                 (z_.msg != nullptr ? z_.msg : "error " + std::to_string(rc)) + ")";
        return false;
      }
      const std::size_t n = out.size() - z_.avail_out;
      if (n > 0 && !tar({out.data(), n})) return false;
      if (rc == Z_STREAM_END) {
        ended_member_ = true;
        if (z_.avail_in > 0 && inflateReset(&z_) != Z_OK) {
          error_ = "zlib: inflateReset failed";
          return false;
        }
      } else {
        ended_member_ = false;
      }
      if (rc == Z_BUF_ERROR && n == 0) break;
    }
    return error_.empty();
  }

  // After the last chunk: the error, or "" when the layer was a whole tar.
  std::string finish() {
    if (!error_.empty()) return error_;
    if (done_) return {};
    if (gzip_ && !ended_member_) return "the layer's gzip stream is truncated";
    auto f = reader_.finish();
    return f ? std::string() : f.error();
  }
  bool capped() const { return capped_; }
  const std::string& error() const { return error_; }

 private:
  bool tar(std::string_view bytes) {
    unpacked_ += bytes.size();
    if (unpacked_ > max_unpacked_) {
      error_ = "the layer unpacks to more than " + std::to_string(max_unpacked_) + " bytes";
      return false;
    }
    auto state = reader_.feed(bytes, [&](const tar::Entry& e) {
      if (merge_.add(e)) return true;
      capped_ = true;
      return false;
    });
    if (!state) {
      error_ = state.error();
      return false;
    }
    if (*state == tar::Reader::State::stopped) {
      error_ = "more tar entries than stackctl keeps in memory";
      return false;
    }
    if (*state == tar::Reader::State::end) done_ = true;
    return true;
  }

  bool gzip_;
  image_files::Merge& merge_;
  std::uint64_t max_unpacked_;
  std::uint64_t unpacked_ = 0;
  z_stream z_{};
  tar::Reader reader_;
  bool done_ = false;
  bool ended_member_ = false;
  bool capped_ = false;
  std::string error_;
};

std::string layer_text(const registry::ImageInfo& info, std::size_t i) {
  return "layer " + std::to_string(i + 1) + " of " + std::to_string(info.layers.size()) + " (" +
         info.layers[i].digest + ")";
}

}  // namespace

bool readable_layer(const std::string& media_type, bool& gzip) {
  gzip = media_type == "application/vnd.oci.image.layer.v1.tar+gzip" ||
         media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip";
  return gzip || media_type == "application/vnd.oci.image.layer.v1.tar";
}

std::expected<Result, Failure> find_files(registry::Client& client, const ImageRef& ref,
                                          const registry::ImageInfo& info,
                                          const std::vector<std::string>& paths,
                                          const Limits& limits) {
  const int count = static_cast<int>(info.layers.size());
  image_files::Merge merge(paths, count, limits.max_entries);
  Result result;
  for (int i = count - 1; i >= 0 && !merge.all_decided(); --i) {
    const auto& layer = info.layers[static_cast<std::size_t>(i)];
    const std::string what = layer_text(info, static_cast<std::size_t>(i));
    bool gzip = false;
    if (!readable_layer(layer.media_type, gzip)) {
      result.not_checked = what + " has media type " + layer.media_type +
                           ", which stackctl does not read (it reads tar and tar+gzip layers)";
      break;
    }
    if (layer.size > limits.max_layer_bytes) {
      result.not_checked = what + " is " + std::to_string(layer.size) + " bytes, more than the " +
                           std::to_string(limits.max_layer_bytes) + " stackctl fetches";
      break;
    }
    merge.begin_layer(i);
    Unpacker unpack(gzip, merge, limits.max_unpacked_bytes);
    // The manifest's size is the blob's: anything longer is refused while it arrives.
    const std::uint64_t cap = layer.size > 0 ? layer.size : limits.max_layer_bytes;
    auto streamed = client.stream_blob(ref, layer.digest, cap, [&](std::string_view chunk) {
      result.bytes_read += chunk.size();
      return unpack.feed(chunk);
    });
    if (unpack.capped()) {
      merge.abandon_layer();  // never verified against its digest: what it said does not count
      result.not_checked = what + ": more than " + std::to_string(limits.max_entries) +
                           " entries in the layers read, more than stackctl keeps in memory";
      break;
    }
    if (!unpack.error().empty())
      return fail(Failure::Kind::protocol, ref.str() + ": " + what + ": " + unpack.error());
    if (!streamed) return std::unexpected(streamed.error());
    if (const std::string bad = unpack.finish(); !bad.empty())
      return fail(Failure::Kind::protocol, ref.str() + ": " + what + ": " + bad);
    merge.end_layer();
    ++result.layers_read;
  }
  result.outcomes = merge.outcomes();
  return result;
}

}  // namespace stackctl::layer_files
