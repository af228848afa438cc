// coretel-schema: checks, resolves, counts, generates from and diffs OpenTelemetry
// semantic-convention registries. `coretel-schema --help` lists the commands; docs/schema-tool.md
// describes them with examples.
//
// Exit codes: 0 success; 1 the registry has errors (or warnings with --future); 2 a stable item
// breaks (diff) or the command line is wrong.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "check.h"
#include "compatibility.h"
#include "diff.h"
#include "generate_cpp.h"
#include "generate_markdown.h"
#include "generate_python.h"
#include "live_check.h"
#include "resolved_writer.h"
#include "stats.h"

namespace fs = std::filesystem;
using namespace coretel::schema;

namespace {

void print_diagnostics(const Diagnostics& diagnostics, const std::string& format) {
  if (format == "json") {
    std::cout << format_json(diagnostics.all()) << "\n";
    return;
  }
  for (const Diagnostic& d : diagnostics.all()) std::cerr << format_text(d) << "\n";
}

/// Loads a registry for a command that needs it resolved; prints diagnostics on failure.
bool load_or_report(const std::string& dir, LoadedRegistry& loaded, bool policies) {
  Diagnostics diagnostics;
  loaded = load_registry(dir, diagnostics, CheckOptions{policies});
  if (!loaded.resolved_ok) {
    for (const Diagnostic& d : diagnostics.all()) std::cerr << format_text(d) << "\n";
    std::cerr << fmt::format("coretel-schema: {} does not resolve\n", dir);
    return false;
  }
  return true;
}

/// Prefixes every location of `registry` with `root` (a baseline's files, told apart from the
/// current registry's).
void prefix_locations(ResolvedRegistry& registry, const fs::path& root) {
  auto prefix = [&](SourceLocation& at) {
    if (!at.file.empty()) at.file = (root / at.file).lexically_normal().string();
  };
  for (CatalogAttribute& a : registry.catalog) prefix(a.location);
  for (auto* signals :
       {&registry.attribute_groups, &registry.metrics, &registry.spans, &registry.events,
        &registry.entities, &registry.metric_refinements, &registry.span_refinements,
        &registry.event_refinements, &registry.entity_refinements}) {
    for (Signal& s : *signals) prefix(s.location);
  }
  for (MetricSet& set : registry.metric_sets) prefix(set.location);
}

/// A Make-syntax depfile (as compilers write with -MD): `target` depends on every file read for
/// `definition` and its dependencies (manifests included) and on the folders holding them (a
/// file added to one changes the folder's time), so a build system regenerates when any
/// registry of the chain changes. `dir` is the registry folder the file names are relative to.
std::string depfile_text(const std::string& target, const RegistryDefinition& definition,
                         const fs::path& dir) {
  auto escape = [](const std::string& path) {
    std::string out;
    for (char c : path) {
      if (c == ' ' || c == '#' || c == '\\') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::set<std::string> inputs;
  auto add = [&](const fs::path& p) {
    fs::path absolute = fs::absolute(p).lexically_normal();
    inputs.insert(absolute.string());
    inputs.insert(absolute.parent_path().string());
  };
  std::set<const RegistryDefinition*> seen;
  std::vector<const RegistryDefinition*> pending{&definition};
  while (!pending.empty()) {
    const RegistryDefinition* r = pending.back();
    pending.pop_back();
    if (!seen.insert(r).second) continue;
    for (const std::string& file : r->files) add(dir / file);
    for (const char* manifest : {"manifest.yaml", "registry_manifest.yaml"}) {
      std::error_code ec;
      if (fs::is_regular_file(fs::path(r->root) / manifest, ec)) add(fs::path(r->root) / manifest);
    }
    for (const auto& dependency : r->dependencies) pending.push_back(dependency.get());
  }
  std::string out = escape(target) + ":";
  for (const std::string& input : inputs) out += " \\\n  " + escape(input);
  return out + "\n";
}

bool write_file(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << fmt::format("coretel-schema: cannot write {}\n", path);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"coretel-schema: check, resolve and generate from semantic-convention registries"};
  app.require_subcommand(1);

  // check
  std::string check_dir, check_format = "text", baseline_dir;
  bool future = false, skip_policies = false;
  CLI::App* check = app.add_subcommand("check", "Check a registry (exit 1 on errors)");
  check->add_option("REGISTRY_DIR", check_dir, "Registry root folder")->required();
  check->add_flag("--future", future, "Treat warnings as errors");
  check->add_flag("--skip-policies", skip_policies,
                  "Run only Weaver's built-in checks, not the semantic-conventions policies");
  check->add_option("--baseline", baseline_dir,
                    "An older registry: add the backward-compatibility rules against it");
  check->add_option("--format", check_format, "Diagnostics format")
      ->check(CLI::IsMember({"text", "json"}));

  // resolve
  std::string resolve_dir, resolve_out, resolve_format = "yaml";
  CLI::App* resolve = app.add_subcommand("resolve", "Print the resolved registry (resolved/2.0)");
  resolve->add_option("REGISTRY_DIR", resolve_dir, "Registry root folder")->required();
  resolve->add_option("-o,--output", resolve_out, "Output file (default: stdout)");
  resolve->add_option("--format", resolve_format, "Output format")
      ->check(CLI::IsMember({"yaml", "json"}));

  // stats
  std::string stats_dir, stats_format = "text";
  CLI::App* stats = app.add_subcommand("stats", "Count what a registry declares");
  stats->add_option("REGISTRY_DIR", stats_dir, "Registry root folder")->required();
  stats->add_option("--format", stats_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));

  // generate
  CLI::App* generate =
      app.add_subcommand("generate", "Generate C++ headers, a Python module or Markdown docs");
  generate->require_subcommand(1);
  std::string cpp_dir, cpp_out, cpp_namespace = "semconv";
  CLI::App* cpp = generate->add_subcommand("cpp", "Generate C++ headers");
  cpp->add_option("REGISTRY_DIR", cpp_dir, "Registry root folder")->required();
  cpp->add_option("-o,--output", cpp_out, "Output folder")->required();
  cpp->add_option("--namespace", cpp_namespace, "C++ namespace of the generated code (a::b ok)");
  std::string cpp_depfile;
  cpp->add_option("--depfile", cpp_depfile,
                  "Also write a Make-syntax depfile naming every registry file read (the "
                  "dependencies' too), for <output>/registry_stamp.h");
  std::string py_dir, py_out;
  CLI::App* py = generate->add_subcommand(
      "python", "Generate a Python module of typed instruments (for the coretel package)");
  py->add_option("REGISTRY_DIR", py_dir, "Registry root folder")->required();
  py->add_option("-o,--output", py_out, "Output file (.py)")->required();
  std::string md_dir, md_out;
  CLI::App* md = generate->add_subcommand("markdown", "Generate Markdown documentation");
  md->add_option("REGISTRY_DIR", md_dir, "Registry root folder")->required();
  md->add_option("-o,--output", md_out, "Output folder")->required();

  // diff
  std::string old_dir, new_dir, diff_format = "text";
  CLI::App* diff = app.add_subcommand(
      "diff", "Compare two registry versions (exit 2 when a stable item breaks)");
  diff->add_option("OLD_DIR", old_dir, "The older registry")->required();
  diff->add_option("NEW_DIR", new_dir, "The newer registry")->required();
  diff->add_option("--format", diff_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));

