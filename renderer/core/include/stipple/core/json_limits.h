#pragma once

// Limits checked on JSON text before nlohmann parses it. nlohmann's parser is iterative, but
// what is done with the value afterwards is not: json::dump(), comparisons and the destructor
// recurse once per level, so an array nested 10^5 deep overflows the stack. The text is
// scanned once (no recursion, no allocation) and refused before a value is ever built.

#include <cstddef>
#include <string>
#include <string_view>

namespace stipple {

// Deepest nesting accepted in a design file or a glTF JSON chunk. A design needs 4 levels
// (/zones/2/density_per_cm2 is 3 deep; notes may hold a little more); glTF needs 3.
constexpr size_t kMaxJsonDepth = 64;

// The nesting depth of the arrays and objects in `text` ("1" and "\"[[\"" are 0, "[]" is 1,
// "{\"a\":[1]}" is 2), ignoring brackets inside strings. Stops at the first byte where the
// depth exceeds `limit` and returns limit + 1 with that byte's 0-based offset in
// *deep_at (when not null); otherwise returns the maximum depth. Malformed JSON is not
// diagnosed here: the parser that runs next reports it.
size_t jsonNestingDepth(std::string_view text, size_t limit = kMaxJsonDepth,
                        size_t* deep_at = nullptr);

} // namespace stipple
