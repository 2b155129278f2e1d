#include "stipple/core/follicles.h"

// SKELETON: filled in by the hairline-and-dots work.

namespace stipple {

FollicleSet generateFollicles(const HeadModel&, const Design&) {
    throw Error("follicle generation is not implemented yet");
}

} // namespace stipple
