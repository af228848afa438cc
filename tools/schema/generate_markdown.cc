#include "generate_markdown.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace coretel::schema {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ text helpers

/// The root namespace of a key or name: its first dot-segment. Names that are group ids
/// (refinements, `metric.hw.enclosure.status`) skip their kind prefix, as Weaver's
/// `semconv_grouped_spans` does.
std::string root_namespace(std::string_view name, bool is_group_id = false,
                           SignalKind kind = SignalKind::kAttributeGroup) {
  if (is_group_id && kind != SignalKind::kAttributeGroup) {
    std::string prefix = std::string(to_string(kind)) + ".";
    if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size())
      name.remove_prefix(prefix.size());
  }
  return std::string(name.substr(0, name.find('.')));
}

/// The page file of a namespace: only [A-Za-z0-9_-] kept, and never the index's name.
std::string page_file(const std::string& ns) {
  std::string file;
  for (char c : ns) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    file += safe ? c : '_';
  }
  if (file.empty()) file = "_";
  if (file == "README" || file == "readme") file += "_";
  return file + ".md";
}

std::string escape_pipes(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

bool starts_list_item(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos) return false;
  line.remove_prefix(i);
  if (line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0) return true;
  std::size_t digits = line.find_first_not_of("0123456789");
  return digits > 0 && digits != std::string_view::npos && line.substr(digits).rfind(". ", 0) == 0;
}

/// Free text (a brief, a note) as the content of one table cell: `|` escaped, and the line
/// structure kept the way Markdown reads it: a soft line break becomes a space, a paragraph
/// break `<br><br>`, and a list item starts on its own line (`<br>`).
std::string cell(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    lines.emplace_back(line);
    start = end + 1;
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) {
    lines.pop_back();
  }
  std::string out;
  bool paragraph_break = false;
  for (const std::string& line : lines) {
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) {
      paragraph_break = !out.empty();
      continue;
    }
    std::string_view content = std::string_view(line).substr(first);
    if (!out.empty()) {
      if (paragraph_break) {
        out += "<br><br>";
      } else if (starts_list_item(content)) {
        out += "<br>";
      } else {
        out += ' ';
      }
    }
    paragraph_break = false;
    out += escape_pipes(content);
  }
  return out;
}

/// `text` as a code span inside a table cell.
std::string code(std::string_view text) {
  std::string body = escape_pipes(text);
  std::replace(body.begin(), body.end(), '\n', ' ');
  if (body.find('`') != std::string::npos) return "`` " + body + " ``";
  return "`" + body + "`";
}

std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& c : cells) out += c.empty() ? " |" : " " + c + " |";
  return out + "\n";
}

std::string header(const std::vector<std::string>& titles) {
  std::string out = row(titles) + "|";
  for (std::size_t i = 0; i < titles.size(); ++i) out += "---|";
  return out + "\n";
}

std::string stability_of(std::optional<RegistryStability> stability) {
  return stability_or_development(stability);
}

std::string deprecation_text(const std::optional<Deprecated>& d) {
  if (!d) return "";
  std::string out;
  if (d->reason == "renamed" && !d->renamed_to.empty()) {
    out = "renamed to " + code(d->renamed_to);
  } else {
    out = d->reason.empty() ? "deprecated" : cell(d->reason);
    if (!d->renamed_to.empty()) out += ", renamed to " + code(d->renamed_to);
  }
  if (!d->note.empty()) out += ": " + cell(d->note);
  return out;
}

/// A signal's stability cell: its stability, and its deprecation when it has one.
std::string status_text(const Signal& s) {
  std::string out = stability_of(s.stability);
  if (s.deprecated) out += "<br>**deprecated**: " + deprecation_text(s.deprecated);
  return out;
}

std::string enum_value(const Json& value) {
  if (value.is_string()) return code(value.get<std::string>());
  return code(value.dump());
}

std::string enum_values(const AttributeType& type) {
  std::vector<std::string> values;
  for (const EnumMember& m : type.members) {
    values.push_back(enum_value(m.value) + (m.deprecated ? " (deprecated)" : ""));
  }
  return fmt::format("{}", fmt::join(values, ", "));
}

