// resolver_impl.h: the Resolver behind resolve() (resolver.h), shared by the files that hold its
// stages. One job per file:
//   resolver.cc              run(): the stages in order, and resolve();
//   resolver_catalog.cc      attribute definitions and the catalog (interning, dependencies'
//                            definitions, dependency_resolution exclusion);
//   resolver_groups.cc       a group's attributes: `extends`, `ref_group`, `ref` overrides,
//                            with cycle detection and the attribute-use budget;
//   resolver_signals.cc      signals, `imports:`, refinements, duplicate names;
//   resolver_surface.cc      what the dependencies let the registry name (their surfaces);
//   resolver_associations.cc entity associations, resolved to the registry declaring each;
//   resolver_metric_sets.cc  coretel metric sets, from the typed `coretel:` annotations.
// Internal to the schema tool; one Resolver per resolve() call (not thread-safe).
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "definition.h"
#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema::resolution {

/// Attribute uses kept while resolving, all groups together. Every group holds its parent's
/// uses, so an `extends` chain of n groups each adding an attribute needs n^2/2 uses: past this
/// many (50 times the 4,800 the whole semantic-conventions registry needs), resolution
/// stops with coretel_resolution_too_large instead of exhausting memory.
inline constexpr std::size_t kMaxAttributeUses = 250'000;

/// One attribute as a signal uses it, before interning into the catalog.
struct Use {
  /// Shared by every group that inherits or includes this use unchanged (copy-on-write when a
  /// `ref:` overrides it), so that copying a parent's uses is cheap and interning happens once
  /// per distinct attribute.
  std::shared_ptr<const CatalogAttribute> attribute;
  AttributeRef ref;       // `base` is set at interning
  std::string via_group;  // the ref_group that brought it, "" for inline and inherited
  /// Earlier references to the same key in the same `attributes:` list, which this one
  /// replaced (InvalidGroupDuplicateAttributeRef): kept for the policies (Signal::replaced).
  std::vector<ReplacedReference> replaced;
};

using Uses = std::vector<Use>;

inline void deep_merge(Json& into, const Json& from) {
  if (!into.is_object() || !from.is_object()) {
    into = from;
    return;
  }
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (into.contains(it.key()) && into[it.key()].is_object() && it.value().is_object()) {
      deep_merge(into[it.key()], it.value());
    } else {
      into[it.key()] = it.value();
    }
  }
}

/// `id` without `prefix` (once), when it starts with it and more follows: a v1 group id's type
/// prefix (`span.`, `entity.`), as Weaver's v1 -> v2 conversion drops it.
inline std::string without_prefix(const std::string& id, std::string_view prefix) {
  if (id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0) {
    return id.substr(prefix.size());
  }
  return id;
}

/// A `ref`'s overrides of the referenced attribute's fields (brief, note, examples, stability,
/// deprecated; annotations deep-merged); the other fields stay the definition's.
inline void apply_overrides(const AttributeSpec& ref, CatalogAttribute& into) {
  if (ref.brief) into.brief = *ref.brief;
  if (ref.note) into.note = *ref.note;
  if (ref.examples) into.examples = *ref.examples;
  if (ref.stability) into.stability = *ref.stability;
  if (ref.deprecated) into.deprecated = ref.deprecated;
  if (ref.annotations) deep_merge(into.annotations, *ref.annotations);
}

/// `dependency_resolution: {exclude: true}`: hidden from registries that depend on this one.
inline bool excluded_from_dependents(const Json& annotations) {
  if (!annotations.is_object()) return false;
  auto it = annotations.find("dependency_resolution");
  if (it == annotations.end() || !it->is_object()) return false;
  auto exclude = it->find("exclude");
  return exclude != it->end() && exclude->is_boolean() && exclude->get<bool>();
}

/// The groups of every dependency, transitively, depth first in manifest order, each
/// dependency once: in a diamond (A needs B and C, both need D) D is reached on both paths
/// (read once, shared), and its groups must not count twice.
inline void collect_dependency_groups(const RegistryDefinition& registry,
                                      std::vector<const Group*>& into,
                                      std::set<const RegistryDefinition*>& seen) {
  for (const auto& dependency : registry.dependencies) {
    if (!seen.insert(dependency.get()).second) continue;
    for (const Group& g : dependency->groups) into.push_back(&g);
    collect_dependency_groups(*dependency, into, seen);
  }
}

inline Use* find_use(Uses& uses, const std::string& key) {
  for (Use& u : uses) {
    if (u.attribute->key == key) return &u;
  }
  return nullptr;
}

