#include "stipple/render/scene.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

#include <osg/ColorMask>
#include <osg/CullFace>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/PolygonOffset>
#include <osg/Program>
#include <osg/Texture2D>
#include <osgUtil/CullVisitor>

#include "mesh_holes.h"
#include "scene_textures.h"
#include "shaders.h"
#include "stipple/core/ambient_occlusion.h"
#include "stipple/core/error.h"

namespace stipple::render {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr size_t kZoneCount = size_t(ZoneId::Count);

// Texture units (kSceneFirstTextureUnit..kSceneLastTextureUnit in scene.h).
enum Unit {
    kAlbedoUnit = 0,
    kPigmentUnit,
    kScarUnit,
    kBeforeUnit,
    kScarRoughUnit,
    kShadowUnit,
    kZoneUnit
};
static_assert(kZoneUnit == kSceneLastTextureUnit, "scene.h states the units in use");

osg::Vec3 toOsg(const glm::dvec3& v) {
    return osg::Vec3(float(v.x), float(v.y), float(v.z));
}

const Image8* zoneMapOf(const LayerStack& layers) { return &layers.zone_map; }

bool hasScar(const LayerStack* layers) {
    if (!layers) return false;
    for (size_t i = 3; i < layers->scar.pixels.size(); i += 4)
        if (layers->scar.pixels[i] != 0) return true;
    return false;
}

// New texels for a texture that may already live in a GL context: the texture object is
// re-created on its next use (size and mipmaps follow the new image).
void replaceImage(osg::Texture2D& texture, osg::ref_ptr<osg::Image> image) {
    texture.setImage(image.get());
    texture.dirtyTextureObject();
}

osg::ref_ptr<osg::Uniform> dynamicUniform(osg::Uniform* u) {
    u->setDataVariance(osg::Object::DYNAMIC);
    return u;
}

} // namespace

struct Scene::Impl {
    SceneOptions options;
    Lighting lighting;
    LayerColour colour;
    bool after = true;
    bool has_zone_map = false;
    bool has_scar = false;
    bool follow_camera = false;
    bool interactive = false;
    int shadow_light = -1;
    size_t vertex_count = 0;
    size_t triangle_count = 0;
    HoleInfo holes;
    std::vector<glm::uvec3> triangles;
    double rig_azimuth_deg = 0;

    osg::ref_ptr<osg::Vec2Array> uv1;
    osg::ref_ptr<osg::DrawElementsUInt> in_chart, off_chart;
    std::vector<osg::ref_ptr<osg::Geometry>> geometries;
    osg::ref_ptr<osg::Geode> geode;
    osg::ref_ptr<osg::Camera> shadow_camera;
    osg::ref_ptr<osg::Group> shaded, back_faces;
    osg::ref_ptr<osg::Program> program, interactive_program;
    osg::ref_ptr<osg::Shader> fragment_shader, interactive_fragment_shader;
    osg::ref_ptr<osg::Texture2D> pigment, scar, before, scar_roughness, zone_map, shadow_map;
    osg::ref_ptr<osg::Uniform> u_after, u_split_x, u_eye, u_light_dir, u_light_rgb, u_sky, u_ground,
        u_exposure, u_specular, u_shadow_matrix, u_shadow_radius, u_shadow_bias, u_recolour,
        u_exponent;

    void buildGeometry(const HeadModel& head, const LayerStack* layers);
    void fillChart(const LayerStack* layers);
    void buildShadowPass(osg::Group& root);
    void buildShadedPass(osg::Group& root, const HeadModel& head, const LayerStack* layers);
    void setLayerImages(const LayerStack* layers);
    std::string fragmentSource(bool interactive_quality) const;
    void refreshShader();
    void applyRig(const glm::dvec3* eye);
    void applyColour();
};

