// What each pod of a stack asks of a node: the memory and CPU render writes into its requests and
// limits, as a sum of named parts so that check and the docs can show the arithmetic.
//
// Spark's rule for a JVM's container (docs/configuration.md of Spark 3.3 to 4.x,
// spark.driver.memoryOverhead and spark.executor.memoryOverhead): heap + overhead, where the
// overhead is the one written (spark.*.memoryOverhead) or memory x memoryOverheadFactor (0.10)
// with a minimum of 384 MiB (spark.*.minMemoryOverhead since 4.0, a constant before). Spark uses
// the factor 0.40 instead for non-JVM (PySpark, SparkR) applications it submits in cluster mode
// (running-on-kubernetes.md, spark.kubernetes.memoryOverheadFactor): none of the pods here is one
// (the Connect server and Kyuubi's engines are JVM applications; a client-mode notebook's Python
// is counted in the notebook's own `memory`), so 0.10 applies throughout.
//
// The pods:
//   - the Spark Connect server: one driver (heap + overhead, spark.driver.cores);
//   - a client-mode notebook: the notebook server and its kernels (`memory`) + one driver;
//   - Kyuubi: the server JVM (serverMemory + stackctl's allowance for its non-heap memory, the
//     same max(384 MiB, 10%) rule) + maxEngines x one engine driver: at share level USER or
//     CONNECTION each engine is a client-mode spark-submit in the server's container;
//   - one executor (spark.executor.memory + overhead; requestCores, else cores).
// Pure, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/stack/model.hpp"

namespace stackctl::budget {

struct Part {
  std::string what;  // "driver heap (spark.driver.memory 2g)"
  std::int64_t mib = 0;
  int times = 1;  // maxEngines for an engine's parts
};

struct Pod {
  std::string name;  // "Kyuubi server", "notebook lab", "Spark Connect server", "executor"
  std::string path;  // the stack key that sizes it: "services.kyuubi", "spark.executor"
  std::vector<Part> memory;
  std::int64_t cpu_milli = 0;
  std::string cpu_from;  // "spark.driver.cores 1 x maxEngines 2"

  std::int64_t memory_mib() const;
  // "1024 MiB server heap (serverMemory 1g) + 384 MiB ... = 3456 MiB".
  std::string memory_sum() const;
};

// Spark's overhead for a JVM with `heap_mib`: `written` (a Spark size) when not empty, else
// max(384, heap_mib / 10) (whole MiB, truncated, as Spark computes it).
std::int64_t overhead_mib(std::int64_t heap_mib, const std::string& written);

// The Spark Connect server's container (its driver), whether or not the server is enabled.
Pod connect_server(const model::Stack& stack);
// The Kyuubi server's container; nullopt without Kyuubi.
std::optional<Pod> kyuubi(const model::Stack& stack);
// A client-mode notebook's container; nullopt for a Spark Connect (thin-client) notebook, which
// render gives no requests.
std::optional<Pod> notebook(const model::Stack& stack, const model::Notebook& nb,
                            const std::string& path);

// Every pod of `stack` (as loaded for one target) that asks for memory: the Connect server,
// client-mode notebooks, Kyuubi, one executor; in that order, only those that run.
std::vector<Pod> pods(const model::Stack& stack);

// "3456Mi": a Kubernetes quantity.
std::string quantity(std::int64_t mib);
// "2.5", "1": a Kubernetes CPU quantity of millicores.
std::string cpu_quantity(std::int64_t milli);

}  // namespace stackctl::budget
