// Inputs that crashed, hung or exhausted the registry reader (found by
// tools/schema/fuzz/registry_reader_fuzzer.cc or tried by hand on its known risk areas), run
// through the fuzz target's own pipeline (fuzz/pipeline.h): each must end as diagnostics.
// A new finding goes here as its minimized reproducer, next to the fix.
#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>
#include <string>
#include <string_view>

#include "fuzz/pipeline.h"

using namespace coretel::schema;
using coretel::schema::fuzz::run_pipeline;

namespace {

/// "id: message" of every diagnostic, for failure messages.
std::string dump(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.all()) out += format_text(d) + "\n";
  return out;
}

std::string bytes(std::string_view text) {
  return std::string(text);
}

/// Runs `body` on a thread with a `stack_bytes` stack: a recursion as deep as the input shows
/// up as a crash here, whatever the default stack size and the sanitizers' frame sizes.
void run_with_stack(std::size_t stack_bytes, std::function<void()> body) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  auto trampoline = [](void* fn) -> void* {
    (*static_cast<std::function<void()>*>(fn))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, &body), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
}

/// Enough for the resolver's own frames; far too little for one frame per group of a
/// 10,000-group chain.
constexpr std::size_t kSmallStack = 1 << 20;

// ------------------------------------------------------------------ invalid text

// Fuzzer finding (minimized): a byte that is not UTF-8 in a brief reached nlohmann::json, whose
// dump() (interning the attribute into the catalog) threw type_error 316 out of resolve().
TEST(FuzzRegressions, InvalidUtf8InABriefIsADeserializationError) {
  auto r = run_pipeline(
      "groups:\n  - id: rutes\n    brief:  ce.\n    attributes:\n      - id: ce\n"
      "        type: string\n        brief: \xff\xff  ");
  const Diagnostic* d = r.definition.find("DeserializationError");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->location.line, 7);
  EXPECT_EQ(d->location.column, 16);
  EXPECT_NE(d->message.find("invalid UTF-8 (byte 0xFF)"), std::string::npos) << d->message;
  EXPECT_FALSE(r.definition_read);
  EXPECT_NE(r.manifest.find("DeserializationError"), nullptr) << dump(r.manifest);
  EXPECT_NE(r.published.find("DeserializationError"), nullptr) << dump(r.published);
}

TEST(FuzzRegressions, NulByteIsADeserializationError) {
  auto r = run_pipeline(std::string("groups:\n  - id: g\0\n", 19));
  const Diagnostic* d = r.definition.find("DeserializationError");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->location.line, 2);
  EXPECT_NE(d->message.find("U+0000"), std::string::npos) << d->message;
}

TEST(FuzzRegressions, EncodedSurrogateAndOverlongFormsAreRejected) {
  for (std::string text : {bytes("groups: [{id: \"\xed\xa0\x80\"}]\n"),      // U+D800
                           bytes("groups: [{id: \"\xc0\xaf\"}]\n"),          // overlong '/'
                           bytes("groups: [{id: \"\xf4\x90\x80\x80\"}]\n"),  // above U+10FFFF
                           bytes("groups: [{id: \"\xe2\x82\"}]\n")}) {       // truncated
    auto r = run_pipeline(text);
    EXPECT_NE(r.definition.find("DeserializationError"), nullptr) << dump(r.definition);
  }
}

TEST(FuzzRegressions, EscapedControlCharactersStayAllowed) {
  // YAML writes what it cannot hold raw as escapes; those read fine.
  auto r = run_pipeline(
      "groups:\n  - id: g\n    type: attribute_group\n    brief: \"nul \\0, bell \\a, \\u00e9\"\n"
      "    attributes: [{id: a.b, type: string, brief: \"\\x01\", stability: stable, "
      "examples: [\"\\t\"]}]\n");
  EXPECT_EQ(r.definition.find("DeserializationError"), nullptr) << dump(r.definition);
  EXPECT_TRUE(r.definition_read);
}

// ------------------------------------------------------------------ malformed published registry

