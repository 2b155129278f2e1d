#include "stipple/render/renderer.h"

#include <algorithm>
#include <cmath>

#include <osg/BlendFunc>
#include <osg/ColorMask>
#include <osg/CullFace>
#include <osg/GLExtensions>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/PolygonOffset>
#include <osg/Program>
#include <osg/Texture2D>
#include <osgViewer/Viewer>

#include "egl_window.h"
#include "shaders.h"
#include "stipple/core/error.h"

namespace stipple::render {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Texture units.
enum Unit { kAlbedoUnit = 0, kPigmentUnit, kScarUnit, kBeforeUnit, kScarRoughUnit, kShadowUnit };

osg::Vec3 toOsg(const glm::dvec3& v) {
    return osg::Vec3(float(v.x), float(v.y), float(v.z));
}

void checkSettings(const RenderSettings& s) {
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
    if (s.width * s.supersample > 8192 || s.height * s.supersample > 8192)
        throw Error("size x supersample exceeds 8192 pixels on a side; lower --supersample", "",
                    "/render/supersample");
}

// An RGBA16 layer as a premultiplied RGBA8 texture, mipmapped and anisotropically filtered so
// dots neither alias in stills nor sparkle when the head turns. Premultiplied (rgb * a, a) so
// that filtering averages exactly what the compositing equations of layers.h use; 8 bits per
// channel because llvmpipe samples half the bytes twice as fast and 1/255 steps of a linear
// ink filter or coverage are below what the tone-mapped 8-bit output can show. An empty layer
// becomes a 1x1 transparent texel.
osg::ref_ptr<osg::Texture2D> layerTexture(const Image16& layer, int anisotropy) {
    osg::ref_ptr<osg::Image> image = new osg::Image;
    if (layer.empty()) {
        image->allocateImage(1, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE);
        std::fill_n(image->data(), 4, uint8_t(0));
    } else {
        STIPPLE_ASSERT(layer.channels == 4, "layerTexture(): layers are RGBA16");
        image->allocateImage(layer.width, layer.height, 1, GL_RGBA, GL_UNSIGNED_BYTE);
        uint8_t* dst = image->data();
        const size_t n = size_t(layer.width) * size_t(layer.height);
        for (size_t i = 0; i < n; ++i) {
            const uint16_t* p = layer.pixels.data() + i * 4;
            const uint64_t a = p[3];
            // (v * a / 65535) / 65535 * 255, rounded.
            for (int c = 0; c < 3; ++c)
                dst[i * 4 + size_t(c)] =
                    uint8_t((uint64_t(p[c]) * a * 255 + 2147418112ull) / 4294836225ull);
            dst[i * 4 + 3] = uint8_t((a * 255 + 32767) / 65535);
        }
    }
    image->setInternalTextureFormat(GL_RGBA8);
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image.get());
    tex->setInternalFormat(GL_RGBA8);
    tex->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR_MIPMAP_LINEAR);
    tex->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    tex->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
    tex->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
    tex->setMaxAnisotropy(1.0f); // see sampleAniso() in shaders.h
    (void)anisotropy;
    tex->setUseHardwareMipMapGeneration(true);
    tex->setResizeNonPowerOfTwoHint(false);
    tex->setUnRefImageDataAfterApply(true);
    return tex;
}

osg::ref_ptr<osg::Texture2D> greyTexture(const Image8& grey, int anisotropy) {
    osg::ref_ptr<osg::Image> image = new osg::Image;
    if (grey.empty()) {
        image->allocateImage(1, 1, 1, GL_RED, GL_UNSIGNED_BYTE);
        image->data()[0] = 0;
    } else {
        STIPPLE_ASSERT(grey.channels == 1, "greyTexture(): one channel expected");
        image->allocateImage(grey.width, grey.height, 1, GL_RED, GL_UNSIGNED_BYTE);
        std::copy(grey.pixels.begin(), grey.pixels.end(), image->data());
    }
    image->setInternalTextureFormat(GL_R8);
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image.get());
    tex->setInternalFormat(GL_R8);
    tex->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR_MIPMAP_LINEAR);
    tex->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    tex->setMaxAnisotropy(1.0f); // see sampleAniso() in shaders.h
    (void)anisotropy;
    tex->setResizeNonPowerOfTwoHint(false);
    tex->setUnRefImageDataAfterApply(true);
    return tex;
}

