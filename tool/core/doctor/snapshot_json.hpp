// A Snapshot as one JSON document (`doctor --save FILE`, `doctor --from FILE`):
//   {"kind": "DoctorSnapshot", "version": 1, "namespaces": [...], "pods": [...], "events": [...],
//    "replicaSets", "deployments", "statefulSets", "services", "endpoints",
//    "persistentVolumeClaims", "configMaps", "secrets", "nodes": [objects...],
//    "access": [{subject, namespace, verb, resource, allowed, method, reason, error}],
//    "logs": [{namespace, pod, container, previous, lines, error}], "notes": [...],
//    "authError": "...", "objectStoreHost": "..."}
// Written and read through the same reductions (scrub.hpp): a hand-edited file with Secret
// values or credentials in log lines loses them on reading, too.
#pragma once

#include <expected>
#include <string>

#include "core/doctor/rules.hpp"

namespace stackctl::doctor {

kube::Json to_json(const Snapshot& s);

// The message names what is wrong ("not a doctor snapshot (kind is ...)", "version 2 is newer
// than this stackctl reads").
std::expected<Snapshot, std::string> snapshot_from_json(const kube::Json& j);

}  // namespace stackctl::doctor
