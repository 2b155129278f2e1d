#include "scene_passes.h"

#include <algorithm>
#include <cmath>

#include <osg/FrontFace>
#include <osg/Geometry>
#include <osg/Program>

namespace stipple::viewer {

namespace {

// The quad covers the viewport in clip space; no matrices, never culled.
constexpr const char* kQuadVertex = R"GLSL(
#version 330 compatibility
out vec2 v_uv;
void main() {
    v_uv = gl_Vertex.xy * 0.5 + 0.5;
    gl_Position = vec4(gl_Vertex.xy, 0.0, 1.0);
}
)GLSL";

// The targets hold display-ready sRGB values (scene.h): copied as they are.
constexpr const char* kQuadFragment = R"GLSL(
#version 330 compatibility
in vec2 v_uv;
out vec4 frag_colour;
uniform sampler2D u_image;
void main() { frag_colour = vec4(texture(u_image, v_uv).rgb, 1.0); }
)GLSL";

osg::ref_ptr<osg::Texture2D> colourTexture(int width, int height) {
    osg::ref_ptr<osg::Texture2D> t = new osg::Texture2D;
    t->setTextureSize(width, height);
    t->setInternalFormat(GL_RGBA8);
    t->setSourceFormat(GL_RGBA);
    t->setSourceType(GL_UNSIGNED_BYTE);
    t->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
    t->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    t->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
    t->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
    t->setResizeNonPowerOfTwoHint(false);
    return t;
}

osg::ref_ptr<osg::Geode> makeQuad() {
    osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
    osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
    for (const auto& [x, y] : {std::pair{-1, -1}, {1, -1}, {1, 1}, {-1, 1}})
        v->push_back(osg::Vec3(float(x), float(y), 0));
    g->setVertexArray(v.get());
    g->addPrimitiveSet(new osg::DrawArrays(GL_QUADS, 0, 4));
    g->setUseDisplayList(false);
    g->setUseVertexBufferObjects(true);
    g->setCullingActive(false);
    osg::ref_ptr<osg::Geode> geode = new osg::Geode;
    geode->addDrawable(g.get());
    geode->setCullingActive(false);
    osg::StateSet* ss = geode->getOrCreateStateSet();
    osg::ref_ptr<osg::Program> program = new osg::Program;
    program->addShader(new osg::Shader(osg::Shader::VERTEX, kQuadVertex));
    program->addShader(new osg::Shader(osg::Shader::FRAGMENT, kQuadFragment));
    ss->setAttributeAndModes(program.get(), osg::StateAttribute::ON);
    ss->addUniform(new osg::Uniform("u_image", 0));
    ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
    ss->setMode(GL_CULL_FACE, osg::StateAttribute::OFF);
    ss->setMode(GL_BLEND, osg::StateAttribute::OFF);
    return geode;
}

} // namespace

ScenePasses::ScenePasses(int width, int height, int supersample, double scale)
    : m_full_width(width * std::clamp(supersample, 1, 2)),
      m_full_height(height * std::clamp(supersample, 1, 2)),
      m_small_width(std::max(1, int(std::lround(width * std::clamp(scale, 0.25, 1.0))))),
      m_small_height(std::max(1, int(std::lround(height * std::clamp(scale, 0.25, 1.0))))) {
    m_root = new osg::Group;
    m_full_texture = colourTexture(m_full_width, m_full_height);
    m_small_texture = colourTexture(m_small_width, m_small_height);
    m_full = makeTarget(m_full_texture.get(), m_full_width, m_full_height);
    m_small = makeTarget(m_small_texture.get(), m_small_width, m_small_height);
    m_quad = makeQuad();
    m_root->addChild(m_full.get());
    m_root->addChild(m_small.get());
    m_root->addChild(m_quad.get());
    select(Draw::Full);
}

osg::ref_ptr<osg::Camera> ScenePasses::makeTarget(osg::Texture2D* texture, int width,
                                                  int height) const {
    osg::ref_ptr<osg::Camera> c = new osg::Camera;
    c->setReferenceFrame(osg::Transform::RELATIVE_RF); // the main camera's view and projection
    c->setRenderOrder(osg::Camera::PRE_RENDER);
    c->setRenderTargetImplementation(osg::Camera::FRAME_BUFFER_OBJECT);
    c->setViewport(0, 0, width, height);
    c->setClearMask(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    c->attach(osg::Camera::COLOR_BUFFER, texture);
    c->attach(osg::Camera::DEPTH_BUFFER, GL_DEPTH_COMPONENT24);
    c->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
    return c;
}

void ScenePasses::setScene(osg::Node* scene) {
    for (osg::Camera* c : {m_full.get(), m_small.get()}) {
        if (m_scene) c->removeChild(m_scene.get());
        c->addChild(scene);
    }
    m_scene = scene;
}

void ScenePasses::setClearColour(const osg::Vec4& colour) {
    m_full->setClearColor(colour);
    m_small->setClearColor(colour);
}

void ScenePasses::setMirror(bool mirror) {
    for (osg::Camera* c : {m_full.get(), m_small.get()})
        c->getOrCreateStateSet()->setAttribute(new osg::FrontFace(
            mirror ? osg::FrontFace::CLOCKWISE : osg::FrontFace::COUNTER_CLOCKWISE));
}

void ScenePasses::select(Draw draw) {
    m_selected = draw;
    m_full->setNodeMask(draw == Draw::Full ? ~0u : 0u);
    m_small->setNodeMask(draw == Draw::Interactive ? ~0u : 0u);
    m_quad->getOrCreateStateSet()->setTextureAttributeAndModes(
        0, draw == Draw::Interactive ? m_small_texture.get() : m_full_texture.get(),
        osg::StateAttribute::ON);
}

int ScenePasses::targetWidth(Draw draw) const {
    return draw == Draw::Interactive ? m_small_width : m_full_width;
}

} // namespace stipple::viewer