// The mesh's own albedo map, sRGB-encoded (GL decodes to linear when sampling).
osg::ref_ptr<osg::Texture2D> albedoTexture(const std::filesystem::path& file, int anisotropy) {
    const Image8 src = readImage8(file);
    osg::ref_ptr<osg::Image> image = new osg::Image;
    const bool has_alpha = src.channels == 4 || src.channels == 2;
    image->allocateImage(src.width, src.height, 1, has_alpha ? GL_RGBA : GL_RGB, GL_UNSIGNED_BYTE);
    const int out_c = has_alpha ? 4 : 3;
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) {
            const uint8_t* p = src.at(x, y);
            uint8_t* d =
                image->data() + (size_t(y) * size_t(src.width) + size_t(x)) * size_t(out_c);
            const bool grey = src.channels <= 2;
            d[0] = p[0];
            d[1] = grey ? p[0] : p[1];
            d[2] = grey ? p[0] : p[2];
            if (has_alpha) d[3] = p[src.channels - 1];
        }
    const GLint format = has_alpha ? GL_SRGB8_ALPHA8 : GL_SRGB8;
    image->setInternalTextureFormat(format);
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image.get());
    tex->setInternalFormat(format);
    tex->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR_MIPMAP_LINEAR);
    tex->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    tex->setWrap(osg::Texture::WRAP_S, osg::Texture::REPEAT);
    tex->setWrap(osg::Texture::WRAP_T, osg::Texture::REPEAT);
    tex->setMaxAnisotropy(1.0f); // see sampleAniso() in shaders.h
    (void)anisotropy;
    tex->setResizeNonPowerOfTwoHint(false);
    tex->setUnRefImageDataAfterApply(true);
    return tex;
}

} // namespace

struct Renderer::Impl {
    RenderSettings settings;
    std::vector<glm::dvec3> framing_points;
    Landmarks landmarks;
    std::vector<glm::dvec3> scalp_points; // close-up targets: the treated region, if any
    glm::dvec3 mesh_centre{0};
    double mesh_radius = 1;

    osg::ref_ptr<EglWindow> window;
    osg::ref_ptr<osgViewer::Viewer> viewer;
    osg::ref_ptr<osg::Image> colour;
    osg::ref_ptr<osg::Camera> shadow_camera;
    osg::ref_ptr<osg::Uniform> u_after, u_eye, u_light_dir, u_light_rgb, u_sky, u_ground,
        u_exposure, u_specular, u_shadow_matrix, u_shadow_radius, u_shadow_bias;
    std::string gl_description;
    int shadow_light = -1;
    bool has_scar = false;

    void buildScene(const HeadModel& head, const LayerStack* layers);
    std::string headFragmentSource() const;
    void attachColour(int width, int height);
    void applyLighting(const CameraPose& pose);
};

Renderer::Renderer(const HeadModel& head, const LayerStack* layers, const RenderSettings& settings)
    : m_impl(std::make_unique<Impl>()) {
    checkSettings(settings);
    Impl& m = *m_impl;
    m.settings = settings;
    if (m.settings.lighting.name.empty()) m.settings.lighting = *lightingPreset("studio");
    if (m.settings.lighting.lights.size() > size_t(kMaxLights))
        throw Error("a light rig has at most 4 lights", "", "/render/lighting");
    if (head.mesh.positions.empty() || head.mesh.triangles.empty())
        throw Error("the head mesh is empty; nothing to render", head.import.file.string());
    if (layers) {
        STIPPLE_ASSERT(layers->chart.uvs.size() == head.mesh.positions.size(),
                       "Renderer(): the layer chart needs one UV per mesh vertex");
        STIPPLE_ASSERT(layers->chart.inside.size() == head.mesh.triangles.size(),
                       "Renderer(): the layer chart needs one flag per triangle");
    }
    m.framing_points = framingPoints(head.mesh);
    m.landmarks = head.landmarks;
    // Close-ups aim at the treated region's edge (the hairline) when there are layers: the
    // vertices of the triangles that carry them. Without layers, the whole head.
    if (layers) {
        std::vector<uint8_t> used(head.mesh.positions.size(), 0);
        for (size_t t = 0; t < head.mesh.triangles.size(); ++t)
            if (layers->chart.inside[t] != 0) {
                const glm::uvec3 tri = head.mesh.triangles[t];
                used[tri.x] = used[tri.y] = used[tri.z] = 1;
            }
        for (size_t i = 0; i < used.size(); ++i)
            if (used[i]) m.scalp_points.emplace_back(head.mesh.positions[i]);
    }
    if (m.scalp_points.empty()) m.scalp_points = m.framing_points;
    const Box box = boundingBox(head.mesh);
    m.mesh_centre = box.centre();
    for (const glm::vec3& p : head.mesh.positions)
        m.mesh_radius = std::max(m.mesh_radius, glm::length(glm::dvec3(p) - m.mesh_centre));

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
    m.buildScene(head, layers);

    m.viewer->realize();
    if (!m.viewer->isRealized())
        throw RuntimeFailure("cannot realize the OpenSceneGraph viewer on the EGL context");
    m.window->makeCurrent();
    m.gl_description = m.window->rendererDescription();
    // Debian's libGL exports a stub glRenderbufferStorageMultisampleCoverageNV; OSG prefers it
    // when present and silently ends up with single-sampled renderbuffers. Without the pointer
    // OSG uses glRenderbufferStorageMultisample, which llvmpipe implements (tests check that
    // edges get intermediate values).
    osg::GLExtensions* ext = osg::GLExtensions::Get(m.window->getState()->getContextID(), true);
    ext->glRenderbufferStorageMultisampleCoverageNV = nullptr;
}

