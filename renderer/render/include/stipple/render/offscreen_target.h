#pragma once

// Offscreen rendering of any OSG node without an X server or a GPU: a Mesa EGL surfaceless
// context (llvmpipe; the same code runs on a GPU's EGL driver), one viewer whose camera draws
// into a multisampled FBO, the MSAA resolve, read-back to RGBA8 and optional supersampling
// (render k times larger, box-filter down). Used by the CLI (through Renderer) and the C ABI;
// hosts with their own viewer put a Scene in it instead.
//
// Debian's libGL exports a stub glRenderbufferStorageMultisampleCoverageNV; OSG prefers it and
// silently ends up with single-sampled renderbuffers. The target clears that pointer after
// realizing the viewer (DESIGN.md, "Rendering"), so 4x MSAA really happens.
//
// Threads: a target and the nodes it draws belong to one thread at a time (its context is
// made current on the calling thread by render()).

#include <memory>
#include <string>

#include <glm/glm.hpp>
#include <osg/Node>

#include "stipple/core/image.h"
#include "stipple/render/camera.h"

namespace stipple::render {

// The largest output a target (and the renderer) accepts (4K UHD), and the largest
// supersampled framebuffer side.
inline constexpr int kMaxWidth = 3840;
inline constexpr int kMaxHeight = 2160;
inline constexpr int kMaxFramebufferSide = 8192;

struct TargetSettings {
    int width = 1920;         // output pixels, 16..kMaxWidth
    int height = 1080;        // 16..kMaxHeight
    int msaa = 4;             // samples: 0, 2 or 4 (8 is not reliable on llvmpipe)
    int supersample = 1;      // 1..4; width and height times this at most kMaxFramebufferSide
    bool transparent = false; // alpha background; else background_srgb
    glm::dvec3 background_srgb{0.93, 0.93, 0.94};
};

// Throws stipple::Error for settings out of range, naming the setting by its design pointer
// (/render/width, /render/msaa, /render/supersample) and the accepted values.
void validateTargetSettings(const TargetSettings& settings);

class OffscreenTarget {
public:
    // Creates the context and the framebuffers. Throws stipple::RuntimeFailure when no
    // EGL/OpenGL driver is available (with the packages to install), stipple::Error for
    // settings out of range (validateTargetSettings).
    explicit OffscreenTarget(const TargetSettings& settings);
    ~OffscreenTarget(); // releases the GL objects of the last node drawn in this context
    OffscreenTarget(const OffscreenTarget&) = delete;
    OffscreenTarget& operator=(const OffscreenTarget&) = delete;

    // Changes the output size and supersampling (re-creates the framebuffers). Throws as the
    // constructor for values out of range; the target keeps its size then.
    void setSize(int width, int height, int supersample);
    const TargetSettings& settings() const;

    // Renders `node` seen from `pose` with `framing` (camera.h: a perspective camera looking
    // at framing.target from the orbit position). When `node` is a Scene, its view
    // (Scene::setView: eye and rig azimuth) is set from the pose first. The node is held by
    // the target until another node is drawn or the target is destroyed.
    // Returns RGBA, 8 bits, row 0 at the top, straight (not premultiplied) alpha; alpha is 255
    // everywhere unless the background is transparent.
    Image8 render(osg::Node& node, const Framing& framing, const CameraPose& pose);

    // "llvmpipe (LLVM 15.0.6, 256 bits) | 4.5 (Compatibility Profile) Mesa 22.3.6".
    std::string glDescription() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace stipple::render