namespace {

// Sets the eye and rig from the culling camera when the scene follows it (setFollowCamera).
class FollowCameraCallback : public osg::NodeCallback {
public:
    explicit FollowCameraCallback(Scene* scene) : m_scene(scene) {}
    void operator()(osg::Node* node, osg::NodeVisitor* nv) override {
        if (auto* cv = dynamic_cast<osgUtil::CullVisitor*>(nv); cv && cv->getModelViewMatrix()) {
            const osg::Vec3d e =
                osg::Vec3d(0, 0, 0) * osg::Matrixd::inverse(*cv->getModelViewMatrix());
            const glm::dvec3 eye(e.x(), e.y(), e.z());
            const glm::dvec3 c = m_scene->meshCentre();
            const double azimuth = std::atan2(eye.x - c.x, eye.z - c.z) * 180.0 / kPi;
            m_scene->setView(eye, azimuth);
        }
        traverse(node, nv);
    }

private:
    Scene* m_scene; // the node this callback is attached to: it outlives the callback's use
};

// Culls the back-face pass of the head when no hole of the mesh can be in view (mesh_holes.h).
class BackFaceCullCallback : public osg::NodeCallback {
public:
    explicit BackFaceCullCallback(const HoleInfo* holes) : m_holes(holes) {}
    void operator()(osg::Node* node, osg::NodeVisitor* nv) override {
        auto* cv = dynamic_cast<osgUtil::CullVisitor*>(nv);
        if (cv && cv->getModelViewMatrix() && cv->getProjectionMatrix() &&
            !backFacesMayShow(*m_holes, *cv->getModelViewMatrix(), *cv->getProjectionMatrix()))
            return;
        traverse(node, nv);
    }

private:
    const HoleInfo* m_holes; // owned by the Scene that owns the node this is attached to
};

} // namespace

Scene::Scene(const HeadModel& head, const LayerStack* layers, const SceneOptions& options)
    : m_impl(std::make_unique<Impl>()) {
    Impl& m = *m_impl;
    if (head.mesh.positions.empty() || head.mesh.triangles.empty())
        throw Error("the head mesh is empty; nothing to render", head.import.file.string());
    if (options.shadow_map_size < 64 || options.shadow_map_size > 8192)
        throw Error("shadow map size " + std::to_string(options.shadow_map_size) +
                        " is out of range; accepted 64..8192",
                    "", "shadow_map_size");
    if (options.anisotropy < 1 || options.anisotropy > 4)
        throw Error("anisotropy " + std::to_string(options.anisotropy) +
                        " is out of range; accepted 1..4",
                    "", "anisotropy");
    if (layers) {
        // Not input-reachable: the layers come from the Session that built `head` (Scene's
        // contract).
        STIPPLE_ASSERT(layers->chart.uvs.size() == head.mesh.positions.size(),
                       "Scene(): the layer chart needs one UV per mesh vertex");
        STIPPLE_ASSERT(layers->chart.inside.size() == head.mesh.triangles.size(),
                       "Scene(): the layer chart needs one flag per triangle");
    }
    m.options = options;
    m.lighting = *lightingPreset("studio");
    m.vertex_count = head.mesh.positions.size();
    m.triangle_count = head.mesh.triangles.size();
    m.triangles = head.mesh.triangles;
    m.holes = findHoles(head.mesh);
    m.has_scar = hasScar(layers);
    for (size_t i = 0; i < m.lighting.lights.size(); ++i)
        if (m.lighting.lights[i].casts_shadow) {
            m.shadow_light = int(i);
            break;
        }
    m.buildGeometry(head, layers);
    m.buildShadowPass(*this);
    m.buildShadedPass(*this, head, layers);
    m.shadow_camera->setNodeMask(m.shadow_light >= 0 ? ~0u : 0u);
    m.applyRig(nullptr);
}

Scene::~Scene() = default;

