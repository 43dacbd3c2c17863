// The layer merge of image_files.hpp: lookups over the layers read so far, top-most first.
#include "core/layers/image_files.hpp"

#include <deque>

namespace stackctl::image_files {

namespace {

constexpr std::string_view kWhiteout = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";
constexpr int kMaxLinks = 40;  // Linux's MAXSYMLINKS

std::string base_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

std::string child(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    const auto slash = path.find('/', i);
    const auto end = slash == std::string::npos ? path.size() : slash;
    if (end > i && path.compare(i, end - i, ".") != 0) out.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::string layer_name(int index) {
  return "layer " + std::to_string(index + 1);
}

}  // namespace

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

Merge::Merge(std::vector<std::string> paths, int layer_count, std::size_t max_entries)
    : paths_(std::move(paths)), layer_count_(layer_count), max_entries_(max_entries) {}

void Merge::begin_layer(int layer) {
  layers_.push_back({});
  layers_.back().index = layer;
  current_open_ = true;
}

bool Merge::add(const tar::Entry& entry) {
  if (layers_.empty() || !current_open_) return false;
  if (entries_ >= max_entries_) return false;
  Layer& l = layers_.back();
  const std::string name = base_of(entry.path);
  const std::string dir = parent_of(entry.path);
  ++entries_;
  if (name == kOpaque) {
    l.opaque.insert(dir);
  } else if (name.starts_with(kWhiteout)) {
    l.whiteouts.insert(child(dir, name.substr(kWhiteout.size())));
  } else {
    l.entries[entry.path] = {entry.type, entry.link};  // a later duplicate wins, as tar -x does
    l.implied.erase(entry.path);
  }
  for (std::string a = dir; a != "/" && !l.entries.contains(a) && l.implied.insert(a).second;
       a = parent_of(a)) {
  }
  return true;
}

void Merge::end_layer() {
  current_open_ = false;
  ++done_;
}

void Merge::abandon_layer() {
  if (!current_open_) return;
  layers_.pop_back();
  current_open_ = false;
}

Merge::Seen Merge::implied_or(const std::string& path, std::size_t above, Seen absent) const {
  static const Node dir{tar::Type::directory, {}};
  for (std::size_t i = above; i-- > 0;)
    if (layers_[i].implied.contains(path)) return {Lookup::present, &dir, layers_[i].index, {}};
  return absent;
}

Merge::Seen Merge::lookup(const std::string& path) const {
  if (path == "/") {
    static const Node root{tar::Type::directory, {}};
    return {Lookup::present, &root, layer_count_ - 1, {}};
  }
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    const bool complete = i + 1 < layers_.size() || !current_open_;
    if (const auto it = l.entries.find(path); it != l.entries.end())
      return {Lookup::present, &it->second, l.index, {}};
    if (!complete) return {};  // an entry at `path` may still come in this layer
    if (l.whiteouts.contains(path))
      return implied_or(path, i,
                        {Lookup::absent, nullptr, l.index,
                         "deleted in " + layer_name(l.index) + " (whiteout " +
                             child(parent_of(path), std::string(kWhiteout) + base_of(path)) + ")"});
    for (std::string a = parent_of(path);; a = parent_of(a)) {
      if (a != "/" && l.whiteouts.contains(a))
        return implied_or(
            path, i,
            {Lookup::absent, nullptr, l.index,
             "deleted in " + layer_name(l.index) + " with its directory " + a + " (whiteout " +
                 child(parent_of(a), std::string(kWhiteout) + base_of(a)) + ")"});
      if (l.opaque.contains(a))
        return implied_or(path, i,
                          {Lookup::absent, nullptr, l.index,
                           "hidden in " + layer_name(l.index) + " by the opaque whiteout " +
                               child(a, std::string(kOpaque))});
      if (const auto it = l.entries.find(a);
          a != "/" && it != l.entries.end() && it->second.type != tar::Type::directory)
        return implied_or(
            path, i,
            {Lookup::absent, nullptr, l.index,
             "gone in " + layer_name(l.index) + ", where " + a + " is not a directory"});
      if (a == "/") break;
    }
  }
  if (done_ < layer_count_) return {};
  return implied_or(path, layers_.size(),
                    {Lookup::absent, nullptr, -1, "in no layer of the image"});
}

Outcome Merge::resolve(const std::string& wanted) const {
  Outcome out;
  std::deque<std::string> rest = components(wanted);
  std::string cur = "/";
  int links = 0;
  while (!rest.empty()) {
    const std::string comp = rest.front();
    rest.pop_front();
    if (comp == "..") {
      cur = parent_of(cur);
      continue;
    }
    const std::string next = child(cur, comp);
    const Seen seen = lookup(next);
    if (seen.state == Lookup::pending) return out;
    if (seen.state == Lookup::absent) {
      out.state = State::missing;
      out.resolved = next;
      out.layer = seen.layer;
      out.why = next + " is " + seen.why;
      return out;
    }
    switch (seen.node->type) {
      case tar::Type::symlink: {
        if (++links > kMaxLinks) {
          out.state = State::missing;
          out.resolved = next;
          out.layer = seen.layer;
          out.why = "more than 40 symlinks are followed from " + wanted + " (a loop?)";
          return out;
        }
        out.links.push_back(next + " -> " + seen.node->link);
        std::deque<std::string> target = components(seen.node->link);
        rest.insert(rest.begin(), target.begin(), target.end());
        if (seen.node->link.starts_with('/')) cur = "/";
        break;
      }
      case tar::Type::directory:
        cur = next;
        if (rest.empty()) {
          out.state = State::directory;
          out.resolved = next;
          out.layer = seen.layer;
          out.why = next + " is a directory (" + layer_name(seen.layer) + ")";
          return out;
        }
        break;
      default:
        if (rest.empty()) {
          out.state = State::found;
          out.resolved = next;
          out.layer = seen.layer;
          return out;
        }
        out.state = State::missing;
        out.resolved = next;
        out.layer = seen.layer;
        out.why = next + " is a file, not a directory (" + layer_name(seen.layer) + ")";
        return out;
    }
  }
  out.state = State::directory;  // "/" or a path ending in ".." back to a directory
  out.resolved = cur;
  out.why = cur + " is a directory";
  return out;
}

std::map<std::string, Outcome> Merge::outcomes() const {
  std::map<std::string, Outcome> out;
  for (const auto& p : paths_) out[p] = resolve(tar::normalise(p));
  return out;
}

bool Merge::all_decided() const {
  for (const auto& p : paths_)
    if (resolve(tar::normalise(p)).state == State::pending) return false;
  return true;
}

}  // namespace stackctl::image_files
