// dependencies.cc: reading a registry folder and, recursively, the local registries its manifest
// depends on (reader.h, read_registry).
//
// Reads: every `*.yaml`/`*.yml` under the root (hidden entries and `schema-next.yaml` skipped,
// in path order), the manifest first; a published resolved registry instead of definitions
// when the manifest names one; then each dependency's `registry_path` folder, the same way.
// Each file is read within kMaxFileBytes and what is left of kMaxRegistryBytes.
// Produces: the RegistryDefinition (files, groups, imports, manifest), its dependencies as shared
// RegistryDefinitions (each folder read once, by canonical path, however many paths reach it),
// and the ReadStats.
// Diagnostics: RegistryNotFound (the root is not a listable folder), coretel_file_too_large,
// coretel_registry_too_large (once), DeserializationError (a file that cannot be read);
// DependencyNotLocal (a warning: a remote `registry_path` is not fetched), DependencyNotFound,
// CircularDependency, MaximumDependencyDepth (past 10 registries); when two paths require one
// registry (the name its `schema_url` gives) in different versions: the highest one if they
// share a major version (DependencyVersionUpgradedWarning where a lower one was required),
// IncompatibleDependencyVersions if they do not, UnversionedDependencyConflict if one of them
// has no semantic version (Weaver's `UseLatestMajorVersion` conflict strategy); and every
// diagnostic of the files read.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "published_reader.h"
#include "reader.h"

