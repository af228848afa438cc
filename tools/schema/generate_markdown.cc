#include "generate_markdown.h"

namespace coretel::schema {

bool generate_markdown(const ResolvedRegistry&, const std::filesystem::path&, std::string& error) {
  error = "not implemented yet";
  return false;
}

}  // namespace coretel::schema
