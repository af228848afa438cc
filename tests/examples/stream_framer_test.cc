// stream_framer_test.cc: StreamFramer (RFC 6587 octet counting and non-transparent framing):
// record boundaries, mixed modes, chunking independence, oversize and malformed records, finish(),
// and the failed state after an oversize octet count.
#include "stream_framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "syslog_message.h"

namespace coretel_demo {
namespace {

// Records as "R:<bytes>", errors as "E:<to_string(error)>", in callback order.
using Events = std::vector<std::string>;

std::string rec(std::string_view r) {
  return "R:" + std::string(r);
}
std::string err(ParseError e) {
  return "E:" + std::string(to_string(e));
}

const std::string kTooLong = err(ParseError::kMessageTooLong);
const std::string kBadFraming = err(ParseError::kInvalidFraming);

struct Recorder {
  Events events;
  auto on_record() {
    return [this](std::string_view r) { events.push_back(rec(r)); };
  }
  auto on_error() {
    return [this](ParseError e) { events.push_back(err(e)); };
  }
};

// Feeds `chunks` one feed() each, then finish() if asked.
Events run(StreamFramer& framer, const std::vector<std::string>& chunks, bool finish = true) {
  Recorder r;
  for (const std::string& c : chunks) {
    framer.feed(c, r.on_record(), r.on_error());
    EXPECT_LE(framer.buffered_bytes(), StreamFramer::kBufferCapacity);
  }
  if (finish) {
    framer.finish(r.on_record(), r.on_error());
    EXPECT_EQ(framer.buffered_bytes(), 0u);
  }
  return r.events;
}

Events run_whole(std::string_view stream, bool finish = true) {
  StreamFramer framer;
  return run(framer, {std::string(stream)}, finish);
}

Events run_bytewise(std::string_view stream, bool finish = true) {
  StreamFramer framer;
  Recorder r;
  for (const char c : stream) {
    framer.feed(std::string_view(&c, 1), r.on_record(), r.on_error());
    EXPECT_LE(framer.buffered_bytes(), StreamFramer::kBufferCapacity);
  }
  if (finish) framer.finish(r.on_record(), r.on_error());
  return r.events;
}

Events run_random_chunks(std::string_view stream, uint32_t seed, size_t max_chunk,
                         bool finish = true) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> size_dist(0, max_chunk);  // empty feeds included
  std::vector<std::string> chunks;
  for (size_t pos = 0; pos < stream.size();) {
    const size_t n = std::min(size_dist(rng), stream.size() - pos);
    chunks.emplace_back(stream.substr(pos, n));
    pos += n;
  }
  StreamFramer framer;
  return run(framer, chunks, finish);
}

// "LEN SP MSG" (RFC 6587 §3.4.1).
std::string octet(std::string_view msg) {
  return std::to_string(msg.size()) + " " + std::string(msg);
}

// ---------------------------------------------------------------------------------------------

TEST(StreamFramer, OctetCountingConcatenated) {
  const std::string stream =
      "11 <13>1 - - -11 <13>1 - - -" + octet("<165>1 - h a p m - hello") + octet("x");
  EXPECT_EQ(run_whole(stream), (Events{rec("<13>1 - - -"), rec("<13>1 - - -"),
                                       rec("<165>1 - h a p m - hello"), rec("x")}));
  StreamFramer framer;
  run(framer, {stream});
  EXPECT_EQ(framer.last_mode(), FramingMode::kOctetCounting);
}

TEST(StreamFramer, OctetCountingBodyMayContainLfAndCr) {
  // Octet counting is transparent: LF, CR and digits inside the body are data.
  const std::string body = "<13>1 - h a p m - line1\nline2\r\n12 ";
  EXPECT_EQ(run_whole(octet(body) + octet("b")), (Events{rec(body), rec("b")}));
}

TEST(StreamFramer, NonTransparentWithCrLf) {
  // What `logger --tcp` sends by default (non-transparent framing), with CRLF and LF endings.
  const std::string stream =
      "<13>Nov 22 03:58:27 myhost root: hello\r\n<13>1 2026-11-22T03:58:27.123456+00:00 myhost "
      "root 1234 - - world\n\n\r\n<14>x\r\r\n";
  EXPECT_EQ(run_whole(stream),
            (Events{rec("<13>Nov 22 03:58:27 myhost root: hello"),
                    rec("<13>1 2026-11-22T03:58:27.123456+00:00 myhost root 1234 - - world"),
                    rec("<14>x\r")}));  // only one trailing CR is removed
  StreamFramer framer;
  run(framer, {stream});
  EXPECT_EQ(framer.last_mode(), FramingMode::kNonTransparent);
}

TEST(StreamFramer, MixedModesOnOneConnection) {
  const std::string stream = "5 hello<13>x\n3 abc\n\n<14>y\r\n" + octet("<15>z") + "<16>w\n";
  EXPECT_EQ(run_whole(stream), (Events{rec("hello"), rec("<13>x"), rec("abc"), rec("<14>y"),
                                       rec("<15>z"), rec("<16>w")}));
}

TEST(StreamFramer, LastModeTracksTheLatestRecord) {
  StreamFramer framer;
  EXPECT_EQ(framer.last_mode(), FramingMode::kUnknown);
  Recorder r;
  framer.feed("3 abc", r.on_record(), r.on_error());
  EXPECT_EQ(framer.last_mode(), FramingMode::kOctetCounting);
  framer.feed("<13>a\n", r.on_record(), r.on_error());
  EXPECT_EQ(framer.last_mode(), FramingMode::kNonTransparent);
  framer.feed("\n\n", r.on_record(), r.on_error());  // empty records do not change it
  EXPECT_EQ(framer.last_mode(), FramingMode::kNonTransparent);
  framer.feed("1", r.on_record(), r.on_error());
  EXPECT_EQ(framer.last_mode(), FramingMode::kOctetCounting);
}

TEST(StreamFramer, ZeroCopyWhenARecordFitsInOneFeed) {
  StreamFramer framer;
  const std::string bytes = "5 hello<13>x\n<14>partial";
  std::vector<std::string_view> views;
  framer.feed(
      bytes, [&](std::string_view r) { views.push_back(r); }, [](ParseError) { FAIL(); });
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].data(), bytes.data() + 2);
  EXPECT_EQ(views[1].data(), bytes.data() + 7);
  EXPECT_EQ(framer.buffered_bytes(), std::string_view("<14>partial").size());

  // The partial record is copied, completed by the next feed and delivered from the buffer.
  std::string got;
  const std::string more = "!\n";
  framer.feed(
      more,
      [&](std::string_view r) {
        got = r;
        EXPECT_TRUE(r.data() < more.data() || r.data() >= more.data() + more.size());
      },
      [](ParseError) { FAIL(); });
  EXPECT_EQ(got, "<14>partial!");
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(StreamFramer, BufferedBytesForPartialRecords) {
  StreamFramer framer;
  Recorder r;
  framer.feed("10 abc", r.on_record(), r.on_error());
  EXPECT_EQ(framer.buffered_bytes(), 3u);  // the count prefix is not buffered
  framer.feed("defghij", r.on_record(), r.on_error());
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  EXPECT_EQ(r.events, (Events{rec("abcdefghij")}));
}

