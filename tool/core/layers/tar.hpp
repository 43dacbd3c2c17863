// The entries of a tar archive, read as a stream of bytes: what an OCI/Docker image layer is once
// decompressed (image-spec layer.md, "Distributable Format"). Pure: the caller feeds the bytes it
// has (any chunk sizes) and gets each entry's header; file contents are skipped, never kept.
//
// Formats read (POSIX.1-2001 pax, ustar, and GNU tar's; the header layout is ustar's:
// name[100]@0, mode@100, uid@108, gid@116, size[12]@124, mtime@136, chksum[8]@148,
// typeflag@156, linkname[100]@157, magic[6]@257, prefix[155]@345):
// - ustar: the path is prefix + "/" + name when magic is "ustar\0" and prefix is not empty;
// - GNU: typeflag 'L' (long name) and 'K' (long link name) carry the next entry's path or link
//   target as their data; magic "ustar  \0" has no prefix field; sizes in base-256 (high bit of
//   the first byte set) as GNU writes sizes of 8 GiB and more;
// - pax: typeflag 'x' records ("LEN key=value\n") for the next entry; `path`, `linkpath` and
//   `size` are applied, other keys ignored; 'g' (global) records are read past and not applied.
// Every header's checksum is verified (unsigned sum, the field counted as spaces; the signed sum
// some old tars wrote is accepted too). The archive ends at its first zero block (two are
// written; one is enough to stop) or at the end of the bytes; bytes ending inside a header or a
// file's data are a truncated archive.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

namespace stackctl::tar {

enum class Type { file, hardlink, symlink, directory, other };

struct Entry {
  std::string path;  // normalised: "/" + components, no "." or empty ones, no trailing "/"
  Type type = Type::file;
  std::string link;        // symlink target as written (relative or absolute), or hardlink's path
  std::uint64_t size = 0;  // bytes of data that follow the header (skipped)
};

// "./opt//spark/" -> "/opt/spark"; "." and "" -> "/". ".." is kept as a component: resolving it
// needs the file system (a symlink's parent), which is the caller's job.
std::string normalise(std::string_view path);

// Receives each entry; returning false stops the reader (feed() then returns Stop).
using EntrySink = std::function<bool(const Entry& entry)>;

class Reader {
 public:
  enum class State { more, stopped, end };  // wants more bytes; the sink stopped; archive ended

  // Consumes `bytes`, calling `sink` for every complete entry header. An error names the entry
  // or the byte offset where the archive is not a tar.
  std::expected<State, std::string> feed(std::string_view bytes, const EntrySink& sink);
  // After the last bytes: an error when the archive stopped inside a header or an entry's data.
  std::expected<void, std::string> finish() const;
  std::uint64_t offset() const { return offset_; }

 private:
  std::expected<bool, std::string> header(const EntrySink& sink);  // false: the sink stopped
  void meta_done();

  enum class Phase { header, meta, skip, end };
  Phase phase_ = Phase::header;
  std::string block_;  // the header being collected (512 bytes)
  std::string meta_;   // data of an 'L', 'K', 'x' or 'g' entry being collected
  char meta_type_ = 0;
  std::uint64_t remaining_ = 0;  // data (+ padding) still to skip or collect
  std::uint64_t meta_size_ = 0;  // the meta entry's data size without padding
  std::uint64_t offset_ = 0;     // bytes consumed
  // What the previous meta entries say of the next real entry.
  std::string long_name_, long_link_, pax_path_, pax_link_;
  bool pax_size_set_ = false;
  std::uint64_t pax_size_ = 0;
};

}  // namespace stackctl::tar