void Scene::Impl::buildGeometry(const HeadModel& head, const LayerStack* layers) {
    const Mesh& mesh = head.mesh;
    osg::ref_ptr<osg::Vec3Array> positions = new osg::Vec3Array;
    osg::ref_ptr<osg::Vec3Array> normals = new osg::Vec3Array;
    positions->reserve(mesh.positions.size());
    for (const glm::vec3& p : mesh.positions)
        positions->push_back(osg::Vec3(p.x, p.y, p.z));
    const auto pushNormals = [&](const std::vector<glm::vec3>& ns) {
        for (const glm::vec3& n : ns)
            normals->push_back(osg::Vec3(n.x, n.y, n.z));
    };
    if (mesh.normals.size() == mesh.positions.size()) {
        pushNormals(mesh.normals);
    } else {
        Mesh copy = mesh;
        computeNormals(copy);
        pushNormals(copy.normals);
    }
    // Baked ambient occlusion (ambient_occlusion.h) rides in the colour attribute: the shader
    // darkens the ambient light with it and softens creases the shadow map cannot reach.
    osg::ref_ptr<osg::Vec4Array> occlusion = new osg::Vec4Array;
    occlusion->reserve(mesh.positions.size());
    for (float a : vertexAmbientOcclusion(mesh))
        occlusion->push_back(osg::Vec4(a, a, a, 1));
    osg::ref_ptr<osg::Vec2Array> uv0 = new osg::Vec2Array;
    if (mesh.uvs.size() == mesh.positions.size())
        for (const glm::vec2& t : mesh.uvs)
            uv0->push_back(osg::Vec2(t.x, t.y));
    // The chart UVs always exist (parked at the corner no layer paints without layers), so a
    // scene built bare can take layers later with the same arrays.
    uv1 = new osg::Vec2Array(mesh.positions.size());
    in_chart = new osg::DrawElementsUInt(GL_TRIANGLES);
    off_chart = new osg::DrawElementsUInt(GL_TRIANGLES);
    fillChart(layers);

    // Two draw lists over the same vertices: triangles in the scalp chart carry layers, the
    // rest do not (a per-triangle flag cannot be a per-vertex attribute without splitting).
    geode = new osg::Geode;
    const auto makeGeometry = [&](osg::DrawElementsUInt* list, int chart_flag) {
        osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
        g->setUseDisplayList(false);
        g->setUseVertexBufferObjects(true);
        g->setVertexArray(positions.get());
        g->setNormalArray(normals.get(), osg::Array::BIND_PER_VERTEX);
        g->setColorArray(occlusion.get(), osg::Array::BIND_PER_VERTEX);
        if (!uv0->empty()) g->setTexCoordArray(0, uv0.get(), osg::Array::BIND_PER_VERTEX);
        g->setTexCoordArray(1, uv1.get(), osg::Array::BIND_PER_VERTEX);
        g->addPrimitiveSet(list);
        g->getOrCreateStateSet()->addUniform(new osg::Uniform("u_in_chart", chart_flag));
        geode->addDrawable(g.get());
        geometries.push_back(g);
    };
    makeGeometry(in_chart.get(), 1);
    makeGeometry(off_chart.get(), 0);
}

// The chart UVs and the two draw lists, in place (updateLayers keeps the objects).
void Scene::Impl::fillChart(const LayerStack* layers) {
    for (size_t i = 0; i < uv1->size(); ++i) {
        const glm::vec2 t =
            layers ? layers->chart.uvs[i] : glm::vec2(kChartOutsideU, kChartOutsideV);
        (*uv1)[i] = osg::Vec2(t.x, t.y);
    }
    uv1->dirty();
    in_chart->clear();
    off_chart->clear();
    for (size_t t = 0; t < triangles.size(); ++t) {
        const bool inside = layers && layers->chart.inside[t] != 0;
        osg::DrawElementsUInt* list = inside ? in_chart.get() : off_chart.get();
        list->push_back(triangles[t].x);
        list->push_back(triangles[t].y);
        list->push_back(triangles[t].z);
    }
    in_chart->dirty();
    off_chart->dirty();
}

// Shadow pass: depth of the whole mesh (shoulders shadow the neck too) from the key light, a
// pre-render camera in the graph so any viewer draws it.
void Scene::Impl::buildShadowPass(osg::Group& root) {
    const int sm = options.shadow_map_size;
    shadow_map = new osg::Texture2D;
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
    root.addChild(shadow_camera.get());
}