// ---------------------------------------------------------------------------------------------
// Oversize records.

TEST(StreamFramer, OversizeOctetCountFailsTheStream) {
  // "999999 " followed by valid records: one kMessageTooLong, then the framer has failed and the
  // records after it are NOT delivered (the caller closes the connection); the records before it
  // in the same feed are.
  const std::string valid = octet("<13>next") + "<14>lf\n" + octet("<15>more");
  const std::string stream = octet("<12>before") + "999999 " + valid;
  const Events expected = {rec("<12>before"), kTooLong};
  EXPECT_EQ(run_whole(stream), expected);
  EXPECT_EQ(run_bytewise(stream), expected);
  for (uint32_t seed = 1; seed <= 5; ++seed)
    EXPECT_EQ(run_random_chunks(stream, seed, 9), expected) << "seed " << seed;

  StreamFramer framer;
  Recorder r;
  EXPECT_FALSE(framer.failed());
  framer.feed("999999 abc", r.on_record(), r.on_error());
  EXPECT_TRUE(framer.failed());
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  // Everything after is discarded, whatever it holds, however much arrives: nothing buffered,
  // no callback.
  for (int i = 0; i < 100; ++i)
    framer.feed(valid + std::string(1000, 'q'), r.on_record(), r.on_error());
  EXPECT_EQ(r.events, (Events{kTooLong}));
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  // finish() adds nothing (already reported) and resets: the framer can serve a new stream.
  framer.finish(r.on_record(), r.on_error());
  EXPECT_FALSE(framer.failed());
  EXPECT_EQ(r.events, (Events{kTooLong}));
  EXPECT_EQ(run(framer, {valid}), (Events{rec("<13>next"), rec("<14>lf"), rec("<15>more")}));

  // One over the limit fails too; the limit itself is delivered (next test).
  const std::string over = std::to_string(kMaxMessageBytes + 1) + " ";
  EXPECT_EQ(run_whole(over + std::string(kMaxMessageBytes + 1, 'x') + octet("<13>next")),
            (Events{kTooLong}));
}

