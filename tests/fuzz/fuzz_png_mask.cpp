// libFuzzer target: the density-mask PNG decoder, through the one way a mask enters the
// program: parseDesign() of a design whose density_mask names a file (design.h: the mask is
// decoded there, and a corrupt or truncated one is an error at /density_mask/image). The input
// is the mask file's bytes. parseDesign must return a design whose mask has pixels of the
// decoded size, or throw stipple::Error naming /density_mask/image; never crash, abort, hang or
// leak.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "stipple/core/design.h"
#include "stipple/core/error.h"

namespace {

const char* const kDesign = R"({"stipple": 1, "head": {"mesh": "head.glb"},
    "density_mask": {"image": "mask.png", "strength": 0.5}})";

void checkMask(const stipple::Design& design) {
    if (!design.density_mask) stipple::fuzz::fail("accepted design lost its density mask");
    const auto& pixels = design.density_mask->pixels;
    if (!pixels) stipple::fuzz::fail("accepted density mask has no pixels");
    if (pixels->width <= 0 || pixels->height <= 0 || pixels->channels != 1 ||
        pixels->pixels.size() != size_t(pixels->width) * size_t(pixels->height))
        stipple::fuzz::fail("decoded density mask is not one channel of width x height");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::filesystem::path dir = stipple::fuzz::scratchDir();
    stipple::fuzz::writeInput(dir / "mask.png", stipple::fuzz::bytesOf(data, size));
    try {
        checkMask(stipple::parseDesign(kDesign, dir / "design.json"));
    } catch (const stipple::Error& e) {
        if (std::string(e.what()).find("/density_mask/image") == std::string::npos)
            stipple::fuzz::fail(std::string("mask rejected without its pointer: ") + e.what());
    }
    return 0;
}