Renderer::~Renderer() {
    if (m_impl && m_impl->viewer) {
        m_impl->window->makeCurrent();
        m_impl->viewer->setDone(true);
        m_impl->viewer = nullptr; // releases GL objects while the context is current
    }
}

void Renderer::Impl::attachColour(int width, int height) {
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

void Renderer::Impl::buildScene(const HeadModel& head, const LayerStack* layers) {
    const Mesh& mesh = head.mesh;
    osg::ref_ptr<osg::Vec3Array> positions = new osg::Vec3Array;
    osg::ref_ptr<osg::Vec3Array> normals = new osg::Vec3Array;
    positions->reserve(mesh.positions.size());
    for (const glm::vec3& p : mesh.positions)
        positions->push_back(osg::Vec3(p.x, p.y, p.z));
    if (mesh.normals.size() == mesh.positions.size()) {
        for (const glm::vec3& n : mesh.normals)
            normals->push_back(osg::Vec3(n.x, n.y, n.z));
    } else {
        Mesh copy = mesh;
        computeNormals(copy);
        for (const glm::vec3& n : copy.normals)
            normals->push_back(osg::Vec3(n.x, n.y, n.z));
    }
    osg::ref_ptr<osg::Vec2Array> uv0 = new osg::Vec2Array;
    if (mesh.uvs.size() == mesh.positions.size())
        for (const glm::vec2& t : mesh.uvs)
            uv0->push_back(osg::Vec2(t.x, t.y));
    osg::ref_ptr<osg::Vec2Array> uv1 = new osg::Vec2Array;
    if (layers)
        for (const glm::vec2& t : layers->chart.uvs)
            uv1->push_back(osg::Vec2(t.x, t.y));

    // Two draw lists over the same vertices: triangles in the scalp chart carry layers, the
    // rest do not (a per-triangle flag cannot be a per-vertex attribute without splitting).
    osg::ref_ptr<osg::DrawElementsUInt> in_chart = new osg::DrawElementsUInt(GL_TRIANGLES);
    osg::ref_ptr<osg::DrawElementsUInt> off_chart = new osg::DrawElementsUInt(GL_TRIANGLES);
    for (size_t t = 0; t < mesh.triangles.size(); ++t) {
        const bool inside = layers && layers->chart.inside[t] != 0;
        osg::DrawElementsUInt* list = inside ? in_chart.get() : off_chart.get();
        list->push_back(mesh.triangles[t].x);
        list->push_back(mesh.triangles[t].y);
        list->push_back(mesh.triangles[t].z);
    }
    osg::ref_ptr<osg::Geode> geode = new osg::Geode;
    const auto makeGeometry = [&](osg::DrawElementsUInt* list, int chart_flag) {
        osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
        g->setUseDisplayList(false);
        g->setUseVertexBufferObjects(true);
        g->setVertexArray(positions.get());
        g->setNormalArray(normals.get(), osg::Array::BIND_PER_VERTEX);
        if (!uv0->empty()) g->setTexCoordArray(0, uv0.get(), osg::Array::BIND_PER_VERTEX);
        if (!uv1->empty()) g->setTexCoordArray(1, uv1.get(), osg::Array::BIND_PER_VERTEX);
        g->addPrimitiveSet(list);
        g->getOrCreateStateSet()->addUniform(new osg::Uniform("u_in_chart", chart_flag));
        geode->addDrawable(g.get());
    };
    if (!in_chart->empty()) makeGeometry(in_chart.get(), 1);
    if (!off_chart->empty()) makeGeometry(off_chart.get(), 0);

    has_scar = false;
    if (layers)
        for (size_t i = 3; i < layers->scar.pixels.size() && !has_scar; i += 4)
            has_scar = layers->scar.pixels[i] != 0;
    for (size_t i = 0; i < settings.lighting.lights.size(); ++i)
        if (settings.lighting.lights[i].casts_shadow) {
            shadow_light = int(i);
            break;
        }

    // Shadow pass: depth of the whole mesh (shoulders shadow the neck too) from the key light.
    const int sm = settings.shadow_map_size;
    osg::ref_ptr<osg::Texture2D> shadow_map = new osg::Texture2D;
    shadow_map->setTextureSize(sm, sm);
    shadow_map->setInternalFormat(GL_DEPTH_COMPONENT24);
    shadow_map->setSourceFormat(GL_DEPTH_COMPONENT);
    shadow_map->setSourceType(GL_FLOAT);
    shadow_map->setShadowComparison(true);
    shadow_map->setShadowCompareFunc(osg::Texture::LEQUAL);
    shadow_map->setShadowTextureMode(osg::Texture::LUMINANCE);
    shadow_map->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
    shadow_map->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    shadow_map->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_BORDER);
    shadow_map->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_BORDER);
    shadow_map->setBorderColor(osg::Vec4(1, 1, 1, 1));

    shadow_camera = new osg::Camera;
    shadow_camera->setRenderOrder(osg::Camera::PRE_RENDER);
    shadow_camera->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
    shadow_camera->setRenderTargetImplementation(osg::Camera::FRAME_BUFFER_OBJECT);
    shadow_camera->attach(osg::Camera::DEPTH_BUFFER, shadow_map.get());
    shadow_camera->setClearMask(GL_DEPTH_BUFFER_BIT);
    shadow_camera->setViewport(0, 0, sm, sm);
    shadow_camera->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
    shadow_camera->setCullingMode(shadow_camera->getCullingMode() &
                                  ~osg::CullSettings::SMALL_FEATURE_CULLING);
    osg::StateSet* depth_state = shadow_camera->getOrCreateStateSet();
    osg::ref_ptr<osg::Program> depth_program = new osg::Program;
    depth_program->addShader(new osg::Shader(osg::Shader::VERTEX, shaders::kDepthVertex));
    depth_program->addShader(new osg::Shader(osg::Shader::FRAGMENT, shaders::kDepthFragment));
    depth_state->setAttributeAndModes(depth_program.get(),
                                      osg::StateAttribute::ON | osg::StateAttribute::OVERRIDE);
    depth_state->setAttribute(new osg::ColorMask(false, false, false, false));
    depth_state->setAttributeAndModes(new osg::PolygonOffset(1.5f, 4.0f), osg::StateAttribute::ON);
    depth_state->setMode(GL_CULL_FACE, osg::StateAttribute::OFF);
    shadow_camera->addChild(geode.get());

    // Main pass.
    osg::ref_ptr<osg::Group> shaded = new osg::Group;
    shaded->addChild(geode.get());
    osg::StateSet* ss = shaded->getOrCreateStateSet();
    osg::ref_ptr<osg::Program> program = new osg::Program;
    program->addShader(new osg::Shader(osg::Shader::VERTEX, shaders::kHeadVertex));
    program->addShader(new osg::Shader(osg::Shader::FRAGMENT, headFragmentSource()));
    ss->setAttributeAndModes(program.get(), osg::StateAttribute::ON);
    ss->setMode(GL_CULL_FACE, osg::StateAttribute::OFF);
    ss->setMode(GL_BLEND, osg::StateAttribute::OFF);

    const int aniso = settings.anisotropy;
    const bool has_albedo = !mesh.albedo_texture.empty() && !uv0->empty();
    if (has_albedo)
        ss->setTextureAttributeAndModes(kAlbedoUnit,
                                        albedoTexture(mesh.albedo_texture, aniso).get());
    ss->addUniform(new osg::Uniform("u_albedo_map", int(kAlbedoUnit)));
    ss->addUniform(new osg::Uniform("u_has_albedo_map", has_albedo ? 1 : 0));
    const glm::vec3 skin = layers ? layers->skin_linear : settings.skin_linear;
    ss->addUniform(new osg::Uniform("u_skin", osg::Vec3(skin.x, skin.y, skin.z)));
    ss->addUniform(new osg::Uniform("u_skin_roughness",
                                    layers ? layers->skin_roughness : settings.skin_roughness));
    static const Image16 kNoLayer;
    static const Image8 kNoGrey;
    ss->setTextureAttributeAndModes(kPigmentUnit,
                                    layerTexture(layers ? layers->pigment : kNoLayer, aniso).get());
    ss->setTextureAttributeAndModes(kScarUnit,
                                    layerTexture(layers ? layers->scar : kNoLayer, aniso).get());
    ss->setTextureAttributeAndModes(kBeforeUnit,
                                    layerTexture(layers ? layers->before : kNoLayer, aniso).get());
    ss->setTextureAttributeAndModes(
        kScarRoughUnit, greyTexture(layers ? layers->scar_roughness : kNoGrey, aniso).get());
    ss->setTextureAttributeAndModes(kShadowUnit, shadow_map.get());
    ss->addUniform(new osg::Uniform("u_pigment", int(kPigmentUnit)));
    ss->addUniform(new osg::Uniform("u_scar", int(kScarUnit)));
    ss->addUniform(new osg::Uniform("u_before", int(kBeforeUnit)));
    ss->addUniform(new osg::Uniform("u_scar_roughness", int(kScarRoughUnit)));
    ss->addUniform(new osg::Uniform("u_shadow_map", int(kShadowUnit)));

    u_after = new osg::Uniform("u_after", 1);
    u_eye = new osg::Uniform("u_eye", osg::Vec3());
    u_light_dir = new osg::Uniform(osg::Uniform::FLOAT_VEC3, "u_light_dir", kMaxLights);
    u_light_rgb = new osg::Uniform(osg::Uniform::FLOAT_VEC3, "u_light_rgb", kMaxLights);
    u_sky = new osg::Uniform("u_sky", osg::Vec3());
    u_ground = new osg::Uniform("u_ground", osg::Vec3());
    u_exposure = new osg::Uniform("u_exposure", 1.0f);
    u_specular = new osg::Uniform("u_specular", 1.0f);
    u_shadow_matrix = new osg::Uniform("u_shadow_matrix", osg::Matrixf());
    u_shadow_radius = new osg::Uniform("u_shadow_radius", 1.5f);
    u_shadow_bias = new osg::Uniform("u_shadow_bias_mm", 0.5f);
    for (osg::Uniform* u : {u_after.get(), u_eye.get(), u_light_dir.get(), u_light_rgb.get(),
                            u_sky.get(), u_ground.get(), u_exposure.get(), u_specular.get(),
                            u_shadow_matrix.get(), u_shadow_radius.get(), u_shadow_bias.get()})
        ss->addUniform(u);

    osg::ref_ptr<osg::Group> root = new osg::Group;
    root->addChild(shadow_camera.get());
    root->addChild(shaded.get());
    viewer->setSceneData(root.get());

    shadow_camera->setNodeMask(shadow_light >= 0 ? ~0u : 0u);
}

