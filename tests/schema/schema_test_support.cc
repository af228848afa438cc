#include "schema_test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>

namespace coretel::schema::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "coretel-schema-XXXXXX").string();
  path_ = mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& relative, const std::string& text) const {
  std::filesystem::path p = path_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

namespace {

/// Runs `command` through the shell: its exit code, with what it prints in `output`.
int run_command(const std::string& command, std::string& output) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  output.clear();
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int run_schema_tool(const std::string& arguments, std::string& output) {
  return run_command(std::string(CORETEL_SCHEMA_BIN) + " " + arguments + " 2>&1", output);
}

int run_schema_tool_stdout(const std::string& arguments, std::string& output) {
  return run_command(std::string(CORETEL_SCHEMA_BIN) + " " + arguments + " 2>/dev/null", output);
}

Checked check_dir(const std::filesystem::path& dir, bool policies) {
  Checked c;
  c.loaded = load_registry(dir, c.diagnostics, CheckOptions{policies});
  return c;
}

Checked check_files(const std::map<std::string, std::string>& files, bool policies) {
  TempDir dir;
  for (const auto& [name, text] : files) dir.write(name, text);
  return check_dir(dir.path(), policies);
}

}  // namespace coretel::schema::testing
