// `stackctl check STACK --image ...`: the `local://` files of the stack's applications
// (mainResource, pyFiles) against the image each application runs, as the registry's layers tell
// (adapters/layer_files.hpp reads them; core/layers/image_files.hpp merges them). Pure: the CLI
// reads the image and passes what it found in.
//
// Code (SC, as the stack rules: it judges the stack's `applications:` against the image; stable):
//   SC030 error  an application's local:// main resource or py-file is not a file in its image
//                (missing, deleted by a whiteout, a directory, or under something that is not a
//                directory); info when the file could not be checked (a layer stackctl does not
//                read, the image could not be read, the stack has no registry for the image)
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/knowledge/check.hpp"
#include "core/layers/image_files.hpp"
#include "core/rules/rule.hpp"
#include "core/stack/model.hpp"

namespace stackctl::check_app_files {

inline constexpr std::array<rules::Spec, 1> kRules{{
    {"SC030", "local:// file of an application is not in its image", Severity::error,
     "applications[] (image, mainResource, pyFiles), the layers of the image the application "
     "runs (with --image)"},
}};
static_assert(rules::codes_well_formed(kRules, "SC"), "SC codes: SC + 3 digits, each once");

// One `local:///...` URI of an application.
struct File {
  std::string application;  // applications[].name
  std::string image;        // applications[].image (a stack image's name)
  std::string field;        // "mainResource" or "pyFiles"
  std::string key;          // the stack key: "applications[0].mainResource", "...pyFiles[1]"
  std::string uri;          // "local:///opt/app/job.py"
  std::string path;         // "/opt/app/job.py"
};

// Every local:/// main resource and py-file of the stack, in stack order (s3a:// ones are not in
// an image and are left out).
std::vector<File> local_files(const model::Stack& stack);

struct Checked {
  File file;
  std::string image_ref;  // the reference read, as shown: "127.0.0.1:5000/test/app@sha256:..."
  image_files::Outcome outcome;  // State::pending: not checked, `not_checked` says why
  std::string not_checked;
};

// SC030 findings, in the order of `checked`: an error for each file that is missing or not a
// file, an info for each that was not checked; nothing for a file found.
std::vector<check::Finding> findings(const model::Stack& stack,
                                     const std::vector<Checked>& checked);

}  // namespace stackctl::check_app_files
