#pragma once

// SHA-256 of a dot list field by field: Dot has padding bytes (after `zone`) whose values are
// indeterminate, so hashing the raw array would compare garbage (it did, under ASan).

#include <cstring>
#include <string>
#include <vector>

#include "stipple/core/follicles.h"
#include "stipple/core/hash.h"

namespace stipple::test {

template <typename Dots> std::string dotsHash(const Dots& dots) {
    std::string bytes;
    bytes.reserve(dots.size() * 48);
    auto put = [&](const void* p, size_t n) { bytes.append(static_cast<const char*>(p), n); };
    for (const Dot& d : dots) {
        put(&d.position_mm, sizeof d.position_mm);
        put(&d.normal, sizeof d.normal);
        put(&d.diameter_mm, sizeof d.diameter_mm);
        put(&d.aspect, sizeof d.aspect);
        put(&d.angle_rad, sizeof d.angle_rad);
        put(&d.shade, sizeof d.shade);
        put(&d.zone, sizeof d.zone);
        put(&d.triangle, sizeof d.triangle);
        put(&d.id, sizeof d.id);
    }
    return sha256Hex(bytes);
}

} // namespace stipple::test