/// The position of each key in a Uses, for the loops that look up every key of a group: a
/// linear find_use per attribute made a group of n attributes cost n^2 (a 4 MiB file of
/// attributes took 15 s to resolve).
class UseIndex {
 public:
  explicit UseIndex(const Uses& uses) {
    for (std::size_t i = 0; i < uses.size(); ++i) positions_.emplace(uses[i].attribute->key, i);
  }
  /// The use of `key` in `uses` (the Uses this index was built from), or nullptr.
  Use* find(Uses& uses, const std::string& key) const {
    auto it = positions_.find(key);
    return it == positions_.end() ? nullptr : &uses[it->second];
  }
  /// Appends `use` to `uses` and indexes it.
  void push_back(Uses& uses, Use use) {
    positions_.emplace(use.attribute->key, uses.size());
    uses.push_back(std::move(use));
  }

 private:
  std::unordered_map<std::string, std::size_t> positions_;
};

/// What a registry exposes to the registries that depend on it: its own groups and those it
/// imports from its own dependencies, and every attribute key they define or use (through
/// `extends` and `ref_group` too).
struct Surface {
  std::vector<const Group*> groups;
  std::set<std::string> attribute_keys;
};

class Resolver {
 public:
  Resolver(const RegistryDefinition& registry, Diagnostics& d) : registry_(registry), d_(d) {}

  ResolvedRegistry run();

  /// A signal's name in the v2 view: metric name, event name, span or entity type. A v1 span
  /// or entity has the group id without one `span.`/`entity.` prefix as type, as Weaver's
  /// v1 -> v2 conversion names it.
  static std::string signal_name(const Group& g);

 private:
  // resolver_catalog.cc
  void index_definitions();
  /// The attributes v1 references with `prefix: true` define (AttributeSpec::embedded_from).
  void index_embedded_references();
  /// A dependency's definition of `key` is used: it becomes part of the resolved registry.
  void use_dependency_attribute(const std::string& key);
  /// ExcludedFromDependencyResolution when group `from` of this registry names `target`, an
  /// item of a dependency annotated `dependency_resolution: {exclude: true}`.
  bool hidden(const Group& from, const std::string& what, const Json& target_annotations,
              bool target_from_dependency, const SourceLocation& at);
  static CatalogAttribute definition_attribute(const AttributeSpec& a);
  static Json catalog_identity(const CatalogAttribute& c);
  std::size_t intern(const CatalogAttribute& c);
  /// Interns a shared attribute once, however many signals use it.
  std::size_t intern(const std::shared_ptr<const CatalogAttribute>& c);

  // resolver_groups.cc
  void index_groups();
  /// The attributes of group `g` with `extends` and `ref_group`s applied; memoised.
  ///
  /// Iterative: an explicit stack of frames stands in for the recursion through `extends` and
  /// `ref_group`, so a chain of any length (10,000 groups each extending the next) cannot
  /// overflow the call stack. Each frame resumes where it left off, so diagnostics come in the
  /// order a recursive walk gives them: the parent's, then each included group's (interleaved
  /// with this group's unresolved `ref_group`s), then this group's own refs.
  const Uses& attributes_of(const Group& g);
  /// CircularExtends for `g`, reached again while its own attributes are being resolved.
  const Uses& circular(const Group& g);
  /// The attribute group a `ref_group:` names, or nullptr (UnresolvedIncludeRef).
  const Group* included_group(const Group& g, const AttributeSpec& a);
  /// Adds the attributes a `ref_group:` brings (two groups bringing one key is
  /// DuplicateAttributeId).
  void bring_group(const Group& g, const AttributeSpec& a, const Uses& brought_uses, Uses& uses);
  /// Applies one `ref:` (or inline definition) to `uses`. `repeated`: an earlier entry of the
  /// same `attributes:` list referenced this key already.
  void apply_spec(const Group& g, const AttributeSpec& a, Uses& uses, UseIndex& index,
                  bool repeated);
  void apply_inline_specs(const Group& g, const std::vector<AttributeSpec>& specs, Uses& uses);
  /// ref_groups first (two groups bringing one key is DuplicateAttributeId), then inline refs.
  void apply_specs(const Group& g, const std::vector<AttributeSpec>& specs, Uses& uses);
  /// The references `uses` replaced (Use::replaced), interned for Signal::replaced.
  static std::vector<ReplacedReference> replaced_of(const Uses& uses);
  /// Counts `uses` against kMaxAttributeUses; past it, reports coretel_resolution_too_large
  /// (once) and empties `uses`, so that resolution stays within memory and time.
  void charge(const Group& g, Uses& uses);

  // resolver_surface.cc
  /// The group type an `imports:` section selects.
  static GroupType import_type(const Import& import);
  /// Does `import` select dependency group `g` (by name, or id for v1 groups)?
  static bool import_selects(const Import& import, const Group& g);
  /// What `registry` exposes to its dependents; memoised (a diamond is computed once).
  const Surface& surface_of(const RegistryDefinition& registry);
  /// What the direct dependencies of `registry` expose together.
  Surface direct_surface(const RegistryDefinition& registry);
  /// May group `from` name group `target`? A group of this registry may name its own groups and
  /// those its direct dependencies expose; a dependency's group anything (it was checked with
  /// its own registry).
  bool reachable(const Group& from, const Group& target) const {
    return !from_dependency_.count(&target) || from_dependency_.count(&from) ||
           visible_groups_.count(&target);
  }