// Main pass, drawn twice over the same geometry: front faces first, then back faces. Culling
// is off for the image's sake (open meshes show their inside at the neck), but in the mesh's
// own triangle order llvmpipe shaded every hidden back face that came before the front face
// covering it (measured: 40 % of the frame's CPU). Front faces first fill the depth buffer, so
// the back faces behind them fail llvmpipe's early depth test before any shading. The picture
// is the same: depth testing keeps the nearest fragment either way (only exact depth ties
// between a front and a back face could resolve differently).
void Scene::Impl::buildShadedPass(osg::Group& root, const HeadModel& head,
                                  const LayerStack* layers) {
    shaded = new osg::Group;
    osg::ref_ptr<osg::Group> front_faces = new osg::Group;
    back_faces = new osg::Group;
    front_faces->addChild(geode.get());
    back_faces->addChild(geode.get());
    back_faces->setCullCallback(new BackFaceCullCallback(&holes));
    osg::StateSet* front_state = front_faces->getOrCreateStateSet();
    front_state->setAttributeAndModes(new osg::CullFace(osg::CullFace::BACK),
                                      osg::StateAttribute::ON);
    front_state->setRenderBinDetails(0, "RenderBin");
    osg::StateSet* back_state = back_faces->getOrCreateStateSet();
    back_state->setAttributeAndModes(new osg::CullFace(osg::CullFace::FRONT),
                                     osg::StateAttribute::ON);
    back_state->setRenderBinDetails(1, "RenderBin");
    shaded->addChild(front_faces.get());
    shaded->addChild(back_faces.get());

    osg::StateSet* ss = shaded->getOrCreateStateSet();
    // Both programs share the vertex shader; each is compiled once per context, so switching
    // quality (setInteractive) costs no compile.
    osg::ref_ptr<osg::Shader> vertex = new osg::Shader(osg::Shader::VERTEX, shaders::kHeadVertex);
    program = new osg::Program;
    program->addShader(vertex.get());
    fragment_shader = new osg::Shader(osg::Shader::FRAGMENT, fragmentSource(false));
    program->addShader(fragment_shader.get());
    interactive_program = new osg::Program;
    interactive_program->addShader(vertex.get());
    interactive_fragment_shader = new osg::Shader(osg::Shader::FRAGMENT, fragmentSource(true));
    interactive_program->addShader(interactive_fragment_shader.get());
    ss->setAttributeAndModes(program.get(), osg::StateAttribute::ON);
    ss->setMode(GL_BLEND, osg::StateAttribute::OFF);

    const Mesh& mesh = head.mesh;
    // The albedo was decoded once at import (Mesh::albedo): the renderer reads no file.
    const bool has_albedo = mesh.albedo && !mesh.albedo->empty() &&
                            mesh.uvs.size() == mesh.positions.size();
    if (has_albedo)
        ss->setTextureAttributeAndModes(
            kAlbedoUnit, albedoTexture(*mesh.albedo, options.keep_texels).get());
    ss->addUniform(new osg::Uniform("u_albedo_map", int(kAlbedoUnit)));
    ss->addUniform(new osg::Uniform("u_has_albedo_map", has_albedo ? 1 : 0));
    const glm::vec3 skin = layers ? layers->skin_linear : options.skin_linear;
    ss->addUniform(new osg::Uniform("u_skin", osg::Vec3(skin.x, skin.y, skin.z)));
    ss->addUniform(new osg::Uniform("u_skin_roughness",
                                    layers ? layers->skin_roughness : options.skin_roughness));
    static const Image16 kNoLayer;
    static const Image8 kNoMap;
    const bool keep = options.keep_texels;
    pigment = layerTexture(premultipliedImage(kNoLayer).get(), keep);
    scar = layerTexture(premultipliedImage(kNoLayer).get(), keep);
    before = layerTexture(premultipliedImage(kNoLayer).get(), keep);
    scar_roughness = redTexture(redImage(kNoMap).get(), keep);
    zone_map = zoneTexture(zoneImage(kNoMap).get(), keep);
    setLayerImages(layers);
    ss->setTextureAttributeAndModes(kPigmentUnit, pigment.get());
    ss->setTextureAttributeAndModes(kScarUnit, scar.get());
    ss->setTextureAttributeAndModes(kBeforeUnit, before.get());
    ss->setTextureAttributeAndModes(kScarRoughUnit, scar_roughness.get());
    ss->setTextureAttributeAndModes(kZoneUnit, zone_map.get());
    ss->setTextureAttributeAndModes(kShadowUnit, shadow_map.get());
    ss->addUniform(new osg::Uniform("u_pigment", int(kPigmentUnit)));
    ss->addUniform(new osg::Uniform("u_scar", int(kScarUnit)));
    ss->addUniform(new osg::Uniform("u_before", int(kBeforeUnit)));
    ss->addUniform(new osg::Uniform("u_scar_roughness", int(kScarRoughUnit)));
    ss->addUniform(new osg::Uniform("u_shadow_map", int(kShadowUnit)));
    ss->addUniform(new osg::Uniform("u_zone_map", int(kZoneUnit)));

    u_after = dynamicUniform(new osg::Uniform("u_after", 1));
    u_split_x = dynamicUniform(new osg::Uniform("u_split_x", -1.0f));
    u_eye = dynamicUniform(new osg::Uniform("u_eye", osg::Vec3()));
    u_light_dir =
        dynamicUniform(new osg::Uniform(osg::Uniform::FLOAT_VEC3, "u_light_dir", kMaxLights));
    u_light_rgb =
        dynamicUniform(new osg::Uniform(osg::Uniform::FLOAT_VEC3, "u_light_rgb", kMaxLights));
    u_sky = dynamicUniform(new osg::Uniform("u_sky", osg::Vec3()));
    u_ground = dynamicUniform(new osg::Uniform("u_ground", osg::Vec3()));
    u_exposure = dynamicUniform(new osg::Uniform("u_exposure", 1.0f));
    u_specular = dynamicUniform(new osg::Uniform("u_specular", 1.0f));
    u_shadow_matrix = dynamicUniform(new osg::Uniform("u_shadow_matrix", osg::Matrixf()));
    u_shadow_radius = dynamicUniform(new osg::Uniform("u_shadow_radius", 1.5f));
    u_shadow_bias = dynamicUniform(new osg::Uniform("u_shadow_bias_mm", 0.5f));
    u_recolour = dynamicUniform(new osg::Uniform("u_recolour", 0));
    u_exponent = dynamicUniform(
        new osg::Uniform(osg::Uniform::FLOAT_VEC3, "u_exponent", unsigned(kZoneCount)));
    for (osg::Uniform* u :
         {u_after.get(), u_split_x.get(), u_eye.get(), u_light_dir.get(), u_light_rgb.get(),
          u_sky.get(), u_ground.get(), u_exposure.get(), u_specular.get(), u_shadow_matrix.get(),
          u_shadow_radius.get(), u_shadow_bias.get(), u_recolour.get(), u_exponent.get()})
        ss->addUniform(u);
    applyColour();
    root.addChild(shaded.get());
}