namespace coretel::schema {
namespace {

namespace fs = std::filesystem;

/// Weaver's bound on a chain of dependencies (MaximumDependencyDepth).
constexpr std::size_t kMaxDependencyDepth = 10;

/// A registry on the dependency chain being read: to detect cycles and bound the depth.
struct ChainEntry {
  fs::path canonical;
  std::string display;
};

/// A registry already read: shared by every path that reaches it.
struct ReadRegistry {
  std::shared_ptr<const RegistryDefinition> registry;
  /// The longest chain of dependencies loaded below it (0: none).
  std::size_t height = 0;
};

/// One loaded dependency: `dependent->dependencies[index]` is the registry `declared` names.
struct Edge {
  RegistryDefinition* dependent;
  std::size_t index;
  Dependency declared;
};

/// The state of one read_registry call.
struct ReadContext {
  Diagnostics& diagnostics;
  std::vector<ChainEntry> chain;
  /// Every registry read so far, by canonical path: each is read once (a lattice of
  /// dependencies reachable along exponentially many paths stays linear).
  std::map<fs::path, ReadRegistry> read;
  ReadStats stats;
  bool over_total = false;  ///< coretel_registry_too_large was reported: read no more files
  std::vector<Edge> edges;  ///< every dependency loaded, in the order read
};

/// A `registry_path` we cannot read offline: a URL, an archive, or a git `repo@ref[subdir]`.
bool is_remote_registry_path(const std::string& path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return path.find("://") != std::string::npos || ends_with(".zip") || ends_with(".tar.gz") ||
         ends_with(".tgz") || ends_with(".git") ||
         (path.find('[') != std::string::npos && ends_with("]"));
}

/// Reads registry file `path` (`relative` in diagnostics) within kMaxFileBytes and what is
/// left of kMaxRegistryBytes; nullopt when it was not read (the diagnostic is reported).
std::optional<std::string> read_registry_file(const fs::path& path, const std::string& relative,
                                              ReadContext& context) {
  if (context.over_total) return std::nullopt;
  // The size is checked before reading (a huge file is never loaded) and again after: the
  // file may have changed in between, so at most one byte past the limit is read.
  auto within_limits = [&](std::uintmax_t size) {
    if (size > kMaxFileBytes) {
      context.diagnostics.error(
          "coretel_file_too_large", {relative, 0, 0}, "",
          fmt::format("the file is {} bytes, more than the {} bytes ({} MiB) coretel-schema "
                      "reads from one registry file; it is not read",
                      size, kMaxFileBytes, kMaxFileBytes >> 20));
      return false;
    }
    if (context.stats.bytes + size > kMaxRegistryBytes) {
      context.over_total = true;
      context.diagnostics.error(
          "coretel_registry_too_large", {relative, 0, 0}, "",
          fmt::format("with this file ({} bytes) the registry and its dependencies hold more "
                      "than the {} bytes ({} MiB) coretel-schema reads in all; it and the files "
                      "after it are not read",
                      size, kMaxRegistryBytes, kMaxRegistryBytes >> 20));
      return false;
    }
    return true;
  };
  std::error_code ec;
  std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && !within_limits(size)) return std::nullopt;
  std::string text;
  std::ifstream in(path, std::ios::binary);
  text.resize(ec ? kMaxFileBytes + 1 : std::min<std::uintmax_t>(size + 1, kMaxFileBytes + 1));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in && !in.eof()) {
    context.diagnostics.error("DeserializationError", {relative, 0, 0}, "", "cannot read the file");
    return std::nullopt;
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > size || ec) {
    // Grown since measured (or not measurable): read on, up to one byte past the limit.
    while (in && text.size() <= kMaxFileBytes) {
      char buffer[65536];
      in.read(buffer, sizeof buffer);
      text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (!within_limits(text.size())) return std::nullopt;
  }
  context.stats.bytes += text.size();
  ++context.stats.files;
  return text;
}

std::size_t read_registry_at(const fs::path& root, const std::string& prefix,
                             RegistryDefinition& registry, ReadContext& context);

/// Reads the manifest's local dependencies into `registry.dependencies`; returns the longest
/// chain of dependencies loaded below `registry`.
std::size_t read_dependencies(const fs::path& root, const std::string& prefix,
                              RegistryDefinition& registry, ReadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  std::vector<ChainEntry>& chain = context.chain;
  std::size_t height = 0;
  for (const Dependency& dependency : registry.manifest.dependencies) {
    const std::string& path = dependency.registry_path;
    const std::string& name = dependency.name;
    std::string what = name.empty() ? "a dependency" : fmt::format("dependency `{}`", name);
    if (path.empty()) continue;  // reported by the manifest reader
    if (is_remote_registry_path(path)) {
      diagnostics.warning(
          "DependencyNotLocal", dependency.location, name,
          fmt::format("{}: `registry_path: {}` is remote and is not fetched "
                      "(coretel-schema works offline); point `registry_path` at a local checkout "
                      "of that registry (absolute, or relative to the registry root) to resolve "
                      "references into it",
                      what, path));
      continue;
    }
    fs::path location = fs::path(path).is_absolute() ? fs::path(path) : root / path;
    std::error_code ec;
    if (!fs::is_directory(location, ec)) {
      diagnostics.error("DependencyNotFound", dependency.location, name,
                        fmt::format("{}: `registry_path: {}` is not a directory "
                                    "(looked for {})",
                                    what, path, location.lexically_normal().string()));
      continue;
    }
    fs::path canonical = fs::weakly_canonical(location, ec);
    if (ec) canonical = location.lexically_normal();
    std::string display =
        fs::path(path).is_absolute() ? path : (fs::path(prefix) / path).lexically_normal().string();
    auto seen = std::find_if(chain.begin(), chain.end(),
                             [&](const ChainEntry& e) { return e.canonical == canonical; });
    if (seen != chain.end()) {
      std::vector<std::string> cycle;
      for (auto it = seen; it != chain.end(); ++it) cycle.push_back(it->display);
      cycle.push_back(display);
      diagnostics.error("CircularDependency", dependency.location, name,
                        fmt::format("{} makes a cycle: {}", what, fmt::join(cycle, " -> ")));
      continue;
    }
    // The dependency is chain.size() registries below the root.
    if (chain.size() > kMaxDependencyDepth) {
      diagnostics.error(
          "MaximumDependencyDepth", dependency.location, name,
          fmt::format("{} is more than {} registries deep", what, kMaxDependencyDepth));
      continue;
    }
    if (auto done = context.read.find(canonical); done != context.read.end()) {
      // Read already along another path: shared, not read again. On this path its
      // dependencies may reach deeper than on the first.
      if (chain.size() + done->second.height > kMaxDependencyDepth) {
        diagnostics.error(
            "MaximumDependencyDepth", dependency.location, name,
            fmt::format("{} is more than {} registries deep: it is {} deep here and its own "
                        "dependencies go {} deeper",
                        what, kMaxDependencyDepth, chain.size(), done->second.height));
        continue;
      }
      context.edges.push_back({&registry, registry.dependencies.size(), dependency});
      registry.dependencies.push_back(done->second.registry);
      height = std::max(height, done->second.height + 1);
      continue;
    }
    chain.push_back({canonical, display});
    std::string child_prefix = display.empty() || display.back() == '/' ? display : display + "/";
    auto child = std::make_shared<RegistryDefinition>();
    std::size_t child_height = read_registry_at(location, child_prefix, *child, context);
    chain.pop_back();
    height = std::max(height, child_height + 1);
    context.edges.push_back({&registry, registry.dependencies.size(), dependency});
    registry.dependencies.push_back(child);
    context.read.emplace(canonical, ReadRegistry{std::move(child), child_height});
  }
  return height;
}

/// Reads the registry in `root` into `registry`; returns the longest chain of dependencies
/// loaded below it.
std::size_t read_registry_at(const fs::path& root, const std::string& prefix,
                             RegistryDefinition& registry, ReadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  registry.root = root.string();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    diagnostics.error("RegistryNotFound", {root.string(), 0, 0}, "",
                      "not a directory; pass the registry's root folder");
    return 0;
  }
  ++context.stats.registries;
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.filename().string().rfind('.', 0) == 0) {  // hidden: skip, and do not descend
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    std::string ext = p.extension().string();
    if (ext == ".yaml" || ext == ".yml") files.push_back(p);
  }
  if (ec) {
    diagnostics.error("RegistryNotFound", {root.string(), 0, 0}, "",
                      fmt::format("cannot list the registry: {}", ec.message()));
  }
  std::sort(files.begin(), files.end());
  // The manifest first: a publication manifest names the resolved file to read instead of
  // definitions.
  for (const char* name : {"manifest.yaml", "registry_manifest.yaml"}) {
    fs::path p = root / name;
    if (registry.manifest.present || !fs::is_regular_file(p, ec)) continue;
    if (std::optional<std::string> text = read_registry_file(p, prefix + name, context)) {
      read_manifest(*text, prefix + name, std::string(name) == "registry_manifest.yaml", registry,
                    diagnostics);
    }
  }
  const std::string& published = registry.manifest.resolved_registry_uri;
  for (const fs::path& p : files) {
    std::string relative = prefix + fs::relative(p, root, ec).string();
    std::string name = p.filename().string();
    if (name == "schema-next.yaml") continue;
    if ((name == "manifest.yaml" || name == "registry_manifest.yaml") && p.parent_path() == root) {
      continue;  // read above
    }
    std::optional<std::string> text = read_registry_file(p, relative, context);
    if (!text) continue;
    registry.files.push_back(relative);
    if (!published.empty() && relative == prefix + published) {
      read_published_registry(*text, relative, registry, diagnostics);
      continue;
    }
    read_definition_file(*text, relative, registry, diagnostics);
  }
  return read_dependencies(root, prefix, registry, context);
}

