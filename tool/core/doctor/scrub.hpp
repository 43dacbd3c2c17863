// What a snapshot may keep of secrets and logs, so `doctor --save` can be attached to a bug
// report: Secrets as metadata and key names (never data or stringData values), ConfigMaps as
// metadata, log lines with anything that looks like a credential replaced by "<redacted>".
#pragma once

#include <string>

#include "core/kube/object.hpp"

namespace stackctl::doctor {

// A Secret reduced to apiVersion, kind, metadata (without the last-applied annotation and
// managedFields, which may hold the values), type and the sorted key names under "keys".
kube::Json secret_metadata(const kube::Json& secret);

// A ConfigMap reduced to apiVersion, kind, metadata (same trimming) and its key names.
kube::Json config_map_metadata(const kube::Json& config_map);

// A log line with credentials redacted: bearer tokens, JWTs, AWS access key ids (AKIA/ASIA...),
// AWS secret keys and session tokens, passwords in URLs (scheme://user:PASSWORD@), and the value
// of any key=value / key: value whose key names a password, secret, token or api key.
std::string scrub_line(const std::string& line);

}  // namespace stackctl::doctor