TEST(StreamFramer, OctetCountOfExactlyTheLimitIsDelivered) {
  const std::string body(kMaxMessageBytes, 'y');
  const Events expected = {rec(body), rec("z")};
  EXPECT_EQ(run_whole(octet(body) + octet("z")), expected);
  EXPECT_EQ(run_random_chunks(octet(body) + octet("z"), 7, 5000), expected);
}

TEST(StreamFramer, OversizeLfRecordIsDiscardedWithOneError) {
  const std::string stream = std::string(70000, 'x') + "\n<13>next\n";
  const Events expected = {kTooLong, rec("<13>next")};
  EXPECT_EQ(run_whole(stream), expected);
  EXPECT_EQ(run_bytewise(stream), expected);
  EXPECT_EQ(run_random_chunks(stream, 3, 1000), expected);
  EXPECT_EQ(run_random_chunks(stream, 4, 100000), expected);

  // Memory stays bounded while the oversize record streams in.
  StreamFramer framer;
  Recorder r;
  const std::string kib(1024, 'q');
  for (int i = 0; i < 200; ++i) {
    framer.feed(kib, r.on_record(), r.on_error());
    EXPECT_LE(framer.buffered_bytes(), StreamFramer::kBufferCapacity);
  }
  framer.feed("\n5 hello", r.on_record(), r.on_error());
  EXPECT_EQ(r.events, (Events{kTooLong, rec("hello")}));
}

TEST(StreamFramer, LfRecordLimitExcludesTheTerminator) {
  const std::string max(kMaxMessageBytes, 'm');
  for (const std::string& stream : {max + "\n<1>a\n", max + "\r\n<1>a\n"}) {
    const Events expected = {rec(max), rec("<1>a")};
    EXPECT_EQ(run_whole(stream), expected);
    EXPECT_EQ(run_bytewise(stream), expected);
  }
  const std::string over = max + "m";
  for (const std::string& stream : {over + "\n<1>a\n", over + "\r\n<1>a\n"}) {
    const Events expected = {kTooLong, rec("<1>a")};
    EXPECT_EQ(run_whole(stream), expected);
    EXPECT_EQ(run_bytewise(stream), expected);
  }
  // At close, too.
  EXPECT_EQ(run_bytewise(max), (Events{rec(max)}));
  EXPECT_EQ(run_bytewise(max + "\r"), (Events{rec(max)}));
  EXPECT_EQ(run_bytewise(over), (Events{kTooLong}));
  EXPECT_EQ(run_whole(over + "\r"), (Events{kTooLong}));
}

// ---------------------------------------------------------------------------------------------
// Malformed octet counts.

TEST(StreamFramer, MalformedCountDiscardsToNextLf) {
  // Non-digit before SP: the rest of the line goes.
  EXPECT_EQ(run_whole("12a <13>junk\n<14>ok\n"), (Events{kBadFraming, rec("<14>ok")}));
  // More than 6 digits.
  EXPECT_EQ(run_whole("1234567 " + std::string(50, 'j') + "\n5 hello"),
            (Events{kBadFraming, rec("hello")}));
  // The LF itself ends the bad count.
  EXPECT_EQ(run_whole("12\n5 hello"), (Events{kBadFraming, rec("hello")}));
  // A CR or TAB is not the SP separator.
  EXPECT_EQ(run_whole("3\tabc\n3 abc"), (Events{kBadFraming, rec("abc")}));
  // No LF ever follows: everything after is discarded, and finish() adds nothing.
  EXPECT_EQ(run_whole("9x 5 hello"), (Events{kBadFraming}));
  // Six digits are fine (and oversize here); a record starting with '0' is not octet counting.
  EXPECT_EQ(run_whole("100000 "), (Events{kTooLong}));
  EXPECT_EQ(run_whole("0 abc\n"), (Events{rec("0 abc")}));
}

// ---------------------------------------------------------------------------------------------
// finish().

