#include "coretel/collect/topology.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <hwloc.h>

namespace coretel {

namespace {

struct TopologyDeleter {
  void operator()(hwloc_topology_t t) const { hwloc_topology_destroy(t); }
};
using TopologyHandle = std::unique_ptr<hwloc_topology, TopologyDeleter>;

Topology from_hwloc(hwloc_topology_t topo, std::vector<int>& cpus, std::vector<int>& node_of_cpu,
                    std::vector<std::vector<int>>& cpus_of_node) {
  int nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
  cpus_of_node.assign(std::max(nodes, 1), {});
  int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  for (int i = 0; i < pus; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i);
    int cpu = static_cast<int>(pu->os_index);
    int node = 0;
    for (int n = 0; n < nodes; ++n) {
      hwloc_obj_t numa = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, n);
      if (hwloc_bitmap_isset(numa->cpuset, pu->os_index)) {
        node = n;
        break;
      }
    }
    cpus.push_back(cpu);
    node_of_cpu.push_back(node);
    cpus_of_node[node].push_back(cpu);
  }
  return {};
}

}  // namespace

Topology Topology::detect() {
  hwloc_topology_t raw;
  Topology t;
  if (hwloc_topology_init(&raw) == 0) {
    TopologyHandle topo(raw);
    if (hwloc_topology_load(raw) == 0) from_hwloc(raw, t.cpus_, t.node_of_cpu_, t.cpus_of_node_);
  }
  if (t.cpus_.empty()) {  // hwloc failed: every CPU the process may run on, one node
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    t.cpus_of_node_.assign(1, {});
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) {
        t.cpus_.push_back(c);
        t.node_of_cpu_.push_back(0);
        t.cpus_of_node_[0].push_back(c);
      }
  }
  return t;
}

Topology Topology::synthetic(const std::string& description) {
  hwloc_topology_t raw;
  if (hwloc_topology_init(&raw) != 0) throw std::runtime_error("hwloc_topology_init failed");
  TopologyHandle topo(raw);
  if (hwloc_topology_set_synthetic(raw, description.c_str()) != 0 || hwloc_topology_load(raw) != 0)
    throw std::invalid_argument("hwloc rejected the synthetic topology '" + description + "'");
  Topology t;
  from_hwloc(raw, t.cpus_, t.node_of_cpu_, t.cpus_of_node_);
  return t;
}

int Topology::node_of_cpu(int cpu) const noexcept {
  auto it = std::find(cpus_.begin(), cpus_.end(), cpu);
  return it == cpus_.end() ? 0 : node_of_cpu_[static_cast<std::size_t>(it - cpus_.begin())];
}

bool pin_current_thread(const std::vector<int>& cpus) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus)
    if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

}  // namespace coretel