// New images for the layer textures (same texture objects); null layers: empty texels.
void Scene::Impl::setLayerImages(const LayerStack* layers) {
    static const Image16 kNoLayer;
    static const Image8 kNoMap;
    replaceImage(*pigment, premultipliedImage(layers ? layers->pigment : kNoLayer));
    replaceImage(*scar, premultipliedImage(layers ? layers->scar : kNoLayer));
    replaceImage(*before, premultipliedImage(layers ? layers->before : kNoLayer));
    replaceImage(*scar_roughness, redImage(layers ? layers->scar_roughness : kNoMap));
    if (const Image8* zones = layers ? zoneMapOf(*layers) : nullptr) {
        replaceImage(*zone_map, zoneImage(*zones));
        has_zone_map = !zones->empty();
    }
}

std::string Scene::Impl::fragmentSource(bool interactive_quality) const {
    // "SHADOW_LIGHT == 0 ? shadow : 1.0" must compile when there is no shadow variable.
    const int aniso = interactive_quality ? 1 : std::clamp(options.anisotropy, 1, 4);
    std::string source = "#version 330 compatibility\n#define LIGHT_COUNT " +
                         std::to_string(lighting.lights.size()) + "\n#define SHADOW_LIGHT " +
                         std::to_string(shadow_light) + "\n#define ANISO_TAPS " +
                         std::to_string(aniso) + "\n#define HAS_SCAR " + (has_scar ? "1" : "0") +
                         "\n#define INTERACTIVE " + (interactive_quality ? "1" : "0") + "\n";
    if (shadow_light < 0) source += "const float shadow = 1.0;\n";
    return source + shaders::kHeadFragmentBody;
}

// A new source dirties the shader: OSG recompiles and relinks it before the next draw.
void Scene::Impl::refreshShader() {
    for (const bool fast : {false, true}) {
        osg::Shader& shader = fast ? *interactive_fragment_shader : *fragment_shader;
        const std::string source = fragmentSource(fast);
        if (shader.getShaderSource() != source) shader.setShaderSource(source);
    }
    shadow_camera->setNodeMask(shadow_light >= 0 ? ~0u : 0u);
}

void Scene::Impl::applyColour() {
    for (size_t z = 0; z < kZoneCount; ++z) {
        const glm::vec3& e = colour.exponent[z];
        u_exponent->setElement(unsigned(z), osg::Vec3(e.x, e.y, e.z));
    }
    u_recolour->set(has_zone_map && !colour.identity() ? 1 : 0);
}