std::string type_text(const AttributeType& type) {
  if (type.is_enum()) return "enum: " + enum_values(type);
  return code(type.name);
}

/// How a key is shown: a template stands for the family `key.<key>`.
std::string key_text(const CatalogAttribute& a) {
  return code(a.type.is_template() ? a.key + ".<key>" : a.key);
}

std::string requirement_text(const Requirement& requirement) {
  return std::string(to_string(requirement.level));
}

std::vector<const AttributeRef*> sorted_refs(const ResolvedRegistry& r,
                                             const std::vector<AttributeRef>& refs) {
  std::vector<const AttributeRef*> out;
  for (const AttributeRef& ref : refs) out.push_back(&ref);
  std::stable_sort(out.begin(), out.end(), [&](const AttributeRef* a, const AttributeRef* b) {
    return r.attribute(*a).key < r.attribute(*b).key;
  });
  return out;
}

/// A list of attribute uses in one cell: "`key` (level)", one per line.
std::string attribute_uses(const ResolvedRegistry& r,
                           const std::vector<const AttributeRef*>& refs) {
  std::vector<std::string> items;
  for (const AttributeRef* ref : refs) {
    items.push_back(key_text(r.attribute(*ref)) + " (" + requirement_text(ref->requirement_level) +
                    ")");
  }
  return fmt::format("{}", fmt::join(items, "<br>"));
}

std::string attribute_uses(const ResolvedRegistry& r, const std::vector<AttributeRef>& refs) {
  return attribute_uses(r, sorted_refs(r, refs));
}

// ------------------------------------------------------------------ namespaces

struct Namespace {
  std::vector<const CatalogAttribute*> attributes;
  std::vector<const Signal*> attribute_groups;
  std::vector<const Signal*> metrics;
  std::vector<const Signal*> metric_refinements;
  std::vector<const MetricSet*> metric_sets;
  std::vector<const Signal*> events;
  std::vector<const Signal*> event_refinements;
  std::vector<const Signal*> spans;
  std::vector<const Signal*> span_refinements;
  std::vector<const Signal*> entities;
  std::vector<const Signal*> entity_refinements;
};

void sort_signals(std::vector<const Signal*>& signals) {
  std::stable_sort(signals.begin(), signals.end(), [](const Signal* a, const Signal* b) {
    return std::tie(a->name, a->group_id) < std::tie(b->name, b->group_id);
  });
}

void sort_refinements(std::vector<const Signal*>& signals) {
  std::stable_sort(signals.begin(), signals.end(), [](const Signal* a, const Signal* b) {
    return std::tie(a->group_id, a->name) < std::tie(b->group_id, b->name);
  });
}

std::map<std::string, Namespace> group_by_namespace(const ResolvedRegistry& r) {
  std::map<std::string, Namespace> out;
  for (std::size_t index : r.attributes) {
    const CatalogAttribute& a = r.catalog[index];
    out[root_namespace(a.key)].attributes.push_back(&a);
  }
  auto add = [&](const std::vector<Signal>& signals, std::vector<const Signal*> Namespace::*list,
                 bool refinement) {
    for (const Signal& s : signals) {
      // A refinement is named by its own id; its `name` is the refined signal's.
      const std::string& name = refinement ? s.group_id : s.name;
      (out[root_namespace(name, refinement, s.kind)].*list).push_back(&s);
    }
  };
  add(r.attribute_groups, &Namespace::attribute_groups, false);
  add(r.metrics, &Namespace::metrics, false);
  add(r.metric_refinements, &Namespace::metric_refinements, true);
  add(r.events, &Namespace::events, false);
  add(r.event_refinements, &Namespace::event_refinements, true);
  add(r.spans, &Namespace::spans, false);
  add(r.span_refinements, &Namespace::span_refinements, true);
  add(r.entities, &Namespace::entities, false);
  add(r.entity_refinements, &Namespace::entity_refinements, true);
  for (const MetricSet& set : r.metric_sets)
    out[root_namespace(set.name)].metric_sets.push_back(&set);

  for (auto& [name, ns] : out) {
    std::stable_sort(
        ns.attributes.begin(), ns.attributes.end(),
        [](const CatalogAttribute* a, const CatalogAttribute* b) { return a->key < b->key; });
    for (auto* list : {&ns.attribute_groups, &ns.metrics, &ns.events, &ns.spans, &ns.entities}) {
      sort_signals(*list);
    }
    for (auto* list : {&ns.metric_refinements, &ns.event_refinements, &ns.span_refinements,
                       &ns.entity_refinements}) {
      sort_refinements(*list);
    }
    std::stable_sort(ns.metric_sets.begin(), ns.metric_sets.end(),
                     [](const MetricSet* a, const MetricSet* b) { return a->name < b->name; });
  }
  return out;
}

