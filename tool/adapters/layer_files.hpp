// Which of some paths exist in an image, read from its layers through the registry API (no daemon,
// nothing written to disk): each layer blob is streamed top-most first, hashed, decompressed and
// its tar headers read as the bytes arrive (core/layers/tar.hpp), and the layers are merged the
// way the OCI image-spec applies them (core/layers/image_files.hpp: whiteouts, opaque
// directories, symlinks). Layers below the one where the last wanted path was decided are not
// fetched. A layer is read to its end once started, because only the whole blob can be checked
// against its digest; nothing it told counts before that check passed.
//
// Layer media types read (image-spec media-types.md; Docker's image manifest v2.2):
//   application/vnd.oci.image.layer.v1.tar, application/vnd.oci.image.layer.v1.tar+gzip,
//   application/vnd.docker.image.rootfs.diff.tar.gzip
// Any other (zstd, encrypted, non-distributable, foreign layers) stops the search at that layer:
// the paths it could still decide are "not checked", never "missing".
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <vector>

#include "adapters/registry.hpp"
#include "core/layers/image_files.hpp"

namespace stackctl::layer_files {

struct Limits {
  // The largest compressed layer fetched; a bigger one stops the search (not checked).
  std::uint64_t max_layer_bytes = 8ull << 30;
  // The most bytes one layer may unpack to (a decompression bomb is refused).
  std::uint64_t max_unpacked_bytes = 64ull << 30;
  std::size_t max_entries = 4'000'000;  // entries remembered over all layers read
};

struct Result {
  std::map<std::string, image_files::Outcome> outcomes;  // per wanted path
  // Why the search stopped with paths still pending ("" when every path was decided).
  std::string not_checked;
  int layers_read = 0;           // from the top
  std::uint64_t bytes_read = 0;  // compressed bytes fetched
};

// `info` is what registry::Client::inspect returned for `ref` (its layers). A Failure is the
// registry's (unreachable, denied, digest mismatch) or a layer that is not a tar (protocol).
std::expected<Result, registry::Failure> find_files(registry::Client& client, const ImageRef& ref,
                                                    const registry::ImageInfo& info,
                                                    const std::vector<std::string>& paths,
                                                    const Limits& limits = {});

// True for the layer media types listed above; `gzip` tells whether the blob is compressed.
bool readable_layer(const std::string& media_type, bool& gzip);

}  // namespace stackctl::layer_files
