// read_manifest.cc: what a registry takes from other registries: its manifest
// (`manifest.yaml`, or the legacy `registry_manifest.yaml`) and the `imports:` of its
// definition/2 files.
//
// Reads: the manifest's text (`file_format`, `schema_url` or the deprecated `name`,
// `semconv_version`, `schema_base_url`, `description`, `stability`, `resolved_registry_uri`,
// `dependencies`); a definition/2 file's `imports: {metrics|events|entities|spans|
// attribute_groups: [glob, ...]}`.
// Produces: RegistryDefinition::manifest (name and version derived from `schema_url`
// `https://host/path/<version>`, the dependencies as written); one Import per glob.
// Diagnostics: the parse errors of load_yaml_document (DeserializationError);
// InvalidRegistryManifest for an unknown `file_format`, a missing or malformed `schema_url`, a
// `manifest.yaml` dependency without `schema_url`, or a manifest yaml-cpp cannot read (a legacy
// `registry_manifest.yaml` dependency may have only a `name`: it is `https://<name>/unknown`);
// InvalidSemConvSpec for an unknown key, a value of the wrong kind, a dependency without
// `registry_path`, an `imports` entry that is not a list of non-empty globs; LegacyRegistryManifest
// and DeprecatedSyntaxInRegistryManifest (warnings) for the legacy file name and keys. Reading the
// dependencies themselves is dependencies.cc's.
#include <algorithm>
#include <exception>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "reader.h"
#include "reader_internal.h"
#include "yaml_values.h"

namespace coretel::schema {

void read_imports(FileReader& r, const YAML::Node& node, RegistryDefinition& out) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!r.expect_map(node, "imports", "`imports`")) return;
  static constexpr std::string_view kSections[] = {"metrics", "events", "entities", "spans",
                                                   "attribute_groups"};
  r.check_keys(node, {"metrics", "events", "entities", "spans", "attribute_groups"}, "imports");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) continue;  // reported by check_keys
    const std::string& section = entry.first.Scalar();
    if (std::find(std::begin(kSections), std::end(kSections), section) == std::end(kSections)) {
      continue;  // reported by check_keys
    }
    const YAML::Node& globs = entry.second;
    if (globs.IsNull()) continue;
    if (!globs.IsSequence()) {
      r.error(globs, "imports",
              fmt::format("`imports.{}` must be a list of glob patterns, found {}", section,
                          yaml_kind(globs)));
      continue;
    }
    for (const YAML::Node& glob : globs) {
      if (!glob.IsScalar() || glob.Scalar().empty()) {
        r.error(glob, "imports",
                fmt::format("`imports.{}` entries must be non-empty glob strings, found {}",
                            section, yaml_kind(glob)));
        continue;
      }
      out.imports.push_back({section, glob.Scalar(), r.at(glob)});
    }
  }
}