// ------------------------------------------------------------------ sections

std::string attributes_section(const Namespace& ns) {
  std::string out = "## Attributes\n\n";
  out += header({"Key", "Type", "Brief", "Stability", "Deprecation"});
  for (const CatalogAttribute* a : ns.attributes) {
    out += row({key_text(*a), type_text(a->type), cell(a->brief), stability_of(a->stability),
                deprecation_text(a->deprecated)});
  }
  return out + "\n";
}

std::string attribute_groups_section(const ResolvedRegistry& r, const Namespace& ns) {
  std::string out = "## Attribute groups\n\n";
  out += header({"Group", "Brief", "Stability", "Attributes"});
  for (const Signal* g : ns.attribute_groups) {
    out += row({code(g->name), cell(g->brief), status_text(*g), attribute_uses(r, g->attributes)});
  }
  return out + "\n";
}

std::string refinements_table(const ResolvedRegistry& r, const std::string& title,
                              const std::vector<const Signal*>& refinements) {
  if (refinements.empty()) return "";
  std::string out = "### " + title + "\n\n";
  out += header({"Refinement", "Refines", "Brief", "Stability", "Attributes"});
  for (const Signal* s : refinements) {
    out += row({code(s->group_id), code(s->refines), cell(s->brief), status_text(*s),
                attribute_uses(r, s->attributes)});
  }
  return out + "\n";
}

std::string metrics_section(const ResolvedRegistry& r, const Namespace& ns) {
  std::string out = "## Metrics\n\n";
  if (!ns.metrics.empty()) {
    out += header({"Metric", "Instrument", "Unit", "Brief", "Stability", "Attributes"});
    for (const Signal* m : ns.metrics) {
      out += row({code(m->name), cell(instrument_text(m->instrument)),
                  m->unit.empty() ? "" : code(m->unit), cell(m->brief), status_text(*m),
                  attribute_uses(r, m->attributes)});
    }
    out += "\n";
  }
  return out + refinements_table(r, "Metric refinements", ns.metric_refinements);
}

/// One metric set: its brief, shared group, attributes (entity tuple, then the per-record
/// measurement dimensions with their values) and member metrics.
std::string metric_set_block(const ResolvedRegistry& r, const MetricSet& set,
                             const std::string& page) {
  std::string out = "### " + code(set.name) + "\n\n";
  if (!set.brief.empty()) out += cell(set.brief) + "\n\n";
  if (!page.empty()) out += "- Namespace page: [" + page + "](" + page + ")\n";
  if (!set.attribute_group.empty()) out += "- Attribute group: " + code(set.attribute_group) + "\n";
  auto list = [&](const std::vector<AttributeRef>& refs, bool values) {
    std::vector<std::string> items;
    for (const AttributeRef* ref : sorted_refs(r, refs)) {
      const CatalogAttribute& a = r.attribute(*ref);
      std::string item = key_text(a) + " (" + requirement_text(ref->requirement_level) + ")";
      if (values && a.type.is_enum()) item += ": " + enum_values(a.type);
      items.push_back(std::move(item));
    }
    return items.empty() ? std::string("none") : fmt::format("{}", fmt::join(items, ", "));
  };
  out += "- Attributes (given at registration): " + list(set.attributes, false) + "\n";
  if (!set.registration_attributes.empty()) {
    out += "- Registration attributes (given at registration, on each data point): " +
           list(set.registration_attributes, false) + "\n";
  }
  out +=
      "- Measurement attributes (per record): " + list(set.measurement_attributes, true) + "\n\n";

  std::vector<const Signal*> members;
  for (std::size_t index : set.metrics) members.push_back(&r.metrics[index]);
  sort_signals(members);
  out += header({"Metric", "Instrument", "Unit", "Brief"});
  for (const Signal* m : members) {
    out += row({code(m->name), cell(instrument_text(m->instrument)),
                m->unit.empty() ? "" : code(m->unit), cell(m->brief)});
  }
  return out + "\n";
}

