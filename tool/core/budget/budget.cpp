#include "core/budget/budget.hpp"

#include <algorithm>

#include "core/render/common.hpp"

namespace stackctl::budget {

namespace {

std::int64_t mib(const std::string& size) {
  return render::spark_size_mib(size).value_or(0);  // the loader refuses sizes that do not parse
}

// The heap and overhead of one driver, its parts named after the settings that make them.
std::vector<Part> driver_parts(const model::Stack& s, const std::string& whose, int times = 1) {
  const auto& d = s.spark.driver;
  const std::int64_t heap = mib(d.memory);
  return {{whose + " heap (spark.driver.memory " + d.memory + ")", heap, times},
          {whose + " overhead (" +
               (d.memory_overhead.empty() ? std::string("max(384 MiB, 10%)")
                                          : "spark.driver.memoryOverhead " + d.memory_overhead) +
               ")",
           overhead_mib(heap, d.memory_overhead), times}};
}

// "1.8" or "1800m" (validated by the loader) in millicores.
std::int64_t cpu_milli(const std::string& q) {
  if (q.ends_with('m')) return std::stoll(q.substr(0, q.size() - 1));
  const auto dot = q.find('.');
  std::string frac = dot == std::string::npos ? "" : q.substr(dot + 1);
  frac.resize(3, '0');
  return std::stoll(q.substr(0, dot)) * 1000 + std::stoll(frac.substr(0, 3));
}

}  // namespace

Pod connect_server(const model::Stack& s) {
  return {"Spark Connect server", "spark.driver", driver_parts(s, "driver"),
          1000LL * s.spark.driver.cores,
          "spark.driver.cores " + std::to_string(s.spark.driver.cores)};
}

namespace {

Pod executor(const model::Stack& s) {
  const auto& e = s.spark.executor;
  const std::int64_t heap = mib(e.memory);
  Pod p{"executor",
        "spark.executor",
        {{"executor heap (spark.executor.memory " + e.memory + ")", heap, 1},
         {"executor overhead (" +
              (e.memory_overhead.empty() ? std::string("max(384 MiB, 10%)")
                                         : "spark.executor.memoryOverhead " + e.memory_overhead) +
              ")",
          overhead_mib(heap, e.memory_overhead), 1}},
        0,
        ""};
  if (!e.request_cores.empty()) {
    p.cpu_milli = cpu_milli(e.request_cores);
    p.cpu_from = "spark.kubernetes.executor.request.cores " + e.request_cores;
  } else {
    p.cpu_milli = 1000LL * e.cores;
    p.cpu_from = "spark.executor.cores " + std::to_string(e.cores);
  }
  return p;
}

}  // namespace

std::int64_t Pod::memory_mib() const {
  std::int64_t total = 0;
  for (const auto& p : memory) total += p.mib * p.times;
  return total;
}

std::string Pod::memory_sum() const {
  std::string out;
  for (const auto& p : memory)
    out += (out.empty() ? "" : " + ") +
           (p.times > 1 ? std::to_string(p.times) + " x " : std::string()) + std::to_string(p.mib) +
           " MiB " + p.what;
  return out + " = " + std::to_string(memory_mib()) + " MiB";
}

std::int64_t overhead_mib(std::int64_t heap_mib, const std::string& written) {
  if (!written.empty()) return mib(written);
  return std::max<std::int64_t>(heap_mib / 10, 384);
}

std::optional<Pod> kyuubi(const model::Stack& s) {
  const auto& k = s.services.kyuubi;
  if (!k.enabled) return std::nullopt;
  const int engines = k.share_level == model::ShareLevel::server ? 1 : k.max_engines;
  const std::int64_t heap = mib(k.server_memory);
  Pod p{"Kyuubi server",
        "services.kyuubi",
        {{"server heap (serverMemory " + k.server_memory + ")", heap, 1},
         {"server non-heap (max(384 MiB, 10%))", overhead_mib(heap, ""), 1}},
        1000LL * s.spark.driver.cores * engines,
        "spark.driver.cores " + std::to_string(s.spark.driver.cores) + " x maxEngines " +
            std::to_string(engines)};
  for (auto& part : driver_parts(s, "engine driver", engines)) p.memory.push_back(std::move(part));
  return p;
}

std::optional<Pod> notebook(const model::Stack& s, const model::Notebook& nb,
                            const std::string& path) {
  if (nb.mode != model::NotebookMode::client) return std::nullopt;
  Pod p{"notebook " + nb.name,
        path,
        {{"notebook server and kernels (memory " + nb.memory + ")", mib(nb.memory), 1}},
        1000LL * s.spark.driver.cores,
        "spark.driver.cores " + std::to_string(s.spark.driver.cores)};
  for (auto& part : driver_parts(s, "driver")) p.memory.push_back(std::move(part));
  return p;
}

std::vector<Pod> pods(const model::Stack& s) {
  std::vector<Pod> out;
  if (s.services.connect.enabled) out.push_back(connect_server(s));
  const auto& nbs = s.services.notebooks;
  for (std::size_t i = 0; i < nbs.size(); ++i)
    if (auto p = notebook(s, nbs[i], "services.notebooks[" + std::to_string(i) + "]"))
      out.push_back(std::move(*p));
  if (auto k = kyuubi(s)) out.push_back(std::move(*k));
  out.push_back(executor(s));
  return out;
}

std::string quantity(std::int64_t m) {
  return std::to_string(m) + "Mi";
}

std::string cpu_quantity(std::int64_t milli) {
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

}  // namespace stackctl::budget
