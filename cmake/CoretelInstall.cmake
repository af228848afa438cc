# Install rules and the coretel CMake package (included by the top-level CMakeLists.txt).
#
# `cmake --install build --prefix <prefix>` installs:
#   <prefix>/lib/libcoretel.a, <prefix>/include/coretel/... (public headers, the committed
#   generated self-metrics headers coretel/telemetry/... among them), <prefix>/bin/coretel-schema, and
#   <prefix>/lib/cmake/coretel/ (coretelConfig.cmake, its version file, the exported targets and
#   CoretelGenerateRegistry.cmake).
# A consumer then writes:
#   find_package(coretel CONFIG REQUIRED)
#   coretel_generate_registry(TARGET my_telemetry REGISTRY registry NAMESPACE my::telemetry)
#   target_link_libraries(app PRIVATE coretel::coretel my_telemetry)
# (docs/consuming-coretel.md; tests/install/ builds such a consumer against an installed prefix.)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CORETEL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/coretel)

install(TARGETS coretel EXPORT coretelTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS coretel-schema EXPORT coretelTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN .clang-format EXCLUDE)

install(EXPORT coretelTargets NAMESPACE coretel:: DESTINATION ${CORETEL_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/coretelConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/coretelConfig.cmake
                              INSTALL_DESTINATION ${CORETEL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/coretelConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/coretelConfig.cmake
              ${PROJECT_BINARY_DIR}/coretelConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/CoretelGenerateRegistry.cmake
        DESTINATION ${CORETEL_CMAKE_DIR})