// Found by hand: a catalog entry or signal that is not a map made nlohmann::json's value()
// throw type_error 306 out of read_published_registry().
TEST(FuzzRegressions, PublishedRegistryEntriesThatAreNotMaps) {
  auto r = run_pipeline(
      "file_format: resolved/2.0\nattribute_catalog: [1]\nregistry: {attributes: [0]}\n");
  EXPECT_FALSE(r.published_read);
  const Diagnostic* d = r.published.find("InvalidFileFormat");
  ASSERT_NE(d, nullptr) << dump(r.published);
  EXPECT_NE(d->message.find("attribute_catalog[0] is not a map"), std::string::npos);

  r = run_pipeline("file_format: resolved/2.0\nattribute_catalog: []\nregistry: {entities: [x]}\n");
  EXPECT_FALSE(r.published_read);
  ASSERT_NE(r.published.find("InvalidFileFormat"), nullptr) << dump(r.published);
}

// ------------------------------------------------------------------ deep and huge structures

/// `n` attribute groups, g0 extends g1 extends ... g<n-1>, which defines one attribute: the
/// order in which resolving g0 first nests n levels deep.
std::string reverse_extends_chain(int n) {
  std::string text = "groups:\n";
  for (int i = 0; i < n; ++i) {
    text += "  - id: g" + std::to_string(i) + "\n    type: attribute_group\n    brief: b\n";
    if (i + 1 < n) {
      text += "    extends: g" + std::to_string(i + 1) + "\n";
    } else {
      text += "    attributes: [{id: a.b, type: int, brief: x, stability: stable}]\n";
    }
  }
  return text;
}

/// Reads `text` (a registry file with a long extends or ref_group chain) and resolves it on a
/// 1 MiB stack; the reading and resolving must end without an error.
ResolvedRegistry resolve_chain_on_a_small_stack(const std::string& text) {
  RegistryDefinition registry;
  Diagnostics diagnostics;
  EXPECT_TRUE(read_definition_file(text, "chain.yaml", registry, diagnostics));
  ResolvedRegistry resolved;
  run_with_stack(kSmallStack, [&] { resolved = resolve(registry, diagnostics); });
  EXPECT_FALSE(diagnostics.failed()) << dump(diagnostics);
  return resolved;
}

// Found by hand: the resolver's attributes_of() recursed once per `extends` level, so a long
// chain overflowed the stack. It is iterative now: the chain resolves completely, in 1 MiB of
// stack.
TEST(FuzzRegressions, TenThousandGroupExtendsChainResolves) {
  std::string text = reverse_extends_chain(10000);
  // A span at the bottom of the chain, so the result is visible in the resolved registry.
  text +=
      "  - id: s\n    type: span\n    span_kind: client\n    stability: development\n"
      "    brief: b\n    extends: g0\n";
  ResolvedRegistry resolved = resolve_chain_on_a_small_stack(text);
  ASSERT_EQ(resolved.spans.size(), 1u);
  ASSERT_EQ(resolved.spans[0].attributes.size(), 1u);
  EXPECT_EQ(resolved.catalog[resolved.spans[0].attributes[0].base].key, "a.b");
}

TEST(FuzzRegressions, TenThousandGroupRefGroupChainResolves) {
  std::string text =
      "file_format: definition/2\nattributes:\n"
      "  - {key: a.b, type: int, brief: x, stability: stable}\nattribute_groups:\n";
  const int n = 10000;
  for (int i = 0; i < n; ++i) {
    text += "  - id: grp" + std::to_string(i) + "\n    visibility: internal\n";
    text += i + 1 < n ? "    attributes: [{ref_group: grp" + std::to_string(i + 1) + "}]\n"
                      : std::string("    attributes: [{ref: a.b}]\n");
  }
  text +=
      "spans:\n  - type: s\n    kind: client\n    brief: b\n    stability: development\n"
      "    requirement_level: recommended\n    attributes: [{ref_group: grp0}]\n";
  ResolvedRegistry resolved = resolve_chain_on_a_small_stack(text);
  ASSERT_EQ(resolved.spans.size(), 1u);
  EXPECT_EQ(resolved.spans[0].attributes.size(), 1u);
}

TEST(FuzzRegressions, ExtendsCycleThroughALongChainIsReportedOnce) {
  std::string text = reverse_extends_chain(3000);
  text.replace(text.rfind("    attributes:"), std::string::npos, "    extends: g0\n");
  auto r = run_pipeline(text);
  EXPECT_EQ(r.definition.count("CircularExtends"), 1u) << dump(r.definition);
}