bool read_manifest(std::string_view text, const std::string& file, bool legacy_file_name,
                   RegistryDefinition& registry, Diagnostics& diagnostics) {
  auto doc = load_yaml_document(text, file, diagnostics);
  if (!doc) return false;
  FileReader r(file, diagnostics);
  Manifest& m = registry.manifest;
  m.present = true;
  m.file = file;
  try {
    if (!r.expect_map(*doc, "", "a manifest")) return false;
    if (legacy_file_name) {
      diagnostics.warning("LegacyRegistryManifest", {file, 1, 1}, "",
                          "`registry_manifest.yaml` is the legacy name; rename it to "
                          "`manifest.yaml`");
    }
    r.check_keys(*doc,
                 {"file_format", "schema_url", "description", "stability", "dependencies",
                  "resolved_registry_uri", "resolved_schema_uri", "name", "semconv_version",
                  "schema_base_url"},
                 "");
    if (auto format = r.string(*doc, "file_format", "")) {
      if (*format != "manifest/2.0" && *format != "definition/2") {
        r.error((*doc)["file_format"], "",
                fmt::format("unknown manifest file_format `{}`", *format),
                "InvalidRegistryManifest");
      }
    }
    m.schema_url = r.string(*doc, "schema_url", "").value_or("");
    m.resolved_registry_uri = r.string(*doc, "resolved_registry_uri", "")
                                  .value_or(r.string(*doc, "resolved_schema_uri", "").value_or(""));
    m.description = r.string(*doc, "description", "").value_or("");
    m.stability = r.stability(*doc, "").value_or(RegistryStability::kDevelopment);
    m.name = r.string(*doc, "name", "").value_or("");
    std::string semconv_version = r.string(*doc, "semconv_version", "").value_or("");
    std::string base_url = r.string(*doc, "schema_base_url", "").value_or("");
    for (const char* legacy : {"name", "semconv_version", "schema_base_url"}) {
      if ((*doc)[legacy].IsDefined()) {
        diagnostics.warning("DeprecatedSyntaxInRegistryManifest", r.at((*doc)[legacy]), "",
                            fmt::format("`{}` is deprecated in manifests; the registry's name and "
                                        "version derive from `schema_url`",
                                        legacy));
      }
    }
    if (m.schema_url.empty() && !base_url.empty() && !semconv_version.empty()) {
      m.schema_url = base_url + (base_url.back() == '/' ? "" : "/") + semconv_version;
    }
    if (m.schema_url.empty()) {
      r.error(*doc, "", "the manifest needs `schema_url` (https://host/path/<version>)",
              "InvalidRegistryManifest");
    } else {
      auto slash = m.schema_url.find_last_of('/');
      m.version = slash == std::string::npos ? "" : m.schema_url.substr(slash + 1);
      if (m.name.empty()) {
        auto scheme = m.schema_url.find("://");
        std::string rest =
            scheme == std::string::npos ? m.schema_url : m.schema_url.substr(scheme + 3);
        auto last = rest.find_last_of('/');
        m.name = last == std::string::npos ? rest : rest.substr(0, last);
      }
      if (m.version.empty() || m.schema_url.rfind("http", 0) != 0) {
        r.error((*doc)["schema_url"], "",
                fmt::format("`schema_url` `{}` is not of the form http[s]://host/path/<version>",
                            m.schema_url),
                "InvalidRegistryManifest");
      }
    }
    YAML::Node deps = (*doc)["dependencies"];
    if (deps.IsDefined() && !deps.IsNull()) {
      if (!deps.IsSequence()) {
        r.error(deps, "", "`dependencies` must be a list");
      } else {
        for (const YAML::Node& d : deps) {
          if (!r.expect_map(d, "", "a dependency")) continue;
          r.check_keys(d, {"name", "schema_url", "registry_path"}, "");
          Dependency dependency;
          dependency.name = r.string(d, "name", "").value_or("");
          dependency.schema_url = r.string(d, "schema_url", "").value_or("");
          if (dependency.schema_url.empty() && !legacy_file_name) {
            // Weaver's v2 manifest (`manifest.yaml`): the schema_url identifies the dependency
            // and its version. The legacy `registry_manifest.yaml` may name it instead.
            r.error(d, "",
                    fmt::format("{} is missing the required field 'schema_url'. The schema_url "
                                "uniquely identifies the dependency registry and its version, "
                                "e.g. https://example.com/my-registry/1.0.0",
                                dependency.name.empty()
                                    ? std::string("a dependency")
                                    : fmt::format("dependency '{}'", dependency.name)),
                    "InvalidRegistryManifest");
          } else if (dependency.schema_url.empty() && !dependency.name.empty()) {
            dependency.schema_url = fmt::format("https://{}/unknown", dependency.name);
          }
          dependency.registry_path = r.string(d, "registry_path", "", true).value_or("");
          dependency.location = r.at(d["registry_path"].IsDefined() ? d["registry_path"] : d);
          m.dependencies.push_back(std::move(dependency));
        }
      }
    }
  } catch (const std::exception& e) {
    diagnostics.error("InvalidRegistryManifest", {file, 0, 0}, "",
                      fmt::format("unreadable manifest: {}", e.what()));
    return false;
  }
  return !r.fatal();
}

}  // namespace coretel::schema
