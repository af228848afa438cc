#include "resolver.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include <fnmatch.h>

#include <fmt/format.h>

#include "coretel_annotations.h"

namespace coretel::schema {
namespace {

/// Attribute uses kept while resolving, all groups together. Every group holds its parent's
/// uses, so an `extends` chain of n groups each adding an attribute needs n^2/2 uses: past this
/// many (50 times the 4,800 the whole semantic-conventions registry needs), resolution
/// stops with coretel_resolution_too_large instead of exhausting memory.
constexpr std::size_t kMaxAttributeUses = 250'000;

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

void deep_merge(Json& into, const Json& from) {
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

/// `dependency_resolution: {exclude: true}`: hidden from registries that depend on this one.
bool excluded_from_dependents(const Json& annotations) {
  if (!annotations.is_object()) return false;
  auto it = annotations.find("dependency_resolution");
  if (it == annotations.end() || !it->is_object()) return false;
  auto exclude = it->find("exclude");
  return exclude != it->end() && exclude->is_boolean() && exclude->get<bool>();
}

/// The groups of every dependency, transitively, depth first in manifest order, each
/// dependency once: in a diamond (A needs B and C, both need D) D is reached on both paths
/// (read once, shared), and its groups must not count twice.
void collect_dependency_groups(const RegistryDefinition& registry, std::vector<const Group*>& into,
                               std::set<const RegistryDefinition*>& seen) {
  for (const auto& dependency : registry.dependencies) {
    if (!seen.insert(dependency.get()).second) continue;
    for (const Group& g : dependency->groups) into.push_back(&g);
    collect_dependency_groups(*dependency, into, seen);
  }
}

Use* find_use(Uses& uses, const std::string& key) {
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

class Resolver {
 public:
  Resolver(const RegistryDefinition& registry, Diagnostics& d) : registry_(registry), d_(d) {}

  ResolvedRegistry run() {
    out_.schema_url = registry_.manifest.schema_url;
    out_.description = registry_.manifest.description;
    out_.stability = registry_.manifest.stability;
    std::set<const RegistryDefinition*> seen;
    collect_dependency_groups(registry_, dependency_groups_, seen);
    for (const Group* g : dependency_groups_) from_dependency_.insert(g);
    index_groups();
    index_definitions();
    for (const Group& g : registry_.groups) {
      if (g.is_refinement) continue;
      if (g.type == GroupType::kAttributeGroup) {
        // Groups that define attributes (v1 `registry.*` groups, v2 `attributes:` sections)
        // are the attribute registry itself, not attribute groups signals share.
        bool defines = std::any_of(g.attributes.begin(), g.attributes.end(), [](const auto& a) {
          return a.form == AttributeSpec::Form::kDefinition;
        });
        if (defines) {
          attributes_of(g);
          continue;
        }
        // v1 attribute groups and v2 internal ones are authoring aids that signals include;
        // only v2 public groups are part of the resolved registry (resolved/2.0).
        if (g.syntax == 1 || g.visibility != "public") {
          attributes_of(g);  // resolve for its diagnostics; not part of the output
          continue;
        }
      }
      emit_signal(g);
    }
    apply_imports();
    for (const Group& g : registry_.groups) {
      if (g.is_refinement) emit_refinement(g);
    }
    check_duplicate_names();
    // coretel's annotations are parsed once, here; their diagnostics follow the metric sets'
    // (the order `check` has always reported them in).
    Diagnostics annotations;
    parse_coretel_annotations(out_, annotations);
    build_metric_sets();
    for (const Diagnostic& d : annotations.all()) d_.add(d);
    return std::move(out_);
  }

 private:
  void index_groups() {
    std::map<std::string, std::vector<const Group*>> by_id;
    for (const Group& g : registry_.groups) {
      by_id[g.id].push_back(&g);
      groups_.emplace(g.id, &g);  // first wins
    }
    // One diagnostic per duplicated id, naming every declaration (as Weaver reports it).
    for (const Group& g : registry_.groups) {
      const auto& same = by_id[g.id];
      if (same.size() < 2 || same[1] != &g) continue;
      std::vector<std::string> places;
      for (const Group* other : same) {
        places.push_back(fmt::format("{}:{}", other->location.file, other->location.line));
      }
      d_.warning("DuplicateGroupId", g.location, g.id,
                 fmt::format("group id `{}` is declared {} times, at {}", g.id, same.size(),
                             fmt::join(places, ", ")));
    }
    // Dependency groups can be extended and included; the registry's own ids win.
    for (const Group* g : dependency_groups_) groups_.emplace(g->id, g);
  }

  void index_definitions() {
    std::map<std::string, std::vector<const Group*>> defined_in;
    for (const Group& g : registry_.groups) {
      for (const AttributeSpec& a : g.attributes) {
        if (a.form != AttributeSpec::Form::kDefinition) continue;
        auto& groups = defined_in[a.key];
        groups.push_back(&g);
        if (groups.size() == 1) {
          definitions_.emplace(a.key, &a);
          auto shared = std::make_shared<const CatalogAttribute>(definition_attribute(a));
          definition_attributes_.emplace(a.key, shared);
          std::size_t index = intern(shared);
          definition_index_.emplace(a.key, index);
          out_.attributes.push_back(index);
        }
      }
    }
    for (const auto& [key, groups] : defined_in) {
      if (groups.size() < 2) continue;
      std::vector<std::string> ids;
      for (const Group* g : groups) ids.push_back(g->id);
      d_.error("DuplicateAttributeId", groups[1]->location, key,
               fmt::format("attribute `{}` is defined more than once, in groups [{}]", key,
                           fmt::join(ids, ", ")));
    }
    // Dependency attributes can be referenced; they join the resolved registry only when used
    // (use_dependency_attribute). The registry's own definitions win.
    for (const Group* g : dependency_groups_) {
      for (const AttributeSpec& a : g->attributes) {
        if (a.form != AttributeSpec::Form::kDefinition || definitions_.count(a.key)) continue;
        definitions_.emplace(a.key, &a);
        CatalogAttribute c = definition_attribute(a);
        c.from_dependency = true;
        definition_attributes_.emplace(a.key, std::make_shared<const CatalogAttribute>(c));
        dependency_keys_.insert(a.key);
      }
    }
  }

  /// A dependency's definition of `key` is used: it becomes part of the resolved registry.
  void use_dependency_attribute(const std::string& key) {
    if (!used_dependency_keys_.insert(key).second) return;
    out_.attributes.push_back(intern(definition_attributes_.at(key)));
  }

  /// ExcludedFromDependencyResolution when group `from` of this registry names `target`, an
  /// item of a dependency annotated `dependency_resolution: {exclude: true}`.
  bool hidden(const Group& from, const std::string& what, const Json& target_annotations,
              bool target_from_dependency, const SourceLocation& at) {
    if (!target_from_dependency || from_dependency_.count(&from) ||
        !excluded_from_dependents(target_annotations)) {
      return false;
    }
    d_.error("ExcludedFromDependencyResolution", at, from.id,
             fmt::format("{} is defined by a dependency with `dependency_resolution: {{exclude: "
                         "true}}`: it cannot be used by registries that depend on it",
                         what));
    return true;
  }

  static CatalogAttribute definition_attribute(const AttributeSpec& a) {
    CatalogAttribute c;
    c.key = a.key;
    c.type = a.type.value_or(AttributeType{"string", {}});
    c.brief = a.brief.value_or("");
    c.note = a.note.value_or("");
    c.examples = a.examples.value_or(Json());
    c.stability = a.stability.value_or("");
    c.deprecated = a.deprecated;
    c.annotations = a.annotations.value_or(Json::object());
    c.location = a.location;
    return c;
  }

  static Json catalog_identity(const CatalogAttribute& c) {
    Json members = Json::array();
    for (const EnumMember& m : c.type.members) {
      members.push_back(
          {m.id, m.value, m.brief, m.note, m.stability.value_or(""),
           m.deprecated ? m.deprecated->reason + m.deprecated->renamed_to + m.deprecated->note : "",
           m.annotations});
    }
    return Json::array({c.key, c.type.name, members, c.brief, c.note, c.examples, c.stability,
                        c.deprecated ? Json::array({c.deprecated->reason, c.deprecated->renamed_to,
                                                    c.deprecated->note})
                                     : Json(),
                        c.annotations});
  }

  std::size_t intern(const CatalogAttribute& c) {
    std::string identity = catalog_identity(c).dump();
    auto [it, inserted] = catalog_index_.emplace(identity, out_.catalog.size());
    if (inserted) out_.catalog.push_back(c);
    return it->second;
  }

  /// Interns a shared attribute once, however many signals use it.
  std::size_t intern(const std::shared_ptr<const CatalogAttribute>& c) {
    auto [it, inserted] = interned_.emplace(c, 0);
    if (inserted) it->second = intern(*c);
    return it->second;
  }

  /// Applies one `ref:` (or inline definition) to `uses`. `repeated`: an earlier entry of the
  /// same `attributes:` list referenced this key already.
  void apply_spec(const Group& g, const AttributeSpec& a, Uses& uses, UseIndex& index,
                  bool repeated) {
    std::shared_ptr<const CatalogAttribute> attribute;
    if (a.form == AttributeSpec::Form::kDefinition) {
      auto def = definitions_.find(a.key);
      attribute = def != definitions_.end() && def->second == &a
                      ? definition_attributes_.at(a.key)
                      : std::make_shared<const CatalogAttribute>(definition_attribute(a));
    } else {
      auto def = definition_attributes_.find(a.key);
      if (def == definition_attributes_.end()) {
        bool unloaded = registry_.dependencies.size() < registry_.manifest.dependencies.size();
        d_.error("UnresolvedAttributeRef", a.location, g.id + "/" + a.key,
                 fmt::format("`ref: {}` names no attribute defined in the registry{}", a.key,
                             unloaded ? " or its loaded dependencies (a dependency was not "
                                        "loaded: see DependencyNotLocal)"
                                      : ""));
        return;
      }
      if (dependency_keys_.count(a.key)) {
        if (hidden(g, fmt::format("attribute `{}`", a.key), def->second->annotations, true,
                   a.location)) {
          return;
        }
        use_dependency_attribute(a.key);
      }
      attribute = def->second;
    }
    Use* existing = index.find(uses, a.key);
    if (existing && a.form == AttributeSpec::Form::kReference) {
      attribute = existing->attribute;  // overrides stack on what the signal already had
    }
    if (a.form == AttributeSpec::Form::kReference &&
        (a.brief || a.note || a.examples || a.stability || a.deprecated || a.annotations)) {
      auto changed = std::make_shared<CatalogAttribute>(*attribute);
      if (a.brief) changed->brief = *a.brief;
      if (a.note) changed->note = *a.note;
      if (a.examples) changed->examples = *a.examples;
      if (a.stability) changed->stability = *a.stability;
      if (a.deprecated) changed->deprecated = a.deprecated;
      if (a.annotations) deep_merge(changed->annotations, *a.annotations);
      attribute = std::move(changed);
    }
    Use use;
    use.attribute = std::move(attribute);
    if (a.requirement_level) {
      use.ref.requirement_level = *a.requirement_level;
    } else if (existing) {
      use.ref.requirement_level = existing->ref.requirement_level;
    }
    use.ref.sampling_relevant = a.sampling_relevant
                                    ? a.sampling_relevant
                                    : (existing ? existing->ref.sampling_relevant : std::nullopt);
    use.ref.role = a.role ? *a.role : (existing ? existing->ref.role : "");
    if (existing && repeated) {
      // Two references in one list: the last one is the signal's, but the policies must see
      // the earlier one too (an `opt_in` after a `required` must not hide the `required`).
      use.replaced = std::move(existing->replaced);
      use.replaced.push_back({*existing->attribute, existing->ref});
    }
    if (existing) {
      *existing = std::move(use);
    } else {
      index.push_back(uses, std::move(use));
    }
  }

  /// The attributes of group `g` with `extends` and `ref_group`s applied; memoised.
  ///
  /// Iterative: an explicit stack of frames stands in for the recursion through `extends` and
  /// `ref_group`, so a chain of any length (10,000 groups each extending the next) cannot
  /// overflow the call stack. Each frame resumes where it left off, so diagnostics come in the
  /// order a recursive walk gives them: the parent's, then each included group's (interleaved
  /// with this group's unresolved `ref_group`s), then this group's own refs.
  const Uses& attributes_of(const Group& g) {
    if (auto it = resolved_.find(&g); it != resolved_.end()) return it->second;
    if (in_progress_.count(&g)) return circular(g);
    struct Frame {
      const Group* group;
      Uses uses;
      bool extends_done = false;
      std::size_t next = 0;            // the next attribute spec to look at for ref_groups
      const Group* waiting = nullptr;  // the dependency being resolved above this frame
    };
    std::vector<Frame> stack;
    in_progress_.insert(&g);
    stack.push_back(Frame{&g, {}});
    // The uses of dependency `p` of frame `f`: memoised, just resolved by the frame above, or
    // empty on a cycle; nullptr when `p` must be resolved first.
    auto obtain = [&](Frame& f, const Group* p) -> const Uses* {
      if (f.waiting == p) {
        f.waiting = nullptr;
        return &resolved_.at(p);
      }
      if (auto it = resolved_.find(p); it != resolved_.end()) return &it->second;
      if (in_progress_.count(p)) return &circular(*p);
      return nullptr;
    };
    while (true) {
      Frame& f = stack.back();
      const Group& x = *f.group;
      const Group* descend = nullptr;
      if (!f.extends_done) {
        if (!x.extends.empty()) {
          auto parent = groups_.find(x.extends);
          if (parent == groups_.end()) {
            d_.error("UnresolvedExtendsRef", x.location, x.id,
                     fmt::format("`extends: {}` names no group in the registry", x.extends));
          } else if (hidden(x, fmt::format("group `{}`", x.extends), parent->second->annotations,
                            from_dependency_.count(parent->second) > 0, x.location)) {
          } else if (const Uses* inherited = obtain(f, parent->second)) {
            f.uses = *inherited;
            for (Use& u : f.uses) u.via_group.clear();
          } else {
            descend = parent->second;
          }
        }
        f.extends_done = descend == nullptr;
      }
      for (; !descend && f.next < x.attributes.size(); ++f.next) {
        const AttributeSpec& a = x.attributes[f.next];
        if (a.form != AttributeSpec::Form::kGroupReference) continue;
        const Group* included = included_group(x, a);
        if (!included) continue;
        if (const Uses* brought = obtain(f, included)) {
          bring_group(x, a, *brought, f.uses);
        } else {
          descend = included;
          break;  // resume at this spec once `included` is resolved
        }
      }
      if (descend) {
        f.waiting = descend;
        in_progress_.insert(descend);
        stack.push_back(Frame{descend, {}});  // `f` is not used past this point
        continue;
      }
      apply_inline_specs(x, x.attributes, f.uses);
      charge(x, f.uses);
      in_progress_.erase(&x);
      const Uses& done = resolved_[&x] = std::move(f.uses);
      stack.pop_back();
      if (stack.empty()) return done;
    }
  }

  /// Counts `uses` against kMaxAttributeUses; past it, reports coretel_resolution_too_large
  /// (once) and empties `uses`, so that resolution stays within memory and time.
  void charge(const Group& g, Uses& uses) {
    if (!over_budget_ && total_uses_ + uses.size() <= kMaxAttributeUses) {
      total_uses_ += uses.size();
      return;
    }
    if (!over_budget_) {
      over_budget_ = true;
      d_.error("coretel_resolution_too_large", g.location, g.id,
               fmt::format("resolving `{}` takes the registry past {} attribute uses (every "
                           "group holds the attributes of the groups it extends or includes); "
                           "shorten its `extends` / `ref_group` chain",
                           g.id, kMaxAttributeUses));
    }
    uses.clear();
  }

  /// CircularExtends for `g`, reached again while its own attributes are being resolved.
  const Uses& circular(const Group& g) {
    static const Uses kEmpty;
    d_.error("CircularExtends", g.location, g.id,
             fmt::format("group `{}` extends or includes itself (directly or through other "
                         "groups)",
                         g.id));
    return kEmpty;
  }

  /// The attribute group a `ref_group:` names, or nullptr (UnresolvedIncludeRef).
  const Group* included_group(const Group& g, const AttributeSpec& a) {
    auto included = groups_.find(a.key);
    if (included == groups_.end() || included->second->type != GroupType::kAttributeGroup) {
      d_.error("UnresolvedIncludeRef", a.location, g.id,
               fmt::format("`ref_group: {}` names no attribute group in the registry", a.key));
      return nullptr;
    }
    if (hidden(g, fmt::format("attribute group `{}`", a.key), included->second->annotations,
               from_dependency_.count(included->second) > 0, a.location)) {
      return nullptr;
    }
    return included->second;
  }

  /// Adds the attributes a `ref_group:` brings (two groups bringing one key is
  /// DuplicateAttributeId).
  void bring_group(const Group& g, const AttributeSpec& a, const Uses& brought_uses, Uses& uses) {
    UseIndex index(uses);
    for (const Use& brought : brought_uses) {
      Use* existing = index.find(uses, brought.attribute->key);
      if (existing && !existing->via_group.empty() && existing->via_group != a.key) {
        d_.error("DuplicateAttributeId", a.location, brought.attribute->key,
                 fmt::format("attribute `{}` is brought onto `{}` by two groups, [{}, {}]",
                             brought.attribute->key, g.id, existing->via_group, a.key));
        continue;
      }
      Use copy = brought;
      copy.via_group = a.key;
      if (existing) {
        if (!brought.ref.requirement_level.text.empty() ||
            brought.ref.requirement_level.level != "recommended") {
          copy.ref.requirement_level = brought.ref.requirement_level;
        } else {
          copy.ref.requirement_level = existing->ref.requirement_level;
        }
        *existing = std::move(copy);
      } else {
        index.push_back(uses, std::move(copy));
      }
    }
  }

  void apply_inline_specs(const Group& g, const std::vector<AttributeSpec>& specs, Uses& uses) {
    std::set<std::string> seen;
    UseIndex index(uses);
    for (const AttributeSpec& a : specs) {
      if (a.form == AttributeSpec::Form::kGroupReference) continue;
      bool repeated = !seen.insert(a.key).second;
      apply_spec(g, a, uses, index, repeated);
    }
  }

  /// The references `uses` replaced (Use::replaced), interned for Signal::replaced.
  static std::vector<ReplacedReference> replaced_of(const Uses& uses) {
    std::vector<ReplacedReference> replaced;
    for (const Use& u : uses) replaced.insert(replaced.end(), u.replaced.begin(), u.replaced.end());
    return replaced;
  }

  /// ref_groups first (two groups bringing one key is DuplicateAttributeId), then inline refs.
  void apply_specs(const Group& g, const std::vector<AttributeSpec>& specs, Uses& uses) {
    for (const AttributeSpec& a : specs) {
      if (a.form != AttributeSpec::Form::kGroupReference) continue;
      if (const Group* included = included_group(g, a)) {
        bring_group(g, a, attributes_of(*included), uses);
      }
    }
    apply_inline_specs(g, specs, uses);
  }

  std::vector<AttributeRef> intern_all(const Uses& uses) {
    std::vector<AttributeRef> refs;
    for (const Use& u : uses) {
      AttributeRef ref = u.ref;
      ref.base = intern(u.attribute);
      refs.push_back(std::move(ref));
    }
    if (!refs.empty() && refs.front().role.size()) {
      std::stable_sort(refs.begin(), refs.end(), [](const AttributeRef& a, const AttributeRef& b) {
        return (a.role == "identifying") > (b.role == "identifying");
      });
    }
    return refs;
  }

  static std::string signal_name(const Group& g) {
    switch (g.type) {
      case GroupType::kMetric:
        return g.metric_name;
      case GroupType::kEvent:
      case GroupType::kSpan:
      case GroupType::kEntity:
        return g.name.empty() ? g.id : g.name;
      default:
        return g.id;
    }
  }

  Signal base_signal(const Group& g) {
    Signal s;
    s.group_id = g.id;
    s.name = signal_name(g);
    s.brief = g.brief.value_or("");
    s.note = g.note;
    s.stability = g.stability.value_or("");
    s.deprecated = g.deprecated;
    s.annotations = g.annotations;
    s.entity_associations = g.entity_associations;
    s.display_name = g.display_name;
    s.instrument = g.instrument;
    s.unit = g.unit;
    s.span_kind = g.span_kind;
    s.span_name_note = g.span_name_note;
    s.requirement_level = g.signal_requirement_level.value_or("");
    s.location = g.location;
    return s;
  }

  std::vector<Signal>* list_for(GroupType type, bool refinement) {
    switch (type) {
      case GroupType::kAttributeGroup:
        return refinement ? nullptr : &out_.attribute_groups;
      case GroupType::kMetric:
        return refinement ? &out_.metric_refinements : &out_.metrics;
      case GroupType::kSpan:
        return refinement ? &out_.span_refinements : &out_.spans;
      case GroupType::kEvent:
        return refinement ? &out_.event_refinements : &out_.events;
      case GroupType::kEntity:
        return refinement ? &out_.entity_refinements : &out_.entities;
      default:
        return nullptr;
    }
  }

  static SignalKind kind_of(GroupType type) {
    switch (type) {
      case GroupType::kMetric:
        return SignalKind::kMetric;
      case GroupType::kSpan:
        return SignalKind::kSpan;
      case GroupType::kEvent:
        return SignalKind::kEvent;
      case GroupType::kEntity:
        return SignalKind::kEntity;
      default:
        return SignalKind::kAttributeGroup;
    }
  }

  void emit_signal(const Group& g, bool from_dependency = false) {
    std::vector<Signal>* list = list_for(g.type, false);
    if (!list) {
      attributes_of(g);
      return;
    }
    Signal s = base_signal(g);
    s.kind = kind_of(g.type);
    s.from_dependency = from_dependency;
    const Uses& uses = attributes_of(g);
    s.attributes = intern_all(uses);
    s.replaced = replaced_of(uses);
    signal_uses_[{g.type, s.name}] = uses;
    list->push_back(std::move(s));
  }

  /// The signals and attribute groups of the dependencies that `imports:` globs select
  /// (UnmatchedImport for a glob that selects nothing).
  void apply_imports() {
    // A signal is imported once, however many globs or dependency paths select it, and not
    // at all when the registry defines one of that name itself (its own definition wins).
    std::set<std::pair<GroupType, std::string>> present;
    for (GroupType t : {GroupType::kMetric, GroupType::kEvent, GroupType::kSpan, GroupType::kEntity,
                        GroupType::kAttributeGroup}) {
      if (const std::vector<Signal>* list = list_for(t, false)) {
        for (const Signal& signal : *list) present.insert({t, signal.name});
      }
    }
    for (const Import& import : registry_.imports) {
      GroupType type = import.section == "metrics"    ? GroupType::kMetric
                       : import.section == "events"   ? GroupType::kEvent
                       : import.section == "spans"    ? GroupType::kSpan
                       : import.section == "entities" ? GroupType::kEntity
                                                      : GroupType::kAttributeGroup;
      bool matched = false;
      for (const Group* g : dependency_groups_) {
        if (g->is_refinement || g->type != type) continue;
        if (type == GroupType::kAttributeGroup &&
            std::any_of(g->attributes.begin(), g->attributes.end(),
                        [](const auto& a) { return a.form == AttributeSpec::Form::kDefinition; })) {
          continue;  // an attribute registry, not a group signals share
        }
        if (fnmatch(import.pattern.c_str(), signal_name(*g).c_str(), 0) != 0) continue;
        if (excluded_from_dependents(g->annotations)) continue;
        matched = true;
        if (!present.insert({type, signal_name(*g)}).second) continue;
        emit_signal(*g, /*from_dependency=*/true);
      }
      if (!matched) {
        d_.warning("UnmatchedImport", import.location, import.pattern,
                   fmt::format("`imports.{}: {}` matches nothing in the registry's dependencies",
                               import.section, import.pattern));
      }
    }
  }

  void emit_refinement(const Group& g) {
    std::vector<Signal>* bases = list_for(g.type, false);
    std::vector<Signal>* list = list_for(g.type, true);
    const Signal* base = nullptr;
    if (bases) {
      for (const Signal& s : *bases) {
        if (s.name == g.refines) base = &s;
      }
    }
    if (!base || !list) {
      d_.error("InvalidRefinement", g.location, g.id,
               fmt::format("`ref: {}` names no {} to refine", g.refines, to_string(g.type)));
      return;
    }
    Signal s = *base;
    s.group_id = g.id;
    s.refines = base->name;
    s.location = g.location;
    if (g.brief) s.brief = *g.brief;
    if (!g.note.empty()) s.note = g.note;
    if (g.stability) s.stability = *g.stability;
    if (g.deprecated) s.deprecated = g.deprecated;
    deep_merge(s.annotations, g.annotations);
    Uses uses = signal_uses_[{g.type, base->name}];
    for (Use& u : uses) u.via_group.clear();
    if (g.type == GroupType::kEntity) check_entity_refinement(g, uses);
    apply_specs(g, g.attributes, uses);
    charge(g, uses);
    s.attributes = intern_all(uses);
    s.replaced = replaced_of(uses);
    list->push_back(std::move(s));
  }

  /// A refinement may refine identity attributes only under `identity`, and may add only
  /// descriptive attributes (Weaver resolver tests v2-6/7/8).
  void check_entity_refinement(const Group& g, const Uses& base) {
    for (const AttributeSpec& a : g.attributes) {
      if (a.form != AttributeSpec::Form::kReference || !a.role) continue;
      Use* existing = find_use(const_cast<Uses&>(base), a.key);
      std::string base_role = existing ? existing->ref.role : "";
      bool changed = existing ? base_role != *a.role : *a.role == "identifying";
      if (changed) {
        d_.error("EntityRefinementChangedIdentity", a.location, g.id + "/" + a.key,
                 fmt::format("refinement `{}` makes `{}` {}; a refinement cannot change an "
                             "entity's identity",
                             g.id, a.key, *a.role));
      }
    }
  }

  void check_duplicate_names() {
    auto check = [&](const std::vector<Signal>& signals, const char* id, const char* what) {
      std::map<std::string, std::vector<const Signal*>> by_name;
      for (const Signal& s : signals) by_name[s.name].push_back(&s);
      for (const Signal& s : signals) {
        const auto& same = by_name[s.name];
        if (same.size() < 2 || same[1] != &s) continue;
        std::vector<std::string> places;
        for (const Signal* other : same) {
          places.push_back(fmt::format("`{}` ({}:{})", other->group_id, other->location.file,
                                       other->location.line));
        }
        d_.warning(id, s.location, s.group_id,
                   fmt::format("{} `{}` is declared {} times, by {}", what, s.name, same.size(),
                               fmt::join(places, ", ")));
      }
    };
    check(out_.metrics, "DuplicateMetricName", "metric");
    check(out_.events, "DuplicateGroupName", "event");
    check(out_.entities, "DuplicateGroupName", "entity");
  }

  // -------------------------------------------------------------- coretel metric sets

  /// The attribute group a metric's set tuple comes from: its `extends` (v1) or its one
  /// `ref_group` (v2).
  std::string shared_group_of(const Group& g) {
    if (!g.extends.empty()) return g.extends;
    for (const AttributeSpec& a : g.attributes) {
      if (a.form == AttributeSpec::Form::kGroupReference) return a.key;
    }
    return "";
  }

  void build_metric_sets() {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < out_.metrics.size(); ++i) {
      const Signal& m = out_.metrics[i];
      if (!m.coretel) continue;
      const std::string& name = m.coretel->metric_set;
      const Group& g = *groups_.at(m.group_id);
      std::string shared = shared_group_of(g);
      auto [it, inserted] = index.emplace(name, out_.metric_sets.size());
      if (inserted) {
        MetricSet set;
        set.name = name;
        set.attribute_group = shared;
        set.location = m.location;
        set.brief = m.brief;
        if (auto grp = groups_.find(shared); grp != groups_.end() && grp->second->brief) {
          set.brief = *grp->second->brief;
        }
        for (const AttributeRef& ref : m.attributes) {
          (out_.catalog[ref.base].coretel.measurement ? set.measurement_attributes : set.attributes)
              .push_back(ref);
        }
        out_.metric_sets.push_back(std::move(set));
      } else {
        MetricSet& set = out_.metric_sets[it->second];
        const Signal& first = out_.metrics[set.metrics.front()];
        std::set<std::string> a_keys, b_keys;
        for (const AttributeRef& r : first.attributes) a_keys.insert(out_.catalog[r.base].key);
        for (const AttributeRef& r : m.attributes) b_keys.insert(out_.catalog[r.base].key);
        if (a_keys != b_keys || shared != set.attribute_group) {
          d_.error("coretel_metric_set_attributes_differ", m.location, m.name,
                   fmt::format("metric `{}` is in metric set `{}` but its attributes differ from "
                               "`{}`'s; members of a set share one attribute group",
                               m.name, name, first.name));
        }
      }
      out_.metric_sets[it->second].metrics.push_back(i);
    }
  }

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
};

}  // namespace

ResolvedRegistry resolve(const RegistryDefinition& registry, Diagnostics& diagnostics) {
  return Resolver(registry, diagnostics).run();
}

}  // namespace coretel::schema
