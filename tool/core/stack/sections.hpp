// Internal to the loader: one function per top-level section of the stack file. Each reads its
// section through a Reader (which records positions and unknown keys) into the model, and reports
// every problem it can see from that section alone. Cross-section checks (references between
// images, services, sources and targets) run afterwards in stack_refs.cpp.
#pragma once

#include <string>
#include <vector>

#include "core/doctor/report.hpp"
#include "core/stack/model.hpp"
#include "core/stack/reader.hpp"

namespace stackctl::detail {

void read_metadata(Reader r, ReadContext& ctx, model::Metadata& out);
void read_versions(Reader r, ReadContext& ctx, model::Versions& out);
void read_artifacts(Reader r, ReadContext& ctx, model::Artifacts& out);
void read_python(Reader r, ReadContext& ctx, model::Python& out);
void read_registry(Reader r, ReadContext& ctx, model::Registry& out);
void read_spark(Reader r, ReadContext& ctx, model::SparkConfig& out);
void read_images(Reader& parent, ReadContext& ctx, std::vector<model::Image>& out);
// core/stack/image_files.cpp: an image's `files` (E_PATH and E_IMAGE_PATH, duplicate destinations).
void read_image_files(Reader& r, ReadContext& ctx, std::vector<model::ImageFile>& out);
void read_spark_env(Reader r, ReadContext& ctx, model::SparkEnv& out);
// stack_vault.cpp: the `vault:` block (address, namespace, auth).
void read_vault(Reader r, ReadContext& ctx, model::Vault& out);
void read_services(Reader r, ReadContext& ctx, model::Services& out);
// doctor.ignore (stack_doctor.cpp).
void read_doctor(Reader r, ReadContext& ctx, std::vector<doctor::Ignore>& out);
// core/stack/applications.cpp: `applications:` (each app's image is checked in refs.cpp).
void read_applications(Reader& parent, ReadContext& ctx, std::vector<model::Application>& out);
// E_CONF_CREDENTIAL when a Spark property `key` holds a credential (an S3A access or secret key,
// a session token, a password, a token): the message shows the secretKeyRef form and IRSA.
void check_credential_conf(ReadContext& ctx, const std::string& key, SourceLoc at,
                           const std::string& path);
void read_targets(Reader& parent, ReadContext& ctx, std::vector<model::Target>& out);

// References between sections: images FROM images (unknown names, cycles), services naming
// images, images naming conda environments, env keys naming sources, duplicate names.
void check_references(const model::Stack& stack, ReadContext& ctx);

// Checks every name render derives from the stack (names::derived, core/stack/names.hpp) against
// the API server's rule for it, and reports one E_DERIVED_NAME per stack key that makes a name bad,
// at that key.
void check_derived_names(const model::Stack& stack, ReadContext& ctx);

// Shared value checks.
// A path the stack names relative to its own folder (a conda environment file, a values file) or
// under a Vault mount: not empty, not absolute, no "." or ".." part, and (a file's) no backslash.
// Reports E_PATH.
// What a relative path reaches through symbolic links is checked where it is read
// (adapters/fs.hpp, read_inside).
bool check_relative_path(ReadContext& ctx, const std::string& value, SourceLoc loc,
                         const std::string& path, const char* what, bool file = true);
// E_URL_CREDENTIALS when `url` carries credentials: a userinfo part (`user:password@`) or a query
// parameter whose name says it holds a secret (core/url_secret.hpp: a presigned URL's
// X-Amz-Signature, an Azure SAS `sig`, `token`, ...). The message names the part, never its value.
// True when reported. Call it before any check whose message repeats the URL.
bool refuse_url_credentials(ReadContext& ctx, std::string_view url, SourceLoc at,
                            const std::string& path);
bool is_dns_label(std::string_view s);
bool is_spark_size(std::string_view s);  // "2g", "512m", "4096"
void check_dns_label(ReadContext& ctx, const std::string& value, SourceLoc loc,
                     const std::string& path);
// Reports names that occur twice in `names` (each with its path), as E_DUPLICATE_NAME.
void check_unique(ReadContext& ctx, const std::vector<std::pair<std::string, std::string>>& names,
                  const char* what);

}  // namespace stackctl::detail