std::string Renderer::Impl::headFragmentSource() const {
    // "SHADOW_LIGHT == 0 ? shadow : 1.0" must compile when there is no shadow variable.
    std::string source = "#version 330 compatibility\n#define LIGHT_COUNT " +
                         std::to_string(settings.lighting.lights.size()) +
                         "\n#define SHADOW_LIGHT " + std::to_string(shadow_light) +
                         "\n#define ANISO_TAPS " +
                         std::to_string(std::clamp(settings.anisotropy, 1, 4)) +
                         "\n#define HAS_SCAR " + (has_scar ? "1" : "0") + "\n";
    if (shadow_light < 0) source += "const float shadow = 1.0;\n";
    return source + shaders::kHeadFragmentBody;
}

void Renderer::Impl::applyLighting(const CameraPose& pose) {
    const Lighting& rig = settings.lighting;
    // The rig turns with the camera's azimuth only (see lighting.h).
    const double az = pose.azimuth_deg * kPi / 180.0;
    const glm::dvec3 right(std::cos(az), 0, -std::sin(az));
    const glm::dvec3 up(0, 1, 0);
    const glm::dvec3 toward(std::sin(az), 0, std::cos(az));
    glm::dvec3 shadow_dir(0, 1, 0);
    double softness = 1;
    for (size_t i = 0; i < size_t(kMaxLights); ++i) {
        glm::dvec3 dir(0, 1, 0);
        glm::dvec3 rgb(0);
        if (i < rig.lights.size()) {
            const Light& light = rig.lights[i];
            const glm::dvec3 d = glm::normalize(light.direction);
            dir = glm::normalize(d.x * right + d.y * up + d.z * toward);
            rgb = light.colour * light.intensity;
            if (int(i) == shadow_light) {
                shadow_dir = dir;
                softness = light.shadow_softness;
            }
        }
        u_light_dir->setElement(unsigned(i), toOsg(dir));
        u_light_rgb->setElement(unsigned(i), toOsg(rgb));
    }
    u_sky->set(toOsg(rig.sky));
    u_ground->set(toOsg(rig.ground));
    u_exposure->set(float(rig.exposure));
    u_specular->set(float(rig.specular));
    if (shadow_light < 0) return;

    // Orthographic light frustum around the mesh's bounding sphere.
    const double r = mesh_radius * 1.02;
    const glm::dvec3 eye = mesh_centre + shadow_dir * (r * 2.0);
    const glm::dvec3 hint =
        std::abs(shadow_dir.y) > 0.95 ? glm::dvec3(0, 0, 1) : glm::dvec3(0, 1, 0);
    const osg::Matrixd view = osg::Matrixd::lookAt(
        osg::Vec3d(eye.x, eye.y, eye.z), osg::Vec3d(mesh_centre.x, mesh_centre.y, mesh_centre.z),
        osg::Vec3d(hint.x, hint.y, hint.z));
    const osg::Matrixd proj = osg::Matrixd::ortho(-r, r, -r, r, r * 0.5, r * 3.5);
    shadow_camera->setViewMatrix(view);
    shadow_camera->setProjectionMatrix(proj);
    const osg::Matrixd bias = osg::Matrixd::translate(1, 1, 1) * osg::Matrixd::scale(0.5, 0.5, 0.5);
    u_shadow_matrix->set(osg::Matrixf(view * proj * bias));
    // The PCF kernel reaches `kernel_mm` across the surface; a curved receiver drops away from
    // its own tangent plane within that reach and would shadow itself in blotchy bands (acne).
    // Offsetting the lookup along the normal by a share of the kernel keeps the lit side clean;
    // contact shadows lose that much, which soft light hides anyway.
    const double texel_mm = 2.0 * r / double(settings.shadow_map_size);
    const double kernel_mm = std::max(texel_mm, softness * 2.0);
    u_shadow_bias->set(float(std::max(texel_mm * 1.5, kernel_mm * 0.6)));
    u_shadow_radius->set(float(kernel_mm / texel_mm));
}

