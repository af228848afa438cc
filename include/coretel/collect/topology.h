// topology.h: Topology, which CPUs exist and which NUMA node each belongs to (hwloc).
//
// COLD PATH. Used to give every NUMA node its own collector and to pin threads. Immutable after
// construction: any thread may read it.
#pragma once

#include <string>
#include <vector>

namespace coretel {

/// A logical CPU number (0..n-1, as the kernel and hwloc number them; Topology::cpus()). A type
/// of its own so that no int sentinel stands for "not pinned": see Unpinned.
struct CpuId {
  unsigned value;
  friend bool operator==(CpuId, CpuId) = default;
};

/// Tag for a thread that is not pinned to one CPU (CollectionPipeline::make_reporter(kUnpinned)).
struct Unpinned {
  explicit Unpinned() = default;
};
inline constexpr Unpinned kUnpinned{};

class Topology {
 public:
  /// The machine's topology as hwloc sees it (honours the process's allowed CPUs). A machine
  /// without NUMA information is one node holding every CPU.
  static Topology detect();
  /// A synthetic topology in hwloc's syntax, e.g. "package:2 numa:1 core:2 pu:1" (two nodes of
  /// two CPUs each). Throws std::invalid_argument when hwloc rejects the description.
  static Topology synthetic(const std::string& description);

  int cpu_count() const noexcept { return static_cast<int>(node_of_cpu_.size()); }
  int node_count() const noexcept { return static_cast<int>(cpus_of_node_.size()); }
  /// Logical CPU numbers, in order (cpu_count() of them).
  const std::vector<int>& cpus() const noexcept { return cpus_; }
  /// The NUMA node index (0..node_count()-1) of a logical CPU; 0 for an unknown CPU.
  int node_of_cpu(int cpu) const noexcept;
  const std::vector<int>& cpus_of_node(int node) const { return cpus_of_node_.at(node); }

 private:
  std::vector<int> cpus_;
  std::vector<int> node_of_cpu_;  // indexed by position in cpus_
  std::vector<std::vector<int>> cpus_of_node_;
};

/// Pins the calling thread to these CPUs. Returns false (and leaves it unpinned) on failure.
bool pin_current_thread(const std::vector<int>& cpus) noexcept;

}  // namespace coretel
