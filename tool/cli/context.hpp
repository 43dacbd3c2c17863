// What every command gets: global options and the two output streams.
//
// Commands never write to std::cout/std::cerr directly and never exit: they write to `out`
// (results, pipeable) and `err` (diagnostics of the run, progress) and return an ExitCode, so
// tests run them in-process and read both streams.
#pragma once

#include <mutex>
#include <ostream>
#include <string>

#include "core/diag.hpp"

namespace stackctl::cli {

enum class OutputFormat { text, json };

struct GlobalOptions {
  OutputFormat output = OutputFormat::text;
  // Colour severity words on stdout / stderr: decided per stream by --color (auto: the stream is a
  // terminal, NO_COLOR is unset or empty, and TERM is not "dumb"; see terminal.hpp).
  bool color = false;
  bool err_color = false;
  std::string catalog_file;  // --catalog: use this catalog instead of the built-in one
  int verbosity = 0;
};

struct Context {
  GlobalOptions options;
  std::ostream& out;
  std::ostream& err;
  // Held by whatever writes to `err` from worker threads: the build summary and download
  // progress of images prepared in parallel.
  std::mutex err_mutex{};
  // Every diagnostic printed on `err` (print_diagnostic), so that a command that fails under
  // --output json without a document of its own still gets them as items (json_output.hpp).
  Diagnostics reported{};
};

}  // namespace stackctl::cli
