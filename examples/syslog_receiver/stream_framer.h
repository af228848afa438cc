// stream_framer.h: StreamFramer, TCP syslog framing: RFC 6587 §3.4.1 (octet counting,
// "MSG-LEN SP SYSLOG-MSG") and §3.4.2 (non-transparent framing, LF-terminated records).
//
// HOT PATH of the demo: one framer per TCP connection, used only on the engine's worker thread
// that owns the connection. feed() and finish() allocate nothing (one fixed buffer is allocated at
// construction), throw nothing themselves and take no locks. Not thread-safe, not reentrant: do not
// call feed()/finish() from inside the callbacks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "syslog_message.h"

namespace coretel_demo {

enum class FramingMode : uint8_t { kUnknown, kOctetCounting, kNonTransparent };

/// Splits a TCP byte stream into syslog records. Feed bytes as they arrive; it calls
/// on_record(std::string_view) for each complete record (without the octet-count prefix, the LF
/// or a trailing CR) and on_error(ParseError) with kMessageTooLong or kInvalidFraming for each
/// rejected one.
///
/// The mode is detected from the first byte of each record: a digit 1-9 means octet counting
/// ("LEN SP MSG"), anything else non-transparent (record ends at LF; a trailing CR is removed;
/// empty records are skipped). So a sender may mix modes, and a stray LF after an octet-counted
/// record is harmless.
///
/// Bounded memory: at most kMaxMessageBytes + 16 bytes are buffered, in one buffer allocated at
/// construction. A non-transparent record over kMaxMessageBytes is rejected with one
/// kMessageTooLong and the bytes up to the next LF are discarded (LF framing resynchronises by
/// itself). A malformed octet count (a non-digit before SP, more than 6 digits, or 0) is
/// kInvalidFraming and the bytes up to the next LF are discarded to resynchronise.
///
/// An octet count over kMaxMessageBytes (for example "999999 ") is reported once as
/// kMessageTooLong and the framer FAILS: failed() turns true, feed() consumes nothing more (the
/// rest of that call's bytes and every later call's are discarded, uncounted), and the caller is
/// expected to close the connection (the demo's worker does, counting close reason
/// frame_too_long). Why not skip the announced octets: octet counting is transparent (RFC 6587
/// §3.4.1), so the count is the only frame boundary there is. Skipping it trusts a count the
/// receiver already knows is out of range; when the count is garbage, up to ~1 MB of valid
/// records after it vanish behind one kMessageTooLong, with nothing to tell the sender. Closing
/// costs the sender one reconnection, tells it (its next send fails), bounds what is discarded
/// to what is already in flight, and leaves nothing ambiguous. RFC 5424 §6.1 lets a receiver
/// discard a message longer than it supports.
///
/// A record that arrives within one feed() call is delivered as a view into the caller's bytes;
/// only records straddling calls are copied into the internal buffer. Views passed to on_record
/// are valid only during the call.
class StreamFramer {
 public:
  StreamFramer();

  /// Consumes all of `bytes`, calling on_record / on_error for every record completed or rejected.
  /// Once failed(), the remaining bytes are discarded without a callback.
  template <class OnRecord, class OnError>
  void feed(std::string_view bytes, OnRecord&& on_record, OnError&& on_error);

  /// At connection close: a pending LF-less non-transparent record is delivered (RFC 6587 allows
  /// the last record to end at close); a truncated octet-counted record (or bare count) is
  /// reported as kInvalidFraming; a failed framer reports nothing more. The framer is then reset
  /// and may be reused.
  template <class OnRecord, class OnError>
  void finish(OnRecord&& on_record, OnError&& on_error);

  /// True once an oversize octet count was seen: the stream cannot be resynchronised and the
  /// connection should be closed. Every later feed() discards its bytes; finish() resets it.
  bool failed() const noexcept { return state_ == State::kFailed; }
  /// The mode of the most recently started record; kUnknown before the first one.
  FramingMode last_mode() const noexcept { return last_mode_; }
  /// Bytes of a partial record held in the internal buffer (0 .. kMaxMessageBytes + 16).
  size_t buffered_bytes() const noexcept { return len_; }

  /// Size of the internal buffer.
  static constexpr size_t kBufferCapacity = kMaxMessageBytes + 16;
  /// RFC 6587 MSG-LEN digits accepted (kMaxMessageBytes has 5; a 6-digit count over the limit is
  /// kMessageTooLong and fails the framer, 7 or more digits are a malformed count).
  static constexpr int kMaxCountDigits = 6;

 private:
  enum class State : uint8_t {
    kStart,        // at the first byte of a record
    kCount,        // reading the octet count
    kOctetBody,    // reading remaining_ bytes of an octet-counted record
    kLine,         // reading a non-transparent record up to LF
    kDiscardLine,  // discarding up to and including the next LF (error already reported)
    kFailed,       // an oversize octet count: everything is discarded until finish()
  };

