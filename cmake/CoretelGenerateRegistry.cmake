# coretel_generate_registry: generate C++ headers from a semantic-conventions registry at build
# time, with coretel-schema (tools/schema).
#
#   coretel_generate_registry(
#     TARGET <name>            # an INTERFACE library to link: include path + generation dependency
#     REGISTRY <dir>           # the registry's root folder (manifest.yaml, *.yaml)
#     [NAMESPACE <ns>]         # C++ namespace of the generated code (default: semconv)
#     [INCLUDE_PREFIX <path>]  # include as "<path>/registry.h" (default: <name>)
#     [CHECK])                 # also fail the build when `coretel-schema check` finds an error
#
# Headers land in ${CMAKE_CURRENT_BINARY_DIR}/<name>_generated/<INCLUDE_PREFIX>/: one per root
# namespace plus registry.h. Editing any YAML file of the registry or of a registry it depends
# on (coretel-schema writes a depfile naming every file it read), or coretel-schema itself,
# regenerates them and rebuilds what includes them: every generated header includes
# registry_stamp.h, the command's declared output, whose content hash changes with any header.
# The coretel-schema executable comes from this build (target coretel-schema, also when coretel
# is add_subdirectory()'d), from an installed coretel package (imported target
# coretel::coretel-schema, defined by find_package(coretel CONFIG)), or from
# CORETEL_SCHEMA_EXECUTABLE.
function(coretel_generate_registry)
  cmake_parse_arguments(ARG "CHECK" "TARGET;REGISTRY;NAMESPACE;INCLUDE_PREFIX" "" ${ARGN})
  if(NOT ARG_TARGET OR NOT ARG_REGISTRY)
    message(FATAL_ERROR "coretel_generate_registry: TARGET and REGISTRY are required")
  endif()
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE semconv)
  endif()
  if(NOT ARG_INCLUDE_PREFIX)
    set(ARG_INCLUDE_PREFIX ${ARG_TARGET})
  endif()
  get_filename_component(registry "${ARG_REGISTRY}" ABSOLUTE)
  if(NOT IS_DIRECTORY "${registry}")
    message(FATAL_ERROR "coretel_generate_registry: ${registry} is not a directory")
  endif()
  if(TARGET coretel-schema)
    set(tool $<TARGET_FILE:coretel-schema>)
    set(tool_dependency coretel-schema)
  elseif(TARGET coretel::coretel-schema)
    set(tool $<TARGET_FILE:coretel::coretel-schema>)
    set(tool_dependency $<TARGET_FILE:coretel::coretel-schema>)
  elseif(CORETEL_SCHEMA_EXECUTABLE)
    set(tool ${CORETEL_SCHEMA_EXECUTABLE})
    set(tool_dependency ${CORETEL_SCHEMA_EXECUTABLE})
  else()
    message(FATAL_ERROR "coretel_generate_registry: no coretel-schema: find_package(coretel "
                        "CONFIG) or add_subdirectory(coretel) first, or set "
                        "CORETEL_SCHEMA_EXECUTABLE")
  endif()

  # CONFIGURE_DEPENDS: a YAML file added to the registry re-runs CMake, so it is tracked too.
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${registry}/*.yaml" "${registry}/*.yml")
  set(root ${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_generated)
  set(out ${root}/${ARG_INCLUDE_PREFIX})
  set(check_command "")
  if(ARG_CHECK)
    set(check_command COMMAND ${tool} check ${registry})
  endif()
  add_custom_command(
    OUTPUT ${out}/registry_stamp.h ${out}/registry.h
    ${check_command}
    COMMAND ${tool} generate cpp ${registry} -o ${out} --namespace ${ARG_NAMESPACE}
            --depfile ${root}/${ARG_INCLUDE_PREFIX}.d
    # The stamp must be newer than the inputs even when no header changed.
    COMMAND ${CMAKE_COMMAND} -E touch ${out}/registry_stamp.h
    DEPENDS ${sources} ${tool_dependency}
    # Every file coretel-schema read, the registries it depends on included.
    DEPFILE ${root}/${ARG_INCLUDE_PREFIX}.d
    COMMENT "coretel-schema: generating ${ARG_INCLUDE_PREFIX}/ from ${ARG_REGISTRY}"
    VERBATIM)
  add_custom_target(${ARG_TARGET}_generate DEPENDS ${out}/registry_stamp.h)
  add_library(${ARG_TARGET} INTERFACE)
  target_include_directories(${ARG_TARGET} INTERFACE $<BUILD_INTERFACE:${root}>)
  # Where the headers are, for a project's own install rules.
  set_target_properties(${ARG_TARGET} PROPERTIES CORETEL_GENERATED_DIR ${root})
  add_dependencies(${ARG_TARGET} ${ARG_TARGET}_generate)
endfunction()
