// Counts heap allocations made by the calling thread and by every other
// thread, through a replacement of the global operator new. Used to show that
// hot paths (env step, vector step) allocate nothing.
#pragma once

#include <cstdint>

namespace pavlov::test {

// AddressSanitizer replaces operator new itself: counting is off there and
// the tests that count are skipped.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kCountsAllocations = false;
#else
inline constexpr bool kCountsAllocations = true;
#endif

// Allocations made by all threads since the program started.
std::int64_t allocations();

}  // namespace pavlov::test