  // A non-transparent record may hold one extra byte: a CR that is removed before delivery.
  static constexpr size_t kMaxLineBytes = kMaxMessageBytes + 1;

  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  size_t remaining_ = 0;  // kOctetBody
  size_t count_ = 0;      // kCount
  int count_digits_ = 0;  // kCount
  State state_ = State::kStart;
  FramingMode last_mode_ = FramingMode::kUnknown;
};

template <class OnRecord, class OnError>
void StreamFramer::feed(std::string_view bytes, OnRecord&& on_record, OnError&& on_error) {
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n) {
    switch (state_) {
      case State::kStart: {
        const char c = bytes[i];
        if (c >= '1' && c <= '9') {
          last_mode_ = FramingMode::kOctetCounting;
          count_ = static_cast<size_t>(c - '0');
          count_digits_ = 1;
          state_ = State::kCount;
          ++i;
        } else if (c == '\n') {
          ++i;  // empty non-transparent record: skipped
        } else {
          last_mode_ = FramingMode::kNonTransparent;
          state_ = State::kLine;  // the byte is part of the record
        }
        break;
      }

      case State::kCount: {
        const char c = bytes[i++];
        if (c >= '0' && c <= '9') {
          if (++count_digits_ > kMaxCountDigits) {
            state_ = State::kDiscardLine;
            on_error(ParseError::kInvalidFraming);
          } else {
            count_ = count_ * 10 + static_cast<size_t>(c - '0');
          }
        } else if (c == ' ' && count_ > 0) {
          if (count_ > kMaxMessageBytes) {
            state_ = State::kFailed;
            on_error(ParseError::kMessageTooLong);
            return;  // the rest is discarded: see failed()
          }
          remaining_ = count_;
          state_ = State::kOctetBody;
        } else {
          // A LF ends the malformed record right here; otherwise resynchronise at the next LF.
          state_ = (c == '\n') ? State::kStart : State::kDiscardLine;
          on_error(ParseError::kInvalidFraming);
        }
        break;
      }

      case State::kOctetBody: {
        const size_t avail = n - i;
        if (len_ == 0 && avail >= remaining_) {
          const std::string_view record = bytes.substr(i, remaining_);  // zero copy
          i += remaining_;
          remaining_ = 0;
          state_ = State::kStart;
          on_record(record);
        } else {
          const size_t take = std::min(avail, remaining_);
          std::memcpy(buf_.get() + len_, bytes.data() + i, take);
          len_ += take;
          remaining_ -= take;
          i += take;
          if (remaining_ == 0) {
            const std::string_view record(buf_.get(), len_);
            len_ = 0;
            state_ = State::kStart;
            on_record(record);
          }
        }
        break;
      }

      case State::kFailed:
        return;

      case State::kLine: {
        const std::string_view rest = bytes.substr(i);
        const size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
          if (len_ + rest.size() > kMaxLineBytes) {
            len_ = 0;
            state_ = State::kDiscardLine;
            on_error(ParseError::kMessageTooLong);
          } else {
            std::memcpy(buf_.get() + len_, rest.data(), rest.size());
            len_ += rest.size();
          }
          i = n;
          break;
        }
        i += lf + 1;
        state_ = State::kStart;
        std::string_view record;
        if (len_ == 0) {
          record = rest.substr(0, lf);  // zero copy
        } else {
          if (len_ + lf > kMaxLineBytes) {
            len_ = 0;
            on_error(ParseError::kMessageTooLong);
            break;
          }
          std::memcpy(buf_.get() + len_, rest.data(), lf);
          record = std::string_view(buf_.get(), len_ + lf);
          len_ = 0;
        }
        if (record.ends_with('\r')) record.remove_suffix(1);
        if (record.size() > kMaxMessageBytes) {
          on_error(ParseError::kMessageTooLong);
        } else if (!record.empty()) {
          on_record(record);
        }
        break;
      }

      case State::kDiscardLine: {
        const size_t lf = bytes.find('\n', i);
        if (lf == std::string_view::npos) {
          i = n;
        } else {
          i = lf + 1;
          state_ = State::kStart;
        }
        break;
      }
    }
  }
}

template <class OnRecord, class OnError>
void StreamFramer::finish(OnRecord&& on_record, OnError&& on_error) {
  const State state = state_;
  std::string_view pending(buf_.get(), len_);
  state_ = State::kStart;
  len_ = 0;
  remaining_ = 0;
  count_ = 0;
  count_digits_ = 0;
  switch (state) {
    case State::kLine:
      if (pending.ends_with('\r')) pending.remove_suffix(1);
      if (pending.size() > kMaxMessageBytes) {
        on_error(ParseError::kMessageTooLong);
      } else if (!pending.empty()) {
        on_record(pending);
      }
      break;
    case State::kCount:
    case State::kOctetBody:
      on_error(ParseError::kInvalidFraming);
      break;
    case State::kStart:
    case State::kFailed:       // kMessageTooLong already reported
    case State::kDiscardLine:  // error already reported
      break;
  }
}

}  // namespace coretel_demo
