// libFuzzer target: the design reader. The input is the text of a design file; parseDesign
// must either return a Design or throw stipple::Error, never crash, abort, hang or leak (any
// other exception escapes and libFuzzer records it). A design it accepts must survive the
// writer: designToText -> parseDesign -> designToText gives the same bytes (design_writer.h
// promises parseDesign(designToJson(d)) == d field for field).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "stipple/core/design.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/error.h"

namespace {

// Relative paths in the design (head.mesh, density_mask.image) resolve against a folder that
// does not exist, so a fuzzed design reads no file of the machine it runs on.
const std::filesystem::path kSource = "/nonexistent-stipple-fuzz/design.json";

void checkRoundTrip(const stipple::Design& design) {
    const std::string first = stipple::designToText(design, kSource.parent_path());
    stipple::Design again;
    try {
        again = stipple::parseDesign(first, kSource);
    } catch (const stipple::Error& e) {
        stipple::fuzz::fail("the writer's output of an accepted design is rejected: " +
                            std::string(e.what()) + "\n" + first);
    }
    const std::string second = stipple::designToText(again, kSource.parent_path());
    if (second != first)
        stipple::fuzz::fail("designToText is not a fixed point:\n" + first + "\n---\n" + second);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(stipple::fuzz::bytesOf(data, size));
    stipple::Design design;
    try {
        design = stipple::parseDesign(text, kSource);
    } catch (const stipple::Error&) {
        return 0; // rejected with a message: the contract
    }
    checkRoundTrip(design);
    return 0;
}
