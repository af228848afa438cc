// validate.h: Weaver's per-group and per-attribute checks (the "validate" stage).
//
// Rule ids and severities follow Weaver's weaver_semconv crate (Weaver's `registry check` docs):
//   errors   InvalidGroup, InvalidMetric, InvalidAttribute, InvalidExampleError,
//            AttributeInIdentityAndDescription
//   warnings InvalidGroupMissingType, InvalidGroupStability, InvalidSpanMissingSpanKind,
//            InvalidGroupMissingExtendsOrAttributes, InvalidGroupDuplicateAttributeRef,
//            InvalidAttributeWarning, InvalidExampleWarning, InvalidGroupUsesPrefix,
//            MissingRequirementLevelWarning
// Diagnostics come group by group in file order, and within a group: group rules, then each
// attribute in order (the order Weaver's own test asserts for `seven-validation-errors.yaml`).
#pragma once

#include "definition.h"
#include "diagnostic.h"

namespace coretel::schema {

void validate(const RegistryDefinition& registry, Diagnostics& diagnostics);

}  // namespace coretel::schema