// The rig turned to the current azimuth (lighting.h), and the shadow camera aimed along the
// shadow-casting light. `eye`: the new camera position, or null to keep it.
void Scene::Impl::applyRig(const glm::dvec3* eye) {
    if (eye) u_eye->set(toOsg(*eye));
    const Lighting& rig = lighting;
    const double az = rig_azimuth_deg * kPi / 180.0;
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
    const glm::dvec3 centre = holes.centre;
    const double r = holes.radius * 1.02;
    const glm::dvec3 light_eye = centre + shadow_dir * (r * 2.0);
    const glm::dvec3 hint =
        std::abs(shadow_dir.y) > 0.95 ? glm::dvec3(0, 0, 1) : glm::dvec3(0, 1, 0);
    const osg::Matrixd view = osg::Matrixd::lookAt(
        osg::Vec3d(light_eye.x, light_eye.y, light_eye.z), osg::Vec3d(centre.x, centre.y, centre.z),
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
    const double texel_mm = 2.0 * r / double(options.shadow_map_size);
    const double kernel_mm = std::max(texel_mm, softness * 2.0);
    u_shadow_bias->set(float(std::max(texel_mm * 1.5, kernel_mm * 0.6)));
    u_shadow_radius->set(float(kernel_mm / texel_mm));
}

void Scene::setAfter(bool after) {
    m_impl->after = after;
    m_impl->u_after->set(after ? 1 : 0);
}

bool Scene::after() const {
    return m_impl->after;
}

void Scene::setSplit(double window_x) {
    m_impl->u_split_x->set(float(window_x));
}

void Scene::setInteractive(bool interactive) {
    Impl& m = *m_impl;
    if (interactive == m.interactive) return;
    m.interactive = interactive;
    m.shaded->getStateSet()->setAttributeAndModes(
        interactive ? m.interactive_program.get() : m.program.get(), osg::StateAttribute::ON);
}

bool Scene::interactive() const {
    return m_impl->interactive;
}

void Scene::setLighting(const Lighting& lighting) {
    if (lighting.lights.size() > size_t(kMaxLights))
        throw Error("a light rig has at most " + std::to_string(kMaxLights) + " lights", "",
                    "lighting");
    Impl& m = *m_impl;
    m.lighting = lighting.name.empty() ? *lightingPreset("studio") : lighting;
    m.shadow_light = -1;
    for (size_t i = 0; i < m.lighting.lights.size(); ++i)
        if (m.lighting.lights[i].casts_shadow) {
            m.shadow_light = int(i);
            break;
        }
    m.refreshShader();
    m.applyRig(nullptr);
}

const Lighting& Scene::lighting() const {
    return m_impl->lighting;
}

void Scene::updateLayers(const LayerStack& layers) {
    Impl& m = *m_impl;
    // Not input-reachable: `layers` come from the Session that built this scene's head.
    STIPPLE_ASSERT(layers.chart.uvs.size() == m.vertex_count,
                   "Scene::updateLayers(): the chart needs one UV per vertex of the scene's mesh");
    STIPPLE_ASSERT(layers.chart.inside.size() == m.triangle_count,
                   "Scene::updateLayers(): the chart needs one flag per triangle of the mesh");
    m.fillChart(&layers);
    m.setLayerImages(&layers);
    osg::StateSet* ss = m.shaded->getStateSet();
    const glm::vec3& skin = layers.skin_linear;
    ss->getUniform("u_skin")->set(osg::Vec3(skin.x, skin.y, skin.z));
    ss->getUniform("u_skin_roughness")->set(layers.skin_roughness);
    m.has_scar = hasScar(&layers);
    m.refreshShader();
    m.applyColour();
}

void Scene::setLayerColour(const LayerColour& colour) {
    m_impl->colour = colour;
    m_impl->applyColour();
}

const LayerColour& Scene::layerColour() const {
    return m_impl->colour;
}

void Scene::setZoneMap(const Image8& zone_map) {
    replaceImage(*m_impl->zone_map, zoneImage(zone_map));
    m_impl->has_zone_map = !zone_map.empty();
    m_impl->applyColour();
}

void Scene::setView(const glm::dvec3& eye_mm, double rig_azimuth_deg) {
    m_impl->rig_azimuth_deg = rig_azimuth_deg;
    m_impl->applyRig(&eye_mm);
}

void Scene::setFollowCamera(bool follow) {
    if (follow == m_impl->follow_camera) return;
    m_impl->follow_camera = follow;
    setCullCallback(follow ? new FollowCameraCallback(this) : nullptr);
}

const osg::Geometry* Scene::geometry(size_t index) const {
    // Not input-reachable: indices come from geometryCount() in our own loops.
    STIPPLE_ASSERT(index < m_impl->geometries.size(), "Scene::geometry(): index out of range");
    return m_impl->geometries[index].get();
}

size_t Scene::geometryCount() const {
    return m_impl->geometries.size();
}

glm::dvec3 Scene::meshCentre() const {
    return m_impl->holes.centre;
}

double Scene::meshRadius() const {
    return m_impl->holes.radius;
}

} // namespace stipple::render