void Renderer::setAfter(bool after) {
    m_impl->u_after->set(after ? 1 : 0);
}

void Renderer::setSize(int width, int height, int supersample) {
    RenderSettings s = m_impl->settings;
    s.width = width;
    s.height = height;
    s.supersample = supersample;
    checkSettings(s);
    m_impl->settings = s;
    m_impl->window->makeCurrent();
    m_impl->attachColour(width * supersample, height * supersample);
}

int Renderer::width() const {
    return m_impl->settings.width;
}
int Renderer::height() const {
    return m_impl->settings.height;
}

Framing Renderer::fit(const std::vector<CameraPose>& poses) const {
    return fitFraming(m_impl->framing_points, poses, m_impl->settings.width,
                      m_impl->settings.height);
}

Framing Renderer::fitView(const std::string& view, const CameraPose& pose) const {
    if (const std::optional<Framing> closeup =
            closeupFraming(view, m_impl->landmarks, m_impl->scalp_points,
                           m_impl->settings.width, m_impl->settings.height))
        return *closeup;
    return fit({pose});
}

Image8 Renderer::render(const Framing& framing, const CameraPose& pose) {
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
    m.u_eye->set(toOsg(b.eye));
    m.applyLighting(pose);
    m.window->makeCurrent();
    m.viewer->frame();

    // Read back (GL rows bottom-up), un-premultiply for transparent backgrounds (MSAA resolves
    // coverage into alpha with colour premultiplied), and box-filter supersampled frames.
    const uint8_t* src = m.colour->data();
    Image8 out(m.settings.width, m.settings.height, 4);
    const int area = ss * ss;
    for (int y = 0; y < m.settings.height; ++y) {
        for (int x = 0; x < m.settings.width; ++x) {
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
            if (m.settings.transparent) {
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

std::string Renderer::glDescription() const {
    return m_impl->gl_description;
}

} // namespace stipple::render
