// The versions of the libraries this binary runs with, for `stackctl version`: read from the
// libraries themselves at run time where they can say (a shared library may be newer than the
// headers it was built against), else the version compiled in.
#pragma once

#include <string>
#include <vector>

namespace stackctl::library_versions {

struct Library {
  std::string name;     // "libcurl"
  std::string version;  // "7.88.1"
  std::string source;   // "runtime" (asked the loaded library) or "build" (its headers)
};

std::vector<Library> all();

}  // namespace stackctl::library_versions
