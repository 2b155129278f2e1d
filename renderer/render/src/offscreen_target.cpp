#include "stipple/render/offscreen_target.h"

#include <algorithm>

#include <osg/GLExtensions>
#include <osg/Image>
#include <osgViewer/Viewer>

#include "egl_window.h"
#include "stipple/core/error.h"
#include "stipple/render/scene.h"

namespace stipple::render {

void validateTargetSettings(const TargetSettings& s) {
    if (s.width < 16 || s.height < 16 || s.width > kMaxWidth || s.height > kMaxHeight)
        throw Error("size " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                        " is out of range; accepted 16x16 .. 3840x2160",
                    "", "/render/width");
    if (s.msaa != 0 && s.msaa != 2 && s.msaa != 4)
        throw Error("msaa " + std::to_string(s.msaa) + " is not accepted; use 0, 2 or 4", "",
                    "/render/msaa");
    if (s.supersample < 1 || s.supersample > 4)
        throw Error("supersample " + std::to_string(s.supersample) + " is out of range 1..4", "",
                    "/render/supersample");
    if (s.width * s.supersample > kMaxFramebufferSide ||
        s.height * s.supersample > kMaxFramebufferSide)
        throw Error("size x supersample exceeds " + std::to_string(kMaxFramebufferSide) +
                        " pixels on a side; lower the supersampling",
                    "", "/render/supersample");
}

struct OffscreenTarget::Impl {
    TargetSettings settings;
    osg::ref_ptr<EglWindow> window;
    osg::ref_ptr<osgViewer::Viewer> viewer;
    osg::ref_ptr<osg::Image> colour;
    std::string gl_description;

