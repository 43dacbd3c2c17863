// Which namespaces `stackctl doctor` reads for a target: the platform, not one namespace. The
// stack deploys everything it runs (Connect server, notebooks, Kyuubi, history server) into the
// target's `namespace`; the in-cluster systems it only names (services.external: the metastore,
// MinIO) may live elsewhere, and their namespace is in their Service DNS name
// (`NAME.NAMESPACE.svc[.cluster.local]`, Kubernetes' DNS for Services).
#pragma once

#include <string>
#include <vector>

#include "core/stack/model.hpp"

namespace stackctl::doctor {

// "http://minio.storage.svc.cluster.local:9000" -> "minio.storage.svc.cluster.local";
// "thrift://hive:9083" -> "hive"; "" -> "".
std::string url_host(const std::string& url);

// "minio.storage.svc.cluster.local" -> "storage"; "" for a host that is no Service DNS name
// (an IP, "hive", "s3.eu-west-1.amazonaws.com").
std::string service_namespace(const std::string& host);

// The target's namespace first, then the namespaces of services.external's in-cluster hosts
// (metastore URI, object store endpoint), each once. `stack` is loaded for one target.
std::vector<std::string> platform_namespaces(const model::Stack& stack);

}  // namespace stackctl::doctor
