// Does a path exist in an image? Decided from the image's layers, read top-most first, as the
// OCI image-spec (layer.md, "Applying Changesets", "Whiteouts", "Opaque Whiteout") merges them.
// Pure: the caller streams each layer's tar entries in (core/layers/tar.hpp) and asks whether
// every wanted path is decided, so it can stop fetching layers as soon as they are.
//
// The merge, for a path X and the layers from the top (the manifest's last layer) down:
// - the first layer with an entry at X decides X (a whiteout in that same layer does not hide
//   it: whiteouts apply only to lower layers);
// - X is deleted (absent, whatever lower layers hold) at the first layer that, before that,
//   has a whiteout `.wh.NAME` of X or of one of its parent directories, an opaque whiteout
//   `.wh..wh..opq` in one of X's parent directories, or a non-directory entry at one of X's
//   parents (an entry that is not a directory replaces a directory with everything in it);
// - a path no layer mentions is absent.
// A wanted path is resolved component by component: each parent must be a directory, and a
// symlink met on the way (a parent or the path itself) is followed the way the kernel does
// inside the image's root: an absolute target from the image's "/", a relative one from the
// link's directory, ".." of "/" is "/", at most 40 links (Linux's MAXSYMLINKS). A hard link is a
// file. The path found must be a file (a directory is reported as such).
// Entries of every layer read are remembered (path, type, link) so a symlink read in a lower
// layer can point into an upper one; Options::max_entries caps that memory.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/layers/tar.hpp"

namespace stackctl::image_files {

enum class State {
  pending,    // a layer not yet read could decide it
  found,      // a file (or a hard link) at `resolved`
  missing,    // absent: `why` says which component and which layer
  directory,  // `resolved` is a directory, not a file
};

struct Outcome {
  State state = State::pending;
  std::string resolved;  // the path after symlinks ("/opt/spark-4.0.1/examples/pi.py")
  int layer = -1;        // index in the manifest (0 = bottom) of the layer that decided it
  std::string why;       // for missing: "/opt/app is not in any layer", "... deleted by a
                         // whiteout in layer 3", "/opt/app is a file, not a directory", ...
  std::vector<std::string> links;  // symlinks followed: "/opt/spark -> spark-4.0.1"
};

class Merge {
 public:
  // `paths`: absolute paths wanted; `layer_count`: layers in the manifest.
  Merge(std::vector<std::string> paths, int layer_count, std::size_t max_entries = 4'000'000);

  // The next layer down starts: index `layer` (layer_count - 1 first, then down to 0).
  void begin_layer(int layer);
  // An entry of the current layer. False when `max_entries` entries are held (the caller stops:
  // what is still pending is not decided). Whiteout entries are recorded as whiteouts.
  bool add(const tar::Entry& entry);
  // The current layer has been read to its end.
  void end_layer();
  // The current layer could not be read to its end: forget it (what it said does not count).
  void abandon_layer();
  // Every wanted path, decided or pending, as far as the layers read so far tell.
  std::map<std::string, Outcome> outcomes() const;
  bool all_decided() const;
  std::size_t entries() const { return entries_; }

 private:
  struct Node {
    tar::Type type;
    std::string link;
  };
  struct Layer {
    int index = 0;
    std::unordered_map<std::string, Node> entries;
    std::unordered_set<std::string> whiteouts;  // paths deleted from lower layers
    std::unordered_set<std::string> opaque;     // directories whose lower children are hidden
    std::unordered_set<std::string> implied;    // parents of entries with no entry of their own
  };
  enum class Lookup { pending, present, absent };
  struct Seen {
    Lookup state = Lookup::pending;
    const Node* node = nullptr;
    int layer = -1;
    std::string why;
  };
  Seen lookup(const std::string& path) const;
  // `absent` unless a layer above position `above` has `path` as an implied parent directory.
  Seen implied_or(const std::string& path, std::size_t above, Seen absent) const;
  Outcome resolve(const std::string& path) const;

  std::vector<std::string> paths_;
  int layer_count_ = 0;
  std::size_t max_entries_ = 0;
  std::size_t entries_ = 0;
  std::vector<Layer> layers_;  // read so far, top-most first
  bool current_open_ = false;  // layers_.back() is still being read
  int done_ = 0;               // layers read to their end
};

// "/opt/spark" -> "/opt"; "/opt" -> "/"; "/" -> "/".
std::string parent_of(const std::string& path);

}  // namespace stackctl::image_files