/// A semantic version (semver.org 2.0.0), for the precedence of two versions of a registry.
struct SemVer {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;  ///< pre-release identifiers; empty for a release

  /// `text` (a leading `v` allowed, as Weaver's SchemaUrl::semver), or nullopt when it is not
  /// MAJOR.MINOR.PATCH[-PRE][+BUILD] with numbers and identifiers as semver.org has them.
  static std::optional<SemVer> parse(std::string_view text) {
    if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
    text = text.substr(0, text.find('+'));  // build metadata has no precedence
    std::string_view core = text.substr(0, text.find('-'));
    SemVer v;
    if (core.size() < text.size()) {
      std::string_view pre = text.substr(core.size() + 1);
      for (std::size_t start = 0;;) {
        std::size_t dot = pre.find('.', start);
        std::string_view id =
            pre.substr(start, dot == std::string_view::npos ? pre.npos : dot - start);
        if (id.empty() || id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"
                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != id.npos) {
          return std::nullopt;
        }
        v.pre.emplace_back(id);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
      }
    }
    std::uint64_t* parts[] = {&v.major, &v.minor, &v.patch};
    for (std::size_t i = 0, start = 0; i < 3; ++i) {
      std::size_t dot = core.find('.', start);
      if ((i < 2) == (dot == std::string_view::npos)) return std::nullopt;
      std::string_view number = core.substr(start, i < 2 ? dot - start : core.npos);
      if (number.empty() || number.size() > 18 ||
          number.find_first_not_of("0123456789") != number.npos ||
          (number.size() > 1 && number.front() == '0')) {
        return std::nullopt;
      }
      *parts[i] = std::stoull(std::string(number));
      start = dot + 1;
    }
    return v;
  }