std::string metric_sets_section(const ResolvedRegistry& r, const Namespace& ns) {
  std::string out = "## Metric sets\n\n";
  for (const MetricSet* set : ns.metric_sets) out += metric_set_block(r, *set, "");
  return out;
}

std::string events_section(const ResolvedRegistry& r, const Namespace& ns) {
  std::string out = "## Events\n\n";
  if (!ns.events.empty()) {
    out += header({"Event", "Brief", "Stability", "Attributes"});
    for (const Signal* e : ns.events) {
      out +=
          row({code(e->name), cell(e->brief), status_text(*e), attribute_uses(r, e->attributes)});
    }
    out += "\n";
  }
  return out + refinements_table(r, "Event refinements", ns.event_refinements);
}

std::string spans_section(const ResolvedRegistry& r, const Namespace& ns) {
  std::string out = "## Spans\n\n";
  if (!ns.spans.empty()) {
    out += header({"Span", "Kind", "Brief", "Stability", "Attributes"});
    for (const Signal* s : ns.spans) {
      out += row({code(s->name), cell(s->span_kind), cell(s->brief), status_text(*s),
                  attribute_uses(r, s->attributes)});
    }
    out += "\n";
  }
  return out + refinements_table(r, "Span refinements", ns.span_refinements);
}

std::string entities_section(const ResolvedRegistry& r, const Namespace& ns) {
  auto split = [&](const Signal& e, bool identity) {
    std::vector<const AttributeRef*> refs;
    for (const AttributeRef* ref : sorted_refs(r, e.attributes)) {
      if ((ref->role == "identifying") == identity) refs.push_back(ref);
    }
    return attribute_uses(r, refs);
  };
  auto table = [&](const std::vector<const Signal*>& entities, bool refinement) {
    std::string out =
        refinement
            ? header({"Refinement", "Refines", "Brief", "Stability", "Identity", "Description"})
            : header({"Entity", "Brief", "Stability", "Identity", "Description"});
    for (const Signal* e : entities) {
      std::vector<std::string> cells;
      if (refinement) {
        cells = {code(e->group_id), code(e->refines)};
      } else {
        cells = {code(e->name)};
      }
      for (std::string c : {cell(e->brief), status_text(*e), split(*e, true), split(*e, false)}) {
        cells.push_back(std::move(c));
      }
      out += row(cells);
    }
    return out + "\n";
  };
  std::string out = "## Entities\n\n";
  if (!ns.entities.empty()) out += table(ns.entities, false);
  if (!ns.entity_refinements.empty()) {
    out += "### Entity refinements\n\n" + table(ns.entity_refinements, true);
  }
  return out;
}

