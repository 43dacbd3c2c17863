// Terraform rendering helpers: HCL quoting and the stack facts the root modules are built from.
//
// render_terraform() (parts.hpp) writes targets/<target>/terraform/{versions,providers,main,
// variables,outputs}.tf from templates/terraform/*.tf.mustache; render_terraform_modules() copies
// terraform/modules/** so the output folder is self-contained. These helpers are what the views
// are made of, exposed for tests. See docs/terraform.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/stack/model.hpp"

namespace stackctl::render {

// `value` as an HCL native-syntax quoted string, quotes included, that evaluates to exactly
// `value`: backslash, '"', newline, CR and tab get their backslash escapes, other control
// characters \uNNNN, and the template introducers "${" and "%{" are doubled ("$${", "%%{") so
// no interpolation or directive can start inside a value. Other bytes pass through (HCL is UTF-8).
std::string hcl_quote(std::string_view value);

// An HCL tuple of quoted strings on one line: ["a", "b"], or [] when empty.
std::string hcl_string_list(const std::vector<std::string>& values);

// The S3 buckets Spark uses, sorted and without duplicates: the bucket of every s3a://, s3n://
// or s3:// location in the history server's log directory and in spark.conf values. None when the
// object store is MinIO (its buckets are not AWS's, so no IAM policy can name them).
std::vector<std::string> s3_bucket_names(const model::Stack& stack);

// One spark.env key kept in Vault: the variable name in spark.env and the field of the secret.
struct VaultField {
  std::string env_name;
  std::string field;
  bool required = true;
};

// A Vault source of spark.env and the keys read from it, in stack order.
struct VaultSecret {
  std::string source;  // the SecretSource's name
  std::string mount;
  std::string path;
  std::vector<VaultField> fields;
};

// Every vault-type source of the stack's sparkEnv that at least one key reads from, with those
// keys. A source no key reads is left out: Terraform would write its secret empty.
std::vector<VaultSecret> vault_secrets(const model::Stack& stack);

}  // namespace stackctl::render
