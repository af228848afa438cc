// The registry's id index (src/collect/id_table.h) against std::unordered_set, with hashes that
// collide on purpose so that probe runs are long and wrap around the end of the table, which is
// where backward-shift deletion can go wrong.
#include "id_table.h"

#include <cstdint>
#include <random>
#include <unordered_set>

#include <gtest/gtest.h>

namespace {

using coretel::detail::IdTable;

// Hashes of ids: `modulus` distinct values, so each home slot holds many ids.
struct CollidingHash {
  std::size_t modulus;
  std::size_t operator()(uint32_t id) const { return id % modulus; }
};

void check_against_reference(std::size_t modulus, uint32_t id_range, int operations) {
  IdTable table;
  std::unordered_set<uint32_t> reference;
  const CollidingHash hash{modulus};
  std::mt19937 random(static_cast<uint32_t>(modulus * 7919 + id_range));
  for (int op = 0; op < operations; ++op) {
    const uint32_t id = random() % id_range;
    auto is_id = [id](uint32_t candidate) { return candidate == id; };
    const bool present = reference.count(id) != 0;
    ASSERT_EQ(table.find(hash(id), is_id), present ? id : IdTable::kEmpty) << "op " << op;
    if (random() % 2 == 0) {
      if (!present) {
        table.insert(id, hash(id), hash);
        reference.insert(id);
      }
    } else {
      table.erase(id, hash(id), hash);
      reference.erase(id);
    }
    ASSERT_EQ(table.size(), reference.size());
  }
  for (uint32_t id = 0; id < id_range; ++id)
    EXPECT_EQ(table.find(hash(id), [id](uint32_t c) { return c == id; }),
              reference.count(id) != 0 ? id : IdTable::kEmpty)
        << "id " << id;
}

TEST(IdTable, MatchesAReferenceSetUnderHeavyCollisions) {
  check_against_reference(3, 200, 20000);
}

TEST(IdTable, MatchesAReferenceSetWithSpreadHashes) {
  check_against_reference(1u << 30, 5000, 50000);
}

TEST(IdTable, FindUsesThePredicateNotTheId) {
  IdTable table;
  auto hash_of = [](uint32_t) { return std::size_t{42}; };  // every id collides
  for (uint32_t id = 0; id < 10; ++id) table.insert(id, 42, hash_of);
  EXPECT_EQ(table.find(42, [](uint32_t id) { return id * id == 49; }), 7u);
  EXPECT_EQ(table.find(42, [](uint32_t) { return false; }), IdTable::kEmpty);
  table.erase(7, 42, hash_of);
  EXPECT_EQ(table.find(42, [](uint32_t id) { return id == 7; }), IdTable::kEmpty);
  EXPECT_EQ(table.find(42, [](uint32_t id) { return id == 9; }), 9u);
  EXPECT_EQ(table.size(), 9u);
}

}  // namespace
