// cpp_generator.h: the C++ generator's state and stages (generate_cpp.h is its interface).
// One job per file:
//   generate_cpp.cc      run() in order, per-namespace file assembly, writing the files;
//   cpp_attributes.cc    attribute key constants and enum types (with their string forms);
//   cpp_records.cc       typed records of events and entities (and of a set's entity tuple);
//   cpp_metric_sets.cc   metric name constants and coretel metric sets;
//   cpp_text.h           the text helpers all of them write with.
// Stages append to the Section of each root namespace; names are unique per namespace-wide
// space ("type", "attribute", "metric"). Internal to the schema tool; not thread-safe (one
// generator per run).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "generate_cpp.h"
#include "resolved_registry.h"

namespace coretel::schema::cpp {

class CppGenerator {
 public:
  CppGenerator(const ResolvedRegistry& r, const CppOptions& options) : r_(r), options_(options) {}

  /// file name -> content; empty with `error` set on failure.
  std::map<std::string, std::string> run(std::string& error);

 private:
  /// What one root namespace's header gets, section by section.
  struct Section {
    std::string attribute_constants;
    std::string enums;
    std::string metric_constants;
    std::string records;
    std::string metric_sets;
    std::set<std::string> needs;  // other root namespaces whose enums this file uses
    bool needs_coretel = false;
    bool needs_events = false;  // typed event emitters: coretel/events/emit.h
  };

  // generate_cpp.cc
  /// A unique C++ identifier for `wanted` in the namespace-wide space `space`.
  std::string unique(const std::string& space, const std::string& wanted);
  /// The header of each root namespace, registry.h and registry_stamp.h.
  std::map<std::string, std::string> assemble();

  // cpp_attributes.cc
  /// How an enum attribute is generated:
  ///   kString   every member value is a string: enumerators 0..N-1 in member order, a value
  ///             table (CORETEL_MEASUREMENT_ATTRIBUTE) doubling as to_string(); usable as a
  ///             measurement attribute.
  ///   kInteger  every member value is an integer: the enumerators carry the values.
  ///   kOther    booleans, doubles, values of mixed types, or no members at all: enumerators
  ///             0..N-1 with to_string() giving the member id and to_attribute_value() the
  ///             value with the type the registry wrote.
  enum class EnumKind { kString, kInteger, kOther };

  /// Enum type names first, so records and sets can refer to them in any order.
  void name_enums();
  static EnumKind enum_kind(const CatalogAttribute& a);
  static bool string_enum(const CatalogAttribute& a);
  /// A C++ expression of type ::coretel::AttributeValue holding `value` as the registry typed
  /// it.
  static std::string attribute_value_literal(const Json& value);
  void attribute_constant(const CatalogAttribute& a);
  void enum_type(const CatalogAttribute& a);

  // cpp_records.cc
  struct FieldType {
    std::string cpp;       // "" when not representable (templates, any)
    std::string to_value;  // expression building an AttributeValue from `v`, "" for arrays
  };

  FieldType field_type(const CatalogAttribute& a, Section& s);
  /// A struct with one typed member per attribute (required ones plain, others optional) and
  /// `attributes()` building coretel::Attributes from the ones set.
  std::string record_body(const std::vector<AttributeRef>& refs, Section& s, bool optional_all);
  std::string typed_emitter(const std::vector<AttributeRef>& refs, Section& s);
  void record_struct(const Signal& signal, const std::string& suffix,
                     const std::vector<AttributeRef>& refs);

  // cpp_metric_sets.cc
  void metric_constant(const Signal& m);
  bool metric_set(const MetricSet& set, std::string& error);

  const ResolvedRegistry& r_;
  const CppOptions& options_;
  std::map<std::string, Section> sections_;
  std::map<std::string, std::set<std::string>> names_;
  std::map<std::string, std::string> enum_names_;
};

}  // namespace coretel::schema::cpp
