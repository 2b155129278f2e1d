#include "stipple/render/renderer.h"

#include <optional>

#include "stipple/core/error.h"

namespace stipple::render {

TargetSettings targetSettings(const RenderSettings& s) {
    TargetSettings t;
    t.width = s.width;
    t.height = s.height;
    t.msaa = s.msaa;
    t.supersample = s.supersample;
    t.transparent = s.transparent;
    t.background_srgb = s.background_srgb;
    return t;
}

SceneOptions sceneOptions(const RenderSettings& s) {
    SceneOptions o;
    o.skin_linear = s.skin_linear;
    o.skin_roughness = s.skin_roughness;
    o.shadow_map_size = s.shadow_map_size;
    o.anisotropy = s.anisotropy;
    o.keep_texels = false; // the Renderer's scene lives and dies with its one context
    return o;
}

struct Renderer::Impl {
    std::optional<ViewFramer> framer;
    osg::ref_ptr<Scene> scene;
    std::unique_ptr<OffscreenTarget> target;
};

namespace {

// Close-ups aim at the treated region's edge (the hairline) when there are layers: the
// vertices of the triangles that carry them. Without layers, the whole head.
std::vector<glm::dvec3> scalpPoints(const HeadModel& head, const LayerStack* layers) {
    std::vector<glm::dvec3> points;
    if (!layers) return points;
    std::vector<uint8_t> used(head.mesh.positions.size(), 0);
    for (size_t t = 0; t < head.mesh.triangles.size(); ++t)
        if (layers->chart.inside[t] != 0) {
            const glm::uvec3 tri = head.mesh.triangles[t];
            used[tri.x] = used[tri.y] = used[tri.z] = 1;
        }
    for (size_t i = 0; i < used.size(); ++i)
        if (used[i]) points.emplace_back(head.mesh.positions[i]);
    return points;
}

} // namespace

ViewFramer::ViewFramer(const HeadModel& head, const LayerStack* layers)
    : m_framing_points(framingPoints(head.mesh)), m_landmarks(head.landmarks) {
    if (layers)
        // Not input-reachable: the layers come from the Session that built `head`.
        STIPPLE_ASSERT(layers->chart.inside.size() == head.mesh.triangles.size(),
                       "ViewFramer(): the layer chart needs one flag per triangle");
    m_scalp_points = scalpPoints(head, layers);
    if (m_scalp_points.empty()) m_scalp_points = m_framing_points;
}

Framing ViewFramer::fit(const std::string& view, const CameraPose& pose, int width,
                        int height) const {
    if (const std::optional<Framing> closeup =
            closeupFraming(view, m_landmarks, m_scalp_points, width, height))
        return *closeup;
    return fit(std::vector<CameraPose>{pose}, width, height);
}

Framing ViewFramer::fit(const std::vector<CameraPose>& poses, int width, int height) const {
    return fitFraming(m_framing_points, poses, width, height);
}

Renderer::Renderer(const HeadModel& head, const LayerStack* layers, const RenderSettings& settings)
    : m_impl(std::make_unique<Impl>()) {
    validateTargetSettings(targetSettings(settings));
    if (settings.lighting.lights.size() > size_t(kMaxLights))
        throw Error("a light rig has at most 4 lights", "", "/render/lighting");
    if (layers) {
        // Not input-reachable: the layers come from the Session that built `head`.
        STIPPLE_ASSERT(layers->chart.uvs.size() == head.mesh.positions.size(),
                       "Renderer(): the layer chart needs one UV per mesh vertex");
        STIPPLE_ASSERT(layers->chart.inside.size() == head.mesh.triangles.size(),
                       "Renderer(): the layer chart needs one flag per triangle");
    }
    Impl& m = *m_impl;
    m.scene = new Scene(head, layers, sceneOptions(settings));
    m.scene->setLighting(settings.lighting);
    m.framer.emplace(head, layers);
    m.target = std::make_unique<OffscreenTarget>(targetSettings(settings));
}

Renderer::~Renderer() {
    if (m_impl) m_impl->target.reset(); // releases the scene's GL objects in its context
}

void Renderer::setAfter(bool after) {
    m_impl->scene->setAfter(after);
}

void Renderer::setSize(int width, int height, int supersample) {
    m_impl->target->setSize(width, height, supersample);
}

int Renderer::width() const {
    return m_impl->target->settings().width;
}
int Renderer::height() const {
    return m_impl->target->settings().height;
}

Framing Renderer::fit(const std::vector<CameraPose>& poses) const {
    return m_impl->framer->fit(poses, width(), height());
}

Framing Renderer::fitView(const std::string& view, const CameraPose& pose) const {
    return m_impl->framer->fit(view, pose, width(), height());
}

Image8 Renderer::render(const Framing& framing, const CameraPose& pose) {
    return m_impl->target->render(*m_impl->scene, framing, pose);
}

std::string Renderer::glDescription() const {
    return m_impl->target->glDescription();
}

Scene& Renderer::scene() {
    return *m_impl->scene;
}

OffscreenTarget& Renderer::target() {
    return *m_impl->target;
}

} // namespace stipple::render
