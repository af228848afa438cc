// policies.h: the rules semantic-conventions enforces on top of Weaver's built-in checks, from
// its Rego policy packages (opentelemetry-weaver-packages: naming_conventions, stability; and
// semconv's policies/brief.rego). Rule ids are the finding ids those policies emit (Weaver's
// `registry check` docs); every finding is an error, as Weaver reports policy violations. The
// entity_associations package's one rule (an association naming no entity) is the resolver's
// UnresolvedEntityAssociation, as in Weaver's resolver.
// A group or attribute opts out of a rule with
// `annotations: {<package>: {policy_exceptions: [<id>]}}`, as upstream.
// The per-reference rules (stability_<signal>_lower_stability_attribute,
// naming_convention_attribute_complex_type_violation) see every reference a signal makes,
// including those a later reference to the same key replaced (Signal::replaced); a finding two
// references give alike is reported once.
#pragma once

#include "definition.h"
#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema {

void check_policies(const RegistryDefinition& definition, const ResolvedRegistry& resolved,
                    Diagnostics& diagnostics);

}  // namespace coretel::schema