  // resolver_associations.cc
  /// Resolves the entity leaves of every signal with `entity_associations` (associated_):
  /// UnresolvedEntityAssociation, AmbiguousEntityAssociation, ExcludedFromDependencyResolution
  /// for this registry's own signals; an imported signal's leaves are resolved as its own
  /// registry sees them, silently (its own `check` reports them).
  void resolve_entity_associations();
  /// The schema_url naming `registry` in provenance ("" for the registry being resolved).
  std::string provenance_of(const RegistryDefinition* registry) const;

  // resolver_signals.cc
  static SignalKind kind_of(GroupType type);
  std::vector<Signal>* list_for(GroupType type, bool refinement);
  Signal base_signal(const Group& g);
  /// The uses as catalog references; `entity`: an entity's (a use without a role is
  /// descriptive; identifying ones first).
  std::vector<AttributeRef> intern_all(const Uses& uses, bool entity);
  void emit_signal(const Group& g, bool from_dependency = false);
  /// The signals and attribute groups of the dependencies that `imports:` globs select
  /// (UnmatchedImport for a glob that selects nothing).
  void apply_imports();
  void emit_refinement(const Group& g);
  /// The group a v1 metric, span, event or entity `extends` when that group has the same type
  /// (in this registry or a dependency), else nullptr. Weaver's v1 -> v2 conversion makes such
  /// a group a refinement of its parent (`convert_v1_to_v2`, `is_refinement_of`).
  const Group* refined_by_extends(const Group& g) const;
  /// Emits v1 group `g`, which extends `parent` of its own type, as a refinement of it: its
  /// own fields, the attributes `extends` gives it, `refines` the parent's name.
  void emit_extends_refinement(const Group& g, const Group& parent);
  /// ExcludedFromDependencyResolution when refinement `g`, not excluded itself, refines a
  /// signal of this registry (`base`, with `base_annotations`) that is excluded.
  void exposes_excluded(const Group& g, const Json& base_annotations, const std::string& base);
  /// A refinement may refine identity attributes only under `identity`, and may add only
  /// descriptive attributes (Weaver resolver tests v2-6/7/8).
  void check_entity_refinement(const Group& g, const Uses& base);
  void check_duplicate_names();

  // resolver_metric_sets.cc
  /// The attribute group a metric's set tuple comes from: its `extends` (v1) or its one
  /// `ref_group` (v2).
  std::string shared_group_of(const Group& g);
  void build_metric_sets();

  const RegistryDefinition& registry_;
  Diagnostics& d_;
  ResolvedRegistry out_;
  std::unordered_map<std::string, const Group*> groups_;
  std::unordered_map<std::string, const AttributeSpec*> definitions_;
  std::unordered_map<std::string, std::size_t> definition_index_;
  std::unordered_map<std::string, std::size_t> catalog_index_;
  /// The catalog attribute of each defined key, as a `ref:` without overrides uses it.
  std::unordered_map<std::string, std::shared_ptr<const CatalogAttribute>> definition_attributes_;
  /// Shared attributes already interned (held here, so an address is never reused).
  std::unordered_map<std::shared_ptr<const CatalogAttribute>, std::size_t> interned_;
  std::size_t total_uses_ = 0;
  bool over_budget_ = false;
  std::unordered_map<const Group*, Uses> resolved_;
  std::set<const Group*> in_progress_;
  std::map<std::pair<GroupType, std::string>, Uses> signal_uses_;
  /// Groups of the dependencies (registry_.dependencies, transitively), and their keys.
  std::vector<const Group*> dependency_groups_;
  std::set<const Group*> from_dependency_;
  std::set<std::string> dependency_keys_;
  std::set<std::string> used_dependency_keys_;
  /// The surfaces of the registries below this one, and what its direct dependencies expose.
  std::map<const RegistryDefinition*, Surface> surfaces_;
  Surface visible_;
  std::set<const Group*> visible_groups_;
  /// The signals the direct dependencies expose, by (type, name): the first wins.
  std::map<std::pair<GroupType, std::string>, const Group*> visible_signals_;
  /// The registry's signals (own and imported) by (type, name), as indexes into their list:
  /// the last wins. Built once they are all emitted, before the refinements.
  std::map<std::pair<GroupType, std::string>, std::size_t> signal_index_;
  /// The registry that declares each group (this one's and every dependency's).
  std::unordered_map<const Group*, const RegistryDefinition*> owner_;
  /// Signals with `entity_associations`: (list, index in it, the group it comes from).
  struct Associated {
    std::vector<Signal>* list;
    std::size_t index;
    const Group* group;
  };
  std::vector<Associated> associated_;
  /// The dependency groups `imports:` brought in, in order.
  std::vector<const Group*> imported_;
};

}  // namespace coretel::schema::resolution