// Found by hand: an `extends` chain where every group adds an attribute holds n^2/2 attribute
// uses (2,000 groups took 2 GB and the fuzzer's memory limit). Past kMaxAttributeUses the
// resolver stops with one diagnostic.
TEST(FuzzRegressions, QuadraticExtendsChainStopsAtTheUseLimit) {
  std::string text = "groups:\n";
  for (int i = 0; i < 1000; ++i) {
    std::string n = std::to_string(i);
    text += "  - id: s" + n +
            "\n    type: span\n    span_kind: client\n    stability: development\n"
            "    brief: b\n    attributes: [{id: a.x" +
            n + ", type: int, brief: x, stability: stable}]\n";
    if (i > 0) text += "    extends: s" + std::to_string(i - 1) + "\n";
  }
  auto r = run_pipeline(text);
  const Diagnostic* d = r.definition.find("coretel_resolution_too_large");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(r.definition.count("coretel_resolution_too_large"), 1u);
  EXPECT_EQ(d->severity, Severity::kError);
}

// yaml-cpp stops nesting at 500 levels with the message "bad file"; the diagnostic says what
// is wrong.
TEST(FuzzRegressions, DeepNestingIsADeserializationErrorThatSaysSo) {
  auto r = run_pipeline("groups: " + std::string(100000, '[') + std::string(100000, ']') + "\n");
  const Diagnostic* d = r.definition.find("DeserializationError");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_NE(d->message.find("levels deep"), std::string::npos) << d->message;
}

// Found by hand: the policies' std::regex name check recursed once per character and overflowed
// the stack on a 40,000-character attribute key.
TEST(FuzzRegressions, VeryLongAttributeKeyIsCheckedWithoutRecursion) {
  std::string key = "a." + std::string(40000, 'b');
  auto r = run_pipeline(
      "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n"
      "    attributes: [{id: " +
      key + "-, type: int, brief: x, stability: stable}]\n");
  const Diagnostic* d = r.definition.find("naming_convention_attribute_name");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->subject, key + "-");
}

// An alias bomb (11 levels of ten aliases each) in annotations is cut at kMaxYamlNodes; it
// used to take 10 s under the sanitizers, mostly in a std::regex per scalar.
TEST(FuzzRegressions, AliasBombInAnnotationsIsBounded) {
  std::string text =
      "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n    annotations:\n"
      "      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    std::string previous = "*a" + std::to_string(i - 1);
    text += "      a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + previous;
    text += "]\n";
  }
  auto r = run_pipeline(text);
  const Diagnostic* d = r.definition.find("InvalidSemConvSpec");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_NE(d->message.find("expands (through aliases) to more than"), std::string::npos)
      << d->message;
  EXPECT_NE(r.published.find("DeserializationError"), nullptr) << dump(r.published);
}

// ------------------------------------------------------------------ odd but well-formed YAML

TEST(FuzzRegressions, SelfReferencingAliasesEndAsDiagnostics) {
  for (const char* text :
       {"groups: &a [*a]\n",
        "groups:\n  - &g {id: g, type: attribute_group, brief: b, annotations: {x: *g}}\n",
        "a: &a {b: *a}\ngroups: [{id: g, type: attribute_group, brief: b, annotations: *a}]\n"}) {
    auto r = run_pipeline(text);
    EXPECT_TRUE(r.definition.failed()) << text << "\n" << dump(r.definition);
  }
}

TEST(FuzzRegressions, KeysThatAreSequencesOrMapsAreErrors) {
  for (const char* text :
       {"groups:\n  - [a, b]: c\n    id: x\n", "? {a: 1}\n: x\ngroups: []\n",
        "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n    annotations:\n"
        "      ? [k]\n      : v\n",  // "`annotations` has a key that is not a string (...)"
        "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n    attributes:\n"
        "      - ref: a\n        requirement_level: {[x]: y}\n"}) {
    auto r = run_pipeline(text);
    EXPECT_TRUE(r.definition.failed()) << text << "\n" << dump(r.definition);
  }
}

// Found by hand: yaml-cpp keeps both entries of a duplicated key and a lookup finds the first,
// so `type:` written twice silently meant the first. Weaver (serde) rejects the file.
// yaml-cpp's LoadAll() produced documents without end on this input (found by the fuzzer:
// a timeout with memory growing past 1 GB), and Load() returns an empty document for it, which
// ignored the whole file: the reader asks its parser for two documents at most, and a file with
// content but no document is an error.
constexpr const char* kEndlessDocuments = R"(,groups:
  - id: entity.aws.log
    type: entity
    stability: development
    name: aws.log
    brief: >
      Entities specific to Amazon Web Services.
    attributes:
      - ref: aws.log.group.names
        requirement_level: recommended
      -   name: aws.log
    brief: >
      Entities specific to Amazon Web Services.
    attributes:
      - ref: aws.log.group.names
        requirement_level: recomminternalended
      - ref:. a-s.log.gr_level: recommended
)";

