// Rendering entry points of the C ABI: one view into a caller buffer (through a Renderer the
// session keeps), and stills/turntables into a folder (through render::runRenderJob). In a
// build without the renderer (STIPPLE_BUILD_RENDER=OFF, e.g. the sanitizer build) both return
// STIPPLE_RUNTIME.

#include <cstring>
#include <optional>
#include <thread>

#include "capi_internal.h"

#if STIPPLE_HAVE_RENDER
#include <nlohmann/json.hpp>

#include "stipple/render/camera.h"
#include "stipple/render/design_render.h"
#include "stipple/render/lighting.h"
#include "stipple/render/render_job.h"
#include "stipple/render/renderer.h"
#endif

namespace stipple::capi {

#if STIPPLE_HAVE_RENDER

// What the session's Renderer was built for: a different head, a new bake or another lighting
// rebuilds it; size and before/after are changed in place.
struct RenderCache {
    std::unique_ptr<render::Renderer> renderer;
    std::thread::id thread;
    std::shared_ptr<const HeadModel> head; // held, so a new head never reuses its address
    size_t layer_bakes = 0;
    std::string lighting;
};

namespace {

// The design's lighting, or the rig `name` when given (a preset or "custom"); an unknown name
// is the caller's argument.
render::Lighting lightingOf(const Design& design, const std::string& name) {
    if (name != "custom" && !render::lightingPreset(name)) {
        std::string accepted;
        for (const std::string& n : render::lightingNames())
            accepted += n + ", ";
        throw ArgumentError("lighting",
                            "is '" + name + "'; accepted " + accepted + "custom or NULL");
    }
    return render::lightingFromDesign(design.render, name);
}

void checkSize(int width, int height) {
    if (width < 16 || width > render::kMaxWidth)
        throw ArgumentError("width", "is " + std::to_string(width) + "; accepted 16.." +
                                         std::to_string(render::kMaxWidth));
    if (height < 16 || height > render::kMaxHeight)
        throw ArgumentError("height", "is " + std::to_string(height) + "; accepted 16.." +
                                          std::to_string(render::kMaxHeight));
}

render::Renderer& rendererFor(stipple_session* handle, const std::string& lighting_name, int width,
                              int height) {
    Session& session = *handle->session;
    std::unique_ptr<RenderCache, RenderCacheDeleter>& cache = handle->render;
    if (cache && cache->thread != std::this_thread::get_id())
        throw ArgumentError("session",
                            "rendered first on another thread, whose GL context it keeps; "
                            "render a session from one thread only");
    const LayerStack& layers = session.layers(); // bakes when stale: a new bake counts below
    const bool stale = !cache || cache->head != session.sharedHead() ||
                       cache->layer_bakes != session.runs().layers ||
                       cache->lighting != lighting_name;
    if (stale) {
        const render::Lighting rig = lightingOf(session.design(), lighting_name);
        render::RenderSettings settings = render::renderJobFromDesign(session.design()).settings;
        settings.lighting = rig;
        settings.width = width;
        settings.height = height;
        settings.supersample = 1;
        cache.reset(); // free the old context before making a new one
        auto fresh = std::unique_ptr<RenderCache, RenderCacheDeleter>(new RenderCache);
        fresh->renderer = std::make_unique<render::Renderer>(session.head(), &layers, settings);
        fresh->thread = std::this_thread::get_id();
        fresh->head = session.sharedHead();
        fresh->layer_bakes = session.runs().layers;
        fresh->lighting = lighting_name;
        cache = std::move(fresh);
    } else if (cache->renderer->width() != width || cache->renderer->height() != height) {
        cache->renderer->setSize(width, height, 1);
    }
    return *cache->renderer;
}

void checkFolderFlags(uint32_t what) {
    const uint32_t known = STIPPLE_RENDER_STILLS | STIPPLE_RENDER_TURNTABLE |
                           STIPPLE_RENDER_BEFORE_AFTER | STIPPLE_RENDER_MP4 | STIPPLE_RENDER_GIF |
                           STIPPLE_RENDER_CONTACT_SHEET | STIPPLE_RENDER_OVERWRITE;
    if (what & ~known)
        throw ArgumentError("what", "has unknown bits " + std::to_string(what & ~known) +
                                        "; accepted STIPPLE_RENDER_* flags");
    if (!(what & (STIPPLE_RENDER_STILLS | STIPPLE_RENDER_TURNTABLE)))
        throw ArgumentError("what", "asks for nothing to render; accepted "
                                    "STIPPLE_RENDER_STILLS and/or STIPPLE_RENDER_TURNTABLE");
    const uint32_t needs_turntable =
        STIPPLE_RENDER_MP4 | STIPPLE_RENDER_GIF | STIPPLE_RENDER_CONTACT_SHEET;
    if ((what & needs_turntable) && !(what & STIPPLE_RENDER_TURNTABLE))
        throw ArgumentError("what", "asks for an MP4, GIF or contact sheet without "
                                    "STIPPLE_RENDER_TURNTABLE");
}

// The design's job (render::renderJobFromDesign: the one conversion every host shares) with the
// outputs the caller's flags ask for.
render::RenderJob folderJob(const Design& design, const std::string& out_dir, uint32_t what) {
    render::RenderOverrides o;
    o.views = (what & STIPPLE_RENDER_STILLS) ? design.render.views : std::vector<std::string>{};
    o.turntable = (what & STIPPLE_RENDER_TURNTABLE) != 0;
    if (!o.turntable) o.top_view = false;
    o.before_after = (what & STIPPLE_RENDER_BEFORE_AFTER) != 0;
    o.mp4 = (what & STIPPLE_RENDER_MP4) != 0;
    o.gif = (what & STIPPLE_RENDER_GIF) != 0;
    o.contact_sheet = (what & STIPPLE_RENDER_CONTACT_SHEET) != 0;
    render::RenderJob job = render::renderJobFromDesign(design, o);
    job.out_dir = out_dir;
    job.overwrite = (what & STIPPLE_RENDER_OVERWRITE) ? Overwrite::Yes : Overwrite::No;
    return job;
}

} // namespace

#endif // STIPPLE_HAVE_RENDER

void RenderCacheDeleter::operator()(RenderCache* cache) const {
#if STIPPLE_HAVE_RENDER
    delete cache;
#else
    (void)cache;
#endif
}

#if !STIPPLE_HAVE_RENDER
namespace {
[[noreturn]] void noRenderer() {
    throw RuntimeFailure("this libstipple was built without the renderer "
                         "(STIPPLE_BUILD_RENDER=OFF); rendering is not available");
}
} // namespace
#endif

} // namespace stipple::capi

