// protobuf_wire.h: ProtobufWriter, the protobuf wire format written straight into a string
// (https://protobuf.dev/programming-guides/encoding/), for coretel's OTLP encoders;
// ProtobufReader reads the few fields coretel needs from a response.
//
// COLD PATH (export thread). Writes fields in the order called; proto3 rules about default
// values are the caller's: a field is written when a write function is called, so the encoder
// omits zero scalars itself where the message has no presence (proto3 implicit presence), and
// writes oneof members and `optional` fields even when zero. Nested messages are written in
// place: begin_message() reserves one byte for the length, end_message() writes the real length
// and, if it needs more bytes, moves the message body up (lengths stay minimal varints, so the
// bytes are those libprotobuf writes for the same fields in the same order).
// The writer appends to its string through a raw cursor, growing the string geometrically;
// the string holds exactly what was written once finish() ran (the destructor runs it). In
// reuse mode (kReuse) it writes over the string from a given offset instead and never shrinks
// it, so a buffer kept across encodes is not zero-filled again: the bytes are [start, size()).
// Positions (size(), marks) are offsets into the string, valid across growth.
// Thread-compatible: one writer per thread.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace coretel::otlp {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class ProtobufWriter {
 public:
  /// Appends to `out` (not cleared).
  explicit ProtobufWriter(std::string& out) : out_(out), used_(out.size()) {}
  /// Reuse mode: writes over `storage` from offset `start`, leaving its size as it is (or
  /// larger); finish() does not shrink it.
  struct Reuse {};
  static constexpr Reuse kReuse{};
  ProtobufWriter(std::string& storage, std::size_t start, Reuse)
      : out_(storage), used_(start), reuse_(true) {}
  ~ProtobufWriter() { finish(); }
  ProtobufWriter(const ProtobufWriter&) = delete;
  ProtobufWriter& operator=(const ProtobufWriter&) = delete;

  /// Shrinks the string to what was written (not in reuse mode). Writing may go on after.
  void finish() {
    if (!reuse_) out_.resize(used_);
  }
  /// Bytes in the string so far (the offset of the next byte).
  std::size_t size() const noexcept { return used_; }
  /// Drops everything written from offset `at` on (at <= size()).
  void truncate(std::size_t at) noexcept { used_ = at; }

  [[gnu::always_inline]] void varint(uint64_t v) {
    if (v < 0x80) [[likely]] {  // tags, small lengths and enums: one byte
      *room(1) = static_cast<char>(v);
      ++used_;
      return;
    }
    varint_long(v);
  }
  void tag(uint32_t field, WireType type) {
    varint((uint64_t{field} << 3) | static_cast<uint64_t>(type));
  }
  /// Bytes as they are (an encoding prepared earlier).
  void raw(std::string_view bytes) {
    std::memcpy(room(bytes.size()), bytes.data(), bytes.size());
    used_ += bytes.size();
  }

  /// uint32/uint64/int64 (two's complement for negatives), bool and enum fields.
  void varint_field(uint32_t field, uint64_t v) {
    tag(field, WireType::kVarint);
    varint(v);
  }
  /// sint32/sint64 fields (ZigZag).
  void sint_field(uint32_t field, int64_t v) {
    varint_field(field, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  /// fixed64, sfixed64 (the two's-complement bits) and double (the IEEE-754 bits) fields.
  void fixed64_field(uint32_t field, uint64_t bits) {
    tag(field, WireType::kFixed64);
    fixed64(bits);
  }
  void double_field(uint32_t field, double v) { fixed64_field(field, std::bit_cast<uint64_t>(v)); }
  /// string and bytes fields.
  void bytes_field(uint32_t field, std::string_view bytes) {
    tag(field, WireType::kLengthDelimited);
    varint(bytes.size());
    raw(bytes);
  }
  /// Little-endian 8 bytes, no tag (elements of a packed repeated fixed64/double field).
  void fixed64(uint64_t bits) {
    if constexpr (std::endian::native != std::endian::little) bits = byteswap(bits);
    std::memcpy(room(8), &bits, 8);
    used_ += 8;
  }

  /// A message whose body is written before its length is known, with no body moved after:
  /// begin_front_message() must be the first thing written (at offset `start`); it reserves the
  /// longest length, and end_front_message() writes the tag and the minimal length just before
  /// the body, returning where the message now begins (start plus the bytes left unused). For a
  /// request's one top-level message, whose body is the whole request.
  std::size_t begin_front_message(uint32_t field) {
    field_ = field;
    char* p = room(kFrontReserve);
    std::memset(p, 0, kFrontReserve);
    used_ += kFrontReserve;
    return used_;
  }
  std::size_t end_front_message(std::size_t mark) {
    char head[2 * 10];
    std::size_t n = put_varint(head, (uint64_t{field_} << 3) | 2);  // wire type 2
    n += put_varint(head + n, used_ - mark);
    std::memcpy(out_.data() + mark - n, head, n);  // n <= kFrontReserve (see there)
    return mark - n;
  }

  /// Starts a length-delimited field (a nested message or a packed repeated field); returns the
  /// mark end_message() needs. Nesting is unlimited; marks close innermost first.
  std::size_t begin_message(uint32_t field) {
    tag(field, WireType::kLengthDelimited);
    *room(1) = '\0';  // the length, one byte if the body stays under 128 bytes
    return ++used_;
  }
  [[gnu::always_inline]] void end_message(std::size_t mark) {
    const std::size_t length = used_ - mark;
    if (length < 0x80) [[likely]] {
      out_[mark - 1] = static_cast<char>(length);
      return;
    }
    end_long_message(mark, length);
  }

 private:
  // varint() for values of 128 and more: up to 10 bytes.
  [[gnu::noinline]] void varint_long(uint64_t v) { used_ += put_varint(room(10), v); }
  // end_message() for a body of 128 bytes or more: the length takes more than its one byte.
  [[gnu::noinline]] void end_long_message(std::size_t mark, std::size_t length) {
    char buf[10];
    const std::size_t n = put_varint(buf, length);
    room(n - 1);
    char* body = out_.data() + mark;
    std::memmove(body + n - 1, body, length);
    std::memcpy(body - 1, buf, n);
    used_ += n - 1;
  }

  static std::size_t put_varint(char* p, uint64_t v) noexcept {
    std::size_t n = 0;
    while (v >= 0x80) {
      p[n++] = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    p[n++] = static_cast<char>(v);
    return n;
  }
  static uint64_t byteswap(uint64_t v) noexcept {
    uint64_t out = 0;
    for (int i = 0; i < 8; ++i) out = (out << 8) | ((v >> (8 * i)) & 0xff);
    return out;
  }
  // A pointer to `n` writable bytes at the cursor (the string grows geometrically). The check
  // is inlined into every write; growing, rare once the buffer has its size, is not.
  [[gnu::always_inline]] char* room(std::size_t n) {
    if (out_.size() - used_ < n) [[unlikely]]
      grow(n);
    return out_.data() + used_;
  }
  [[gnu::noinline]] void grow(std::size_t n) {
    out_.resize(std::max(out_.size() * 2, used_ + n + 256));
  }

  // Tag (up to 2 bytes for fields below 2048) and length (up to 5 bytes: below 32 GiB).
  static constexpr std::size_t kFrontReserve = 7;

  std::string& out_;
  std::size_t used_;
  bool reuse_ = false;
  uint32_t field_ = 0;  // of the front message
};

/// Reads fields of one message (the small OTLP responses coretel parses: partial_success).
/// Bounds-checked: a truncated or malformed input makes next() return nullopt and failed() true.
class ProtobufReader {
 public:
  struct Field {
    uint32_t number;
    WireType type;
  };

  explicit ProtobufReader(std::string_view in) noexcept : in_(in) {}

  /// The next field's number and type, or nullopt at the end (or on malformed input).
  std::optional<Field> next() noexcept {
    if (in_.empty() || failed_) return std::nullopt;
    uint64_t key = 0;
    if (!read_varint(key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX) return fail();
    const auto type = static_cast<uint8_t>(key & 7);
    if (type != 0 && type != 1 && type != 2 && type != 5) return fail();
    return Field{static_cast<uint32_t>(key >> 3), static_cast<WireType>(type)};
  }
  bool read_varint(uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return fail_bool();
      const auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return fail_bool();
  }
  bool read_bytes(std::string_view& bytes) noexcept {
    uint64_t n = 0;
    if (!read_varint(n) || n > in_.size()) return fail_bool();
    bytes = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  /// Skips the value of `field`.
  bool skip(const Field& field) noexcept {
    uint64_t v = 0;
    std::string_view bytes;
    switch (field.type) {
      case WireType::kVarint:
        return read_varint(v);
      case WireType::kFixed64:
        return advance(8);
      case WireType::kLengthDelimited:
        return read_bytes(bytes);
      case WireType::kFixed32:
        return advance(4);
    }
    return fail_bool();
  }
  bool failed() const noexcept { return failed_; }

 private:
  bool advance(std::size_t n) noexcept {
    if (in_.size() < n) return fail_bool();
    in_.remove_prefix(n);
    return true;
  }
  std::nullopt_t fail() noexcept {
    failed_ = true;
    return std::nullopt;
  }
  bool fail_bool() noexcept {
    failed_ = true;
    return false;
  }

  std::string_view in_;
  bool failed_ = false;
};

}  // namespace coretel::otlp
