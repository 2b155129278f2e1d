#include "stipple/core/provenance.h"

#include "stipple/core/error.h"

namespace stipple {

ProvenanceMode parseProvenanceMode(std::string_view text, const std::string& option) {
    if (text == "private") return ProvenanceMode::Private;
    if (text == "full") return ProvenanceMode::Full;
    throw Error("provenance '" + std::string(text) +
                    "' is not accepted; use private (the "
                    "design's SHA-256 only, the default) or full (adds its name and paths)",
                "", option);
}

} // namespace stipple