using namespace stipple;
using namespace stipple::capi;

extern "C" {

stipple_status stipple_session_render_view(stipple_session* handle, const char* view, int width,
                                           int height, int after, const char* lighting,
                                           uint8_t* rgba, size_t capacity) {
    return guarded([&] {
        requireArgument(view, "view");
        requireArgument(rgba, "rgba");
        Session& session = sessionWithHead(handle, "stipple_session_render_view");
#if STIPPLE_HAVE_RENDER
        checkSize(width, height);
        const size_t bytes = size_t(width) * size_t(height) * 4;
        if (capacity < bytes)
            throw ArgumentError("capacity", "is " + std::to_string(capacity) + " bytes; " +
                                                std::to_string(width) + "x" +
                                                std::to_string(height) + " RGBA needs " +
                                                std::to_string(bytes));
        const std::optional<render::CameraPose> pose =
            render::viewPose(view, session.design().render.elevation_deg);
        if (!pose) {
            std::string accepted;
            for (const std::string& n : render::viewNames())
                accepted += (accepted.empty() ? "" : ", ") + n;
            throw ArgumentError("view", std::string("is '") + view + "'; accepted " + accepted);
        }
        const std::string lighting_name = lighting ? lighting : session.design().render.lighting;
        render::Renderer& renderer = rendererFor(handle, lighting_name, width, height);
        renderer.setAfter(after != 0);
        const Image8 image = renderer.render(renderer.fitView(view, *pose), *pose);
        // Not input-reachable: width and height are validated above; the renderer returns that
        // size.
        STIPPLE_ASSERT(image.width == width && image.height == height && image.channels == 4,
                       "stipple_session_render_view(): the renderer returned another size");
        std::memcpy(rgba, image.pixels.data(), bytes);
#else
        (void)session, (void)width, (void)height, (void)after, (void)lighting, (void)capacity;
        noRenderer();
#endif
    });
}

stipple_status stipple_session_render_folder(stipple_session* handle, const char* out_dir,
                                             uint32_t what, size_t* files_written) {
    return stipple_session_render_folder_cancellable(handle, out_dir, what, nullptr, files_written);
}

stipple_status stipple_cancel_create(stipple_cancel** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        requireArgument(out, "out");
        *out = new stipple_cancel();
    });
}

stipple_status stipple_cancel_request(stipple_cancel* cancel) {
    if (cancel) cancel->requested.store(true);
    return STIPPLE_OK;
}

stipple_status stipple_cancel_destroy(stipple_cancel* cancel) {
    delete cancel;
    return STIPPLE_OK;
}

stipple_status stipple_session_render_folder_cancellable(stipple_session* handle,
                                                         const char* out_dir, uint32_t what,
                                                         stipple_cancel* cancel,
                                                         size_t* files_written) {
    if (files_written) *files_written = 0;
    return guarded([&] {
        requireArgument(out_dir, "out_dir");
        Session& session = sessionWithHead(handle, "stipple_session_render_folder");
#if STIPPLE_HAVE_RENDER
        checkFolderFlags(what);
        render::RenderJob job = folderJob(session.design(), out_dir, what);
        if (cancel) job.cancel = &cancel->requested;
        job.provenance = handle->provenance;
        render::validateRenderJob(job);
        ensureWritableDir(job.out_dir);
        render::RenderSubject subject;
        subject.head = &session.head();
        subject.layers = &session.layers();
        subject.provenance = render::provenanceOf(session.design(), session.head());
        const nlohmann::json summary = render::runRenderJob({subject}, job);
        handle->manifest = summary.dump(2);
        if (files_written) *files_written = summary.at("files").size();
#else
        (void)session, (void)what, (void)cancel;
        noRenderer();
#endif
    });
}

stipple_status stipple_session_last_manifest(stipple_session* handle, const char** json) {
    if (json) *json = "";
    return guarded([&] {
        requireArgument(json, "json");
        sessionOf(handle);
        *json = handle->manifest.c_str();
    });
}

} // extern "C"
