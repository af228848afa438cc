// resolver_groups.cc: the attributes of a group, as signals use them: `extends` (multi-level,
// iterative, CircularExtends), v2 `ref_group` (inline `ref` > `ref_group` > inherited;
// DuplicateAttributeId when two groups bring one key), `ref` overrides
// (UnresolvedAttributeRef), duplicate group ids, and the attribute-use budget
// (coretel_resolution_too_large).
#include "resolver_impl.h"

#include <fmt/format.h>

namespace coretel::schema::resolution {

void Resolver::index_groups() {
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

/// The attributes of group `g` with `extends` and `ref_group`s applied; memoised.
///
/// Iterative: an explicit stack of frames stands in for the recursion through `extends` and
/// `ref_group`, so a chain of any length (10,000 groups each extending the next) cannot
/// overflow the call stack. Each frame resumes where it left off, so diagnostics come in the
/// order a recursive walk gives them: the parent's, then each included group's (interleaved
/// with this group's unresolved `ref_group`s), then this group's own refs.
const Uses& Resolver::attributes_of(const Group& g) {
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
        } else if (!reachable(x, *parent->second)) {
          d_.error("UnresolvedExtendsRef", x.location, x.id,
                   fmt::format("`extends: {}` names a group of a registry this one does not "
                               "depend on directly, and no direct dependency imports it",
                               x.extends));
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

/// CircularExtends for `g`, reached again while its own attributes are being resolved.
const Uses& Resolver::circular(const Group& g) {
  static const Uses kEmpty;
  d_.error("CircularExtends", g.location, g.id,
           fmt::format("group `{}` extends or includes itself (directly or through other "
                       "groups)",
                       g.id));
  return kEmpty;
}

/// The attribute group a `ref_group:` names, or nullptr (UnresolvedIncludeRef).
const Group* Resolver::included_group(const Group& g, const AttributeSpec& a) {
  auto included = groups_.find(a.key);
  if (included == groups_.end() || included->second->type != GroupType::kAttributeGroup) {
    d_.error("UnresolvedIncludeRef", a.location, g.id,
             fmt::format("`ref_group: {}` names no attribute group in the registry", a.key));
    return nullptr;
  }
  if (!reachable(g, *included->second)) {
    d_.error("UnresolvedIncludeRef", a.location, g.id,
             fmt::format("`ref_group: {}` names a group of a registry this one does not depend "
                         "on directly, and no direct dependency imports it",
                         a.key));
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
void Resolver::bring_group(const Group& g, const AttributeSpec& a, const Uses& brought_uses,
                           Uses& uses) {
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
          brought.ref.requirement_level.level != RequirementLevel::kRecommended) {
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

/// Applies one `ref:` (or inline definition) to `uses`. `repeated`: an earlier entry of the
/// same `attributes:` list referenced this key already.
void Resolver::apply_spec(const Group& g, const AttributeSpec& a, Uses& uses, UseIndex& index,
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
      const std::string& named = a.embedded_from ? *a.embedded_from : a.key;
      d_.error("UnresolvedAttributeRef", a.location, g.id + "/" + named,
               fmt::format("`ref: {}` names no attribute defined in the registry{}", named,
                           unloaded ? " or its loaded dependencies (a dependency was not "
                                      "loaded: see DependencyNotLocal)"
                                    : ""));
      return;
    }
    if (dependency_keys_.count(a.key)) {
      if (!from_dependency_.count(&g) && !visible_.attribute_keys.count(a.key)) {
        d_.error("UnresolvedAttributeRef", a.location, g.id + "/" + a.key,
                 fmt::format("`ref: {}` names an attribute of a registry this one does not "
                             "depend on directly, and no direct dependency defines or uses it "
                             "(depend on that registry, or import a signal that uses it)",
                             a.key));
        return;
      }
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
    apply_overrides(a, *changed);
    attribute = std::move(changed);
  }
  Use use;
  use.attribute = std::move(attribute);
  // The ref's own level; else what the signal already had (an extended group's or the
  // refined signal's); else the definition's (Weaver's resolver inherits it, as every field a
  // ref leaves out: docs "Attribute references"); else `recommended`.
  if (a.requirement_level) {
    use.ref.requirement_level = *a.requirement_level;
  } else if (existing) {
    use.ref.requirement_level = existing->ref.requirement_level;
  } else if (auto def = definitions_.find(a.key); a.form == AttributeSpec::Form::kReference &&
                                                  def != definitions_.end() &&
                                                  def->second->requirement_level) {
    use.ref.requirement_level = *def->second->requirement_level;
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

void Resolver::apply_inline_specs(const Group& g, const std::vector<AttributeSpec>& specs,
                                  Uses& uses) {
  std::set<std::string> seen;
  UseIndex index(uses);
  for (const AttributeSpec& a : specs) {
    if (a.form == AttributeSpec::Form::kGroupReference) continue;
    bool repeated = !seen.insert(a.key).second;
    apply_spec(g, a, uses, index, repeated);
  }
}

/// ref_groups first (two groups bringing one key is DuplicateAttributeId), then inline refs.
void Resolver::apply_specs(const Group& g, const std::vector<AttributeSpec>& specs, Uses& uses) {
  for (const AttributeSpec& a : specs) {
    if (a.form != AttributeSpec::Form::kGroupReference) continue;
    if (const Group* included = included_group(g, a)) {
      bring_group(g, a, attributes_of(*included), uses);
    }
  }
  apply_inline_specs(g, specs, uses);
}

/// The references `uses` replaced (Use::replaced), interned for Signal::replaced.
std::vector<ReplacedReference> Resolver::replaced_of(const Uses& uses) {
  std::vector<ReplacedReference> replaced;
  for (const Use& u : uses) replaced.insert(replaced.end(), u.replaced.begin(), u.replaced.end());
  return replaced;
}

/// Counts `uses` against kMaxAttributeUses; past it, reports coretel_resolution_too_large
/// (once) and empties `uses`, so that resolution stays within memory and time.
void Resolver::charge(const Group& g, Uses& uses) {
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

}  // namespace coretel::schema::resolution