TEST(StreamFramer, FinishSemantics) {
  // An LF-less last record is delivered at close (RFC 6587 §3.4.2), its trailing CR removed.
  EXPECT_EQ(run_whole("<13>a\n<13>last"), (Events{rec("<13>a"), rec("<13>last")}));
  EXPECT_EQ(run_whole("<13>last\r"), (Events{rec("<13>last")}));
  EXPECT_EQ(run_whole("\r"), (Events{}));
  // Truncated octet-counted record, or a count with no SP yet.
  EXPECT_EQ(run_whole("10 abc"), (Events{kBadFraming}));
  EXPECT_EQ(run_whole("5 hello10"), (Events{rec("hello"), kBadFraming}));
  EXPECT_EQ(run_whole("5 hello10 "), (Events{rec("hello"), kBadFraming}));
  // Nothing pending: nothing reported.
  EXPECT_EQ(run_whole(""), (Events{}));
  EXPECT_EQ(run_whole("5 hello"), (Events{rec("hello")}));
  EXPECT_EQ(run_whole("<13>a\n\n"), (Events{rec("<13>a")}));
  // An oversize octet record cut short was already reported once.
  EXPECT_EQ(run_whole("70000 abc"), (Events{kTooLong}));
  // Without finish() the partial record stays pending.
  EXPECT_EQ(run_whole("<13>pending", /*finish=*/false), (Events{}));

  // The framer is reset by finish() and can be reused.
  StreamFramer framer;
  EXPECT_EQ(run(framer, {"10 abc"}), (Events{kBadFraming}));
  EXPECT_EQ(run(framer, {"3 abc<1>x"}), (Events{rec("abc"), rec("<1>x")}));
  EXPECT_EQ(run(framer, {"<1>y\n"}), (Events{rec("<1>y")}));
}

// ---------------------------------------------------------------------------------------------
// Chunking independence.

std::string mixed_corpus() {
  std::string s;
  s += octet(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\"] An application event log entry...");
  s += "<13>Nov 22 03:58:27 myhost root: hello\r\n";
  s += "\n\r\n";
  s += octet(std::string(3000, 'a'));
  s += "<30>Oct  1 12:00:00 host sshd[42]: Accepted\n";
  s += "12a garbage\n";
  s += octet("after-garbage");
  s += std::string(kMaxMessageBytes + 100, 'L') + "\r\n";
  s += "1234567 seven digits\n";
  s += std::string(kMaxMessageBytes, 'M') + "\n";
  s += octet(std::string(kMaxMessageBytes, 'N'));
  s += "99\n";
  s += octet("x");
  s += "<14>tail without LF\r";
  return s;
}

TEST(StreamFramer, ByteByByteAndRandomChunksMatchWholeFeed) {
  const std::string corpus = mixed_corpus();
  const Events whole = run_whole(corpus);
  const Events expected = {
      rec("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
          "[exampleSDID@32473 iut=\"3\"] An application event log entry..."),
      rec("<13>Nov 22 03:58:27 myhost root: hello"),
      rec(std::string(3000, 'a')),
      rec("<30>Oct  1 12:00:00 host sshd[42]: Accepted"),
      kBadFraming,
      rec("after-garbage"),
      kTooLong,
      kBadFraming,
      rec(std::string(kMaxMessageBytes, 'M')),
      rec(std::string(kMaxMessageBytes, 'N')),
      kBadFraming,
      rec("x"),
      rec("<14>tail without LF"),
  };
  EXPECT_EQ(whole, expected);
  EXPECT_EQ(run_bytewise(corpus), expected);
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    const size_t max_chunk = seed % 2 ? 16 : 70000;
    EXPECT_EQ(run_random_chunks(corpus, seed, max_chunk), expected) << "seed " << seed;
  }
}

TEST(StreamFramer, RandomStreamsAreChunkingIndependent) {
  std::mt19937 rng(6587);
  constexpr std::string_view kAlphabet = "0123456789123456789   \n\n\r<>abc";
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::uniform_int_distribution<int> len_dist(0, 400);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    const int len = len_dist(rng);
    for (int i = 0; i < len; ++i) s.push_back(kAlphabet[pick(rng)]);
    const Events whole = run_whole(s);
    ASSERT_EQ(run_bytewise(s), whole) << s;
    ASSERT_EQ(run_random_chunks(s, static_cast<uint32_t>(iter), 20), whole) << s;
  }
}

}  // namespace
}  // namespace coretel_demo
