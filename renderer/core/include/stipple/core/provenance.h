#pragma once

// How much of a design's identity Stipple's outputs carry (PNG text chunks, manifest.json,
// bake.json, dot files). A design's name is often the client's, and its paths name the
// clinic's folders, so by default (Private) outputs identify the design and the mesh by their
// SHA-256 only (hash.h). Full adds the design's name and the design and mesh paths, for a
// clinic that wants them in its records.

#include <string>
#include <string_view>

namespace stipple {

enum class ProvenanceMode { Private, Full };

// "private" or "full". Throws stipple::Error naming the option `option` (hosts map it to
// their own words) and the accepted values otherwise.
ProvenanceMode parseProvenanceMode(std::string_view text, const std::string& option = "provenance");

} // namespace stipple