  /// semver.org §11: numbers first; a pre-release is lower than its release; identifiers
  /// compared one by one, numeric ones numerically and below alphanumeric ones.
  bool operator<(const SemVer& o) const {
    if (std::tie(major, minor, patch) != std::tie(o.major, o.minor, o.patch)) {
      return std::tie(major, minor, patch) < std::tie(o.major, o.minor, o.patch);
    }
    if (pre.empty() || o.pre.empty()) return !pre.empty() && o.pre.empty();
    for (std::size_t i = 0; i < std::min(pre.size(), o.pre.size()); ++i) {
      const std::string& a = pre[i];
      const std::string& b = o.pre[i];
      if (a == b) continue;
      bool an = a.find_first_not_of("0123456789") == a.npos;
      bool bn = b.find_first_not_of("0123456789") == b.npos;
      if (an && bn) return a.size() != b.size() ? a.size() < b.size() : a < b;
      if (an != bn) return an;
      return a < b;
    }
    return pre.size() < o.pre.size();
  }
};

/// The registry name and version a schema_url gives: `https://host/path/<version>` is
/// (`host/path`, `<version>`), as the manifest reader derives them.
std::pair<std::string, std::string> name_and_version(const std::string& schema_url) {
  std::string rest = schema_url.substr(
      schema_url.find("://") == std::string::npos ? 0 : schema_url.find("://") + 3);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::size_t slash = rest.find_last_of('/');
  if (slash == std::string::npos) return {rest, ""};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

/// Where two paths require one registry in different versions: keeps the highest compatible
/// one for every path, or reports why the versions cannot be reconciled.
void reconcile_versions(ReadContext& context) {
  std::map<std::string, std::vector<Edge*>> by_name;
  for (Edge& e : context.edges) {
    if (e.declared.schema_url.empty()) continue;
    by_name[name_and_version(e.declared.schema_url).first].push_back(&e);
  }
  for (auto& [name, edges] : by_name) {
    // One edge per distinct schema_url, in the order read.
    std::vector<Edge*> distinct;
    for (Edge* e : edges) {
      if (std::none_of(distinct.begin(), distinct.end(), [&](const Edge* d) {
            return d->declared.schema_url == e->declared.schema_url;
          })) {
        distinct.push_back(e);
      }
    }
    if (distinct.size() < 2) continue;
    auto where = [](const Edge* e) {
      return fmt::format("`{}` ({})", e->declared.schema_url, e->declared.location.file);
    };
    std::vector<std::optional<SemVer>> versions;
    for (const Edge* e : distinct) {
      versions.push_back(SemVer::parse(name_and_version(e->declared.schema_url).second));
    }
    auto unversioned = std::find(versions.begin(), versions.end(), std::nullopt);
    if (unversioned != versions.end()) {
      const Edge* e = distinct[static_cast<std::size_t>(unversioned - versions.begin())];
      const Edge* other = e == distinct[0] ? distinct[1] : distinct[0];
      context.diagnostics.error(
          "UnversionedDependencyConflict", e->declared.location, name,
          fmt::format("registry `{}` is required as {} and as {}: a version that is not a "
                      "semantic version cannot be reconciled with another declaration of the "
                      "same registry; require it by a schema_url that ends in its version",
                      name, where(e), where(other)));
      continue;
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < versions.size(); ++i) {
      if (*versions[best] < *versions[i]) best = i;
    }
    bool compatible = true;
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (versions[i]->major == versions[best]->major) continue;
      compatible = false;
      context.diagnostics.error(
          "IncompatibleDependencyVersions", distinct[i]->declared.location, name,
          fmt::format("registry `{}` is required as {} and as {}: their major versions differ, "
                      "so neither can stand for the other",
                      name, where(distinct[i]), where(distinct[best])));
    }
    if (!compatible) continue;
    const Edge* chosen = distinct[best];
    auto registry = chosen->dependent->dependencies[chosen->index];
    for (Edge* e : edges) {
      if (e->declared.schema_url == chosen->declared.schema_url) continue;
      e->dependent->dependencies[e->index] = registry;
      context.diagnostics.warning(
          "DependencyVersionUpgradedWarning", e->declared.location, name,
          fmt::format("registry `{}` is required here as `{}` and resolved as {}, the highest "
                      "compatible version another path requires",
                      name, e->declared.schema_url, where(chosen)));
    }
  }
}

}  // namespace

RegistryDefinition read_registry(const std::filesystem::path& root, Diagnostics& diagnostics) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(root, ec);
  ReadContext context{
      diagnostics, {{ec ? root.lexically_normal() : canonical, root.string()}}, {}, {}, false, {}};
  RegistryDefinition registry;
  read_registry_at(root, "", registry, context);
  reconcile_versions(context);
  registry.read_stats = context.stats;
  return registry;
}

}  // namespace coretel::schema
