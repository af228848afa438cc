#include "generate_cpp.h"

namespace coretel::schema {

bool generate_cpp(const ResolvedRegistry&, const std::filesystem::path&, const CppOptions&,
                  std::string& error) {
  error = "not implemented yet";
  return false;
}

}  // namespace coretel::schema