std::string namespace_page(const ResolvedRegistry& r, const std::string& name,
                           const Namespace& ns) {
  std::string out = "# " + name + "\n\n";
  out += "<!-- Generated by `coretel-schema generate markdown`; do not edit. -->\n\n";
  out += "[Index](README.md)\n\n";
  if (!ns.attributes.empty()) out += attributes_section(ns);
  if (!ns.attribute_groups.empty()) out += attribute_groups_section(r, ns);
  if (!ns.metrics.empty() || !ns.metric_refinements.empty()) out += metrics_section(r, ns);
  if (!ns.metric_sets.empty()) out += metric_sets_section(r, ns);
  if (!ns.events.empty() || !ns.event_refinements.empty()) out += events_section(r, ns);
  if (!ns.spans.empty() || !ns.span_refinements.empty()) out += spans_section(r, ns);
  if (!ns.entities.empty() || !ns.entity_refinements.empty()) out += entities_section(r, ns);
  // One trailing newline, not the blank line the last section leaves.
  while (out.size() > 1 && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

std::string index_page(const ResolvedRegistry& r, const std::map<std::string, Namespace>& spaces) {
  std::string out = "# Telemetry registry\n\n";
  out += "<!-- Generated by `coretel-schema generate markdown`; do not edit. -->\n\n";
  if (!r.description.empty()) out += cell(r.description) + "\n\n";
  out +=
      "- Schema URL: " + (r.schema_url.empty() ? std::string("none") : code(r.schema_url)) + "\n";
  out += "- Stability: " + stability_of(r.stability) + "\n\n";

  std::size_t refinements = r.metric_refinements.size() + r.span_refinements.size() +
                            r.event_refinements.size() + r.entity_refinements.size();
  out += header({"Kind", "Count"});
  out += row({"Attributes", std::to_string(r.attributes.size())});
  out += row({"Attribute groups", std::to_string(r.attribute_groups.size())});
  out += row({"Metrics", std::to_string(r.metrics.size())});
  out += row({"Metric sets", std::to_string(r.metric_sets.size())});
  out += row({"Events", std::to_string(r.events.size())});
  out += row({"Spans", std::to_string(r.spans.size())});
  out += row({"Entities", std::to_string(r.entities.size())});
  out += row({"Refinements", std::to_string(refinements)});
  out += row({"Namespaces", std::to_string(spaces.size())});
  out += "\n## Namespaces\n\n";
  out +=
      header({"Namespace", "Attributes", "Metrics", "Metric sets", "Events", "Spans", "Entities"});
  for (const auto& [name, ns] : spaces) {
    std::string page = page_file(name);
    out += row({"[" + escape_pipes(name) + "](" + page + ")", std::to_string(ns.attributes.size()),
                std::to_string(ns.metrics.size()), std::to_string(ns.metric_sets.size()),
                std::to_string(ns.events.size()), std::to_string(ns.spans.size()),
                std::to_string(ns.entities.size())});
  }
  out += "\n## Metric sets\n\n";
  if (r.metric_sets.empty()) {
    out += "None.\n";
    return out;
  }
  std::vector<const MetricSet*> sets;
  for (const MetricSet& set : r.metric_sets) sets.push_back(&set);
  std::stable_sort(sets.begin(), sets.end(),
                   [](const MetricSet* a, const MetricSet* b) { return a->name < b->name; });
  for (const MetricSet* set : sets) {
    out += metric_set_block(r, *set, page_file(root_namespace(set->name)));
  }
  while (out.size() > 1 && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

// ------------------------------------------------------------------ output

/// Writes `text` to `path` unless the file already holds exactly that text.
bool write_if_changed(const fs::path& path, const std::string& text, std::string& error) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.bad() && current == text) return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    error = fmt::format("cannot write {}", path.string());
    return false;
  }
  return true;
}

}  // namespace

bool generate_markdown(const ResolvedRegistry& registry, const std::filesystem::path& out_dir,
                       std::string& error) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    error = fmt::format("cannot create {}: {}", out_dir.string(),
                        ec ? ec.message() : "not a directory");
    return false;
  }
  std::map<std::string, Namespace> spaces = group_by_namespace(registry);
  if (!write_if_changed(out_dir / "README.md", index_page(registry, spaces), error)) return false;
  std::set<std::string> written{"README.md"};
  for (const auto& [name, ns] : spaces) {
    if (!write_if_changed(out_dir / page_file(name), namespace_page(registry, name, ns), error)) {
      return false;
    }
    written.insert(page_file(name));
  }
  // Pages an earlier run wrote for namespaces the registry no longer has (recognised by the
  // generated-file marker on their third line).
  for (const fs::directory_entry& entry : fs::directory_iterator(out_dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() != ".md" || written.contains(path.filename().string())) continue;
    std::ifstream in(path, std::ios::binary);
    std::string line;
    bool generated = false;
    for (int i = 0; i < 3 && std::getline(in, line); ++i) {
      generated =
          generated || line.rfind("<!-- Generated by `coretel-schema generate markdown`", 0) == 0;
    }
    in.close();
    if (generated) fs::remove(path, ec);
  }
  return true;
}

}  // namespace coretel::schema