  // live-check
  std::vector<std::string> live_dirs;
  std::string live_input = "-";
  CLI::App* live = app.add_subcommand(
      "live-check",
      "Check emitted telemetry (OTLP/JSON lines, coretel-otlp-sink lines, the events view) "
      "against registries (exit 1 on a violation)");
  live->add_option("REGISTRY", live_dirs, "Registries that declare it (one or more)")->required();
  live->add_option("--input", live_input, "File of JSON lines, or - for stdin");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (*live) {
    std::vector<LoadedRegistry> loaded(live_dirs.size());
    std::vector<const ResolvedRegistry*> registries;
    for (std::size_t i = 0; i < live_dirs.size(); ++i) {
      if (!load_or_report(live_dirs[i], loaded[i], false)) return 1;
      registries.push_back(&loaded[i].resolved);
    }
    LiveCheckResult result;
    if (live_input == "-") {
      result = live_check(registries, std::cin);
    } else {
      std::ifstream in(live_input);
      if (!in) {
        std::cerr << fmt::format("coretel-schema: cannot read {}\n", live_input);
        return 2;
      }
      result = live_check(registries, in);
    }
    std::cout << format_live_check(result);
    return result.violation() ? 1 : 0;
  }

  if (*check) {
    Diagnostics diagnostics;
    LoadedRegistry loaded = load_registry(check_dir, diagnostics, CheckOptions{!skip_policies});
    if (!baseline_dir.empty()) {
      Diagnostics baseline_diagnostics;
      LoadedRegistry baseline = load_registry(baseline_dir, baseline_diagnostics, {false});
      // Locations in the baseline name its files from the current directory, so that a
      // finding about a removed item does not read as a line of the current registry.
      const fs::path baseline_root = fs::path(baseline_dir).lexically_normal();
      if (!baseline.resolved_ok) {
        for (Diagnostic d : baseline_diagnostics.all()) {
          if (!d.location.file.empty()) {
            d.location.file = (baseline_root / d.location.file).lexically_normal().string();
          }
          diagnostics.add(std::move(d));
        }
        diagnostics.error("coretel_baseline_unresolved", {baseline_root.string(), 0, 0}, "",
                          "the baseline registry does not resolve; the backward-compatibility "
                          "rules were not run");
      } else if (loaded.resolved_ok) {
        prefix_locations(baseline.resolved, baseline_root);
        check_compatibility(baseline.resolved, loaded.resolved, diagnostics);
      }
    }
    // Weaver's --future: every warning becomes an error, and is reported as one.
    if (future) diagnostics.treat_warnings_as_errors();
    print_diagnostics(diagnostics, check_format);
    bool failed = diagnostics.failed();
    if (check_format == "text") {
      std::size_t errors = 0;
      for (const Diagnostic& d : diagnostics.all()) errors += d.severity == Severity::kError;
      std::cerr << fmt::format("coretel-schema: {}: {} error(s), {} warning(s){}\n", check_dir,
                               errors, diagnostics.all().size() - errors,
                               failed ? "" : ", registry is valid");
    }
    return failed ? 1 : 0;
  }
  if (*resolve) {
    LoadedRegistry loaded;
    if (!load_or_report(resolve_dir, loaded, false)) return 1;
    Json doc = to_resolved_json(loaded.resolved);
    return write_file(resolve_out, resolve_format == "json" ? doc.dump(2) + "\n" : to_yaml(doc))
               ? 0
               : 1;
  }
  if (*stats) {
    LoadedRegistry loaded;
    if (!load_or_report(stats_dir, loaded, false)) return 1;
    Json counts = registry_stats(loaded.definition, loaded.resolved);
    std::cout << (stats_format == "json" ? counts.dump(2) + "\n" : format_stats_text(counts));
    return 0;
  }
  if (*cpp) {
    LoadedRegistry loaded;
    if (!load_or_report(cpp_dir, loaded, false)) return 1;
    CppOptions options;
    options.cpp_namespace = cpp_namespace;
    std::string error;
    if (!generate_cpp(loaded.resolved, cpp_out, options, error)) {
      std::cerr << "coretel-schema: " << error << "\n";
      return 1;
    }
    if (!cpp_depfile.empty()) {
      std::string target = fs::absolute(fs::path(cpp_out) / "registry_stamp.h").lexically_normal();
      return write_file(cpp_depfile, depfile_text(target, loaded.definition, cpp_dir)) ? 0 : 1;
    }
    return 0;
  }
  if (*py) {
    LoadedRegistry loaded;
    if (!load_or_report(py_dir, loaded, false)) return 1;
    std::string error;
    if (!generate_python(loaded.resolved, py_out, error)) {
      std::cerr << "coretel-schema: " << error << "\n";
      return 1;
    }
    return 0;
  }
  if (*md) {
    LoadedRegistry loaded;
    if (!load_or_report(md_dir, loaded, false)) return 1;
    std::string error;
    if (!generate_markdown(loaded.resolved, md_out, error)) {
      std::cerr << "coretel-schema: " << error << "\n";
      return 1;
    }
    return 0;
  }
  if (*diff) {
    LoadedRegistry old_registry, new_registry;
    if (!load_or_report(old_dir, old_registry, false)) return 1;
    if (!load_or_report(new_dir, new_registry, false)) return 1;
    RegistryDiff changes = diff_registries(old_registry.resolved, new_registry.resolved);
    std::cout << (diff_format == "json" ? format_diff_json(changes) + "\n"
                                        : format_diff_text(changes));
    return changes.breaks_stable() ? 2 : 0;
  }
  return 0;
}