TEST(FuzzRegressions, MalformedStreamsDoNotYieldDocumentsWithoutEnd) {
  for (std::string text : {std::string(kEndlessDocuments),
                           std::string(kEndlessDocuments) + "---\n" + kEndlessDocuments,
                           "---\n" + std::string(kEndlessDocuments)}) {
    auto result = run_pipeline(text);
    EXPECT_FALSE(result.definition_read);
    EXPECT_NE(result.definition.find("DeserializationError"), nullptr) << dump(result.definition);
  }
}

TEST(FuzzRegressions, DuplicateKeysAreErrors) {
  auto r =
      run_pipeline("groups:\n  - id: g\n    type: attribute_group\n    type: span\n    brief: b\n");
  EXPECT_FALSE(r.definition_read);
  const Diagnostic* d = r.definition.find("InvalidSemConvSpec");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->message, "duplicate field `type`");
  EXPECT_EQ(d->location.line, 4);

  r = run_pipeline("groups: []\ngroups: []\n");
  EXPECT_FALSE(r.definition_read) << dump(r.definition);

  // Free-form values (annotations) too.
  r = run_pipeline(
      "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n"
      "    annotations: {a: 1, a: 2}\n");
  d = r.definition.find("InvalidSemConvSpec");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->message, "`annotations` has the key `a` twice");
}

}  // namespace

// ------------------------------------------------------------------ coretel annotations

// Fuzzer finding (CI, 2026-12-02): a measurement attribute whose `coretel.measurement` is a
// string reached the resolver's metric-set builder, whose json::value<bool>() threw type_error
// 302 out of resolve(). The annotation rules report it; the set simply has no such measurement.
TEST(FuzzRegressions, NonBooleanMeasurementAnnotationIsADiagnostic) {
  auto r = run_pipeline(
      "file_format: definition/2\n"
      "attributes:\n"
      "  - key: app.outcome\n"
      "    type: {members: [{id: ok, stability: stable}]}\n"
      "    brief: Outcome.\n"
      "    stability: stable\n"
      "attribute_groups:\n"
      "  - id: app.work\n"
      "    visibility: internal\n"
      "    attributes:\n"
      "      - ref: app.outcome\n"
      "        requirement_level: required\n"
      "        annotations: {coretel: {measurement: \"yes\"}}\n"
      "metrics:\n"
      "  - name: app.work.items\n"
      "    brief: Items.\n"
      "    instrument: counter\n"
      "    unit: \"{item}\"\n"
      "    stability: stable\n"
      "    annotations: {coretel: {metric_set: app.work}}\n"
      "    attributes: [{ref_group: app.work}]\n");
  EXPECT_TRUE(r.definition_read) << dump(r.definition);
  const Diagnostic* d = r.definition.find("coretel_annotation_invalid");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->message,
            "attribute `app.outcome`: `coretel.measurement` is \"yes\"; it is true or false");
}

// A metric whose semconv instrument is none of the four is an error of the reader (v2 as well
// as v1), so that no metric set member reaches the generator with an instrument it cannot name.
// (Before the instrument was an enum, v2 kept the unknown word and the annotation parser
// reported it as coretel_metric_set_instrument_mismatch.)
TEST(FuzzRegressions, SetMemberWithoutACoretelInstrumentIsADiagnostic) {
  auto r = run_pipeline(
      "file_format: definition/2\n"
      "metrics:\n"
      "  - name: app.work.items\n"
      "    brief: Items.\n"
      "    instrument: summary\n"
      "    unit: \"{item}\"\n"
      "    stability: stable\n"
      "    annotations: {coretel: {metric_set: app.work}}\n");
  const Diagnostic* d = r.definition.find("InvalidSemConvSpec");
  ASSERT_NE(d, nullptr) << dump(r.definition);
  EXPECT_EQ(d->message,
            "unknown instrument `summary`; expected counter, updowncounter, gauge or histogram");
}