    void attachColour(int width, int height);
    Image8 readBack() const;
};

OffscreenTarget::OffscreenTarget(const TargetSettings& settings)
    : m_impl(std::make_unique<Impl>()) {
    validateTargetSettings(settings);
    Impl& m = *m_impl;
    m.settings = settings;
    const int ss = settings.supersample;
    m.window = new EglWindow(settings.width * ss, settings.height * ss);
    m.viewer = new osgViewer::Viewer;
    m.viewer->setThreadingModel(osgViewer::ViewerBase::SingleThreaded);
    m.viewer->setReleaseContextAtEndOfFrameHint(false);
    m.viewer->setLightingMode(osg::View::NO_LIGHT);
    m.viewer->setCameraManipulator(nullptr);
    osg::Camera* camera = m.viewer->getCamera();
    camera->setGraphicsContext(m.window.get());
    camera->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
    camera->setCullingMode(camera->getCullingMode() & ~osg::CullSettings::SMALL_FEATURE_CULLING);
    camera->setRenderTargetImplementation(osg::Camera::FRAME_BUFFER_OBJECT);
    camera->setClearMask(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    if (settings.transparent) {
        camera->setClearColor(osg::Vec4(0, 0, 0, 0));
    } else {
        const glm::dvec3& bg = settings.background_srgb;
        camera->setClearColor(osg::Vec4(float(bg.x), float(bg.y), float(bg.z), 1));
    }
    m.attachColour(settings.width * ss, settings.height * ss);

    m.viewer->realize();
    if (!m.viewer->isRealized())
        throw RuntimeFailure("cannot realize the OpenSceneGraph viewer on the EGL context");
    m.window->makeCurrent();
    m.gl_description = m.window->rendererDescription();
    // Without the stub's pointer OSG uses glRenderbufferStorageMultisample, which llvmpipe
    // implements (tests check that edges get intermediate values).
    osg::GLExtensions* ext = osg::GLExtensions::Get(m.window->getState()->getContextID(), true);
    ext->glRenderbufferStorageMultisampleCoverageNV = nullptr;
}

OffscreenTarget::~OffscreenTarget() {
    if (m_impl && m_impl->viewer) {
        // close() releases the GL objects of everything under the camera (the last node drawn,
        // which may outlive this context and be drawn again elsewhere) and deletes them while
        // the context is current.
        m_impl->window->makeCurrent();
        m_impl->viewer->setDone(true);
        m_impl->window->close(true);
        m_impl->viewer = nullptr;
    }
}

void OffscreenTarget::Impl::attachColour(int width, int height) {
    osg::Camera* camera = viewer->getCamera();
    colour = new osg::Image;
    colour->allocateImage(width, height, 1, GL_RGBA, GL_UNSIGNED_BYTE);
    colour->setInternalTextureFormat(GL_RGBA8);
    camera->detach(osg::Camera::COLOR_BUFFER);
    camera->detach(osg::Camera::DEPTH_BUFFER);
    const unsigned samples = unsigned(settings.msaa);
    camera->attach(osg::Camera::COLOR_BUFFER, colour.get(), samples, 0);
    camera->attach(osg::Camera::DEPTH_BUFFER, GL_DEPTH_COMPONENT24);
    camera->getBufferAttachmentMap()[osg::Camera::DEPTH_BUFFER]._multisampleSamples = samples;
    camera->setViewport(0, 0, width, height);
    // The main camera's render stages live in the viewer's SceneViews; a changed attachment
    // count makes them set the framebuffers up again at the new size.
    camera->dirtyAttachmentMap();
    window->resized(0, 0, width, height);
}

void OffscreenTarget::setSize(int width, int height, int supersample) {
    TargetSettings s = m_impl->settings;
    s.width = width;
    s.height = height;
    s.supersample = supersample;
    validateTargetSettings(s);
    m_impl->settings = s;
    m_impl->window->makeCurrent();
    m_impl->attachColour(width * supersample, height * supersample);
}

const TargetSettings& OffscreenTarget::settings() const {
    return m_impl->settings;
}

Image8 OffscreenTarget::render(osg::Node& node, const Framing& framing, const CameraPose& pose) {
    Impl& m = *m_impl;
    const int ss = m.settings.supersample;
    const int w = m.settings.width * ss;
    const int h = m.settings.height * ss;
    const CameraBasis b = cameraBasis(framing, pose);
    osg::Camera* camera = m.viewer->getCamera();
    const glm::dvec3 target = b.eye + b.forward * framing.distance_mm;
    camera->setViewMatrixAsLookAt(osg::Vec3d(b.eye.x, b.eye.y, b.eye.z),
                                  osg::Vec3d(target.x, target.y, target.z),
                                  osg::Vec3d(b.up.x, b.up.y, b.up.z));
    camera->setProjectionMatrixAsPerspective(framing.fov_y_deg, double(w) / double(h),
                                             framing.near_mm, framing.far_mm);
    if (auto* scene = dynamic_cast<Scene*>(&node)) scene->setView(b.eye, pose.azimuth_deg);
    if (m.viewer->getSceneData() != &node) m.viewer->setSceneData(&node);
    m.window->makeCurrent();
    m.viewer->frame();
    return m.readBack();
}

// GL rows are bottom-up; transparent backgrounds are un-premultiplied (MSAA resolves coverage
// into alpha with colour premultiplied); supersampled frames are box-filtered.
Image8 OffscreenTarget::Impl::readBack() const {
    const int ss = settings.supersample;
    const int w = settings.width * ss;
    const int h = settings.height * ss;
    const uint8_t* src = colour->data();
    Image8 out(settings.width, settings.height, 4);
    const int area = ss * ss;
    for (int y = 0; y < settings.height; ++y) {
        for (int x = 0; x < settings.width; ++x) {
            uint32_t sum[4] = {0, 0, 0, 0};
            for (int sy = 0; sy < ss; ++sy) {
                const int row = h - 1 - (y * ss + sy);
                const uint8_t* p = src + (size_t(row) * size_t(w) + size_t(x * ss)) * 4;
                for (int sx = 0; sx < ss; ++sx, p += 4)
                    for (int c = 0; c < 4; ++c)
                        sum[c] += p[c];
            }
            uint8_t* d = out.at(x, y);
            const uint32_t a_sum = sum[3];
            if (settings.transparent) {
                d[3] = uint8_t((a_sum + uint32_t(area) / 2) / uint32_t(area));
                for (int c = 0; c < 3; ++c)
                    d[c] =
                        a_sum == 0
                            ? 0
                            : uint8_t(std::min<uint32_t>(255, (sum[c] * 255 + a_sum / 2) / a_sum));
            } else {
                for (int c = 0; c < 3; ++c)
                    d[c] = uint8_t((sum[c] + uint32_t(area) / 2) / uint32_t(area));
                d[3] = 255;
            }
        }
    }
    return out;
}

std::string OffscreenTarget::glDescription() const {
    return m_impl->gl_description;
}

} // namespace stipple::render
