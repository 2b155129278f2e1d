#pragma once

// The head drawn off screen and shown in the window (a single-sampled visual) by one textured
// quad; the viewer chooses per frame how the head is drawn:
//   - Full: a target of `supersample` times the window's width and height, full quality
//     (Scene::setInteractive(false)); the quad samples it bilinearly at each window pixel's
//     centre, which for supersample 2 is exactly the box average of the pixel's 2x2 samples
//     (4x supersampling: on llvmpipe it costs what 4x MSAA costs, which shades every sample);
//   - Interactive: a target of `scale` times the window's size, interactive quality, scaled
//     up by the quad (bilinear);
//   - Reuse: no scene pass; the quad shows the last full picture again (a frame that only
//     changes the panels costs the panels).
// Both targets follow the main camera (RELATIVE_RF: its view and projection), so picking and
// framing stay the main camera's. (A multisampled off-screen target nested in the window's
// camera fails as an incomplete FBO with OSG 3.6.5 on llvmpipe, and a multisampled window
// makes every frame, the quad and the panels too, cost 4 samples a pixel: neither is used.)
//
// Threads: osgViewer single-threaded; select() between frames.

#include <osg/Camera>
#include <osg/Geode>
#include <osg/Group>
#include <osg/Texture2D>

namespace stipple::viewer {

class ScenePasses {
public:
    enum class Draw { Full, Interactive, Reuse };

    // `supersample`: 1 or 2 (samples per window pixel along each axis, full target).
    // `scale`: share of the window's width and height the interactive target has, 0.25..1.
    ScenePasses(int width, int height, int supersample, double scale);

    // The node to put in the viewer's scene data.
    osg::Group* root() const { return m_root.get(); }
    // The drawn scene (replaces the previous one in both targets).
    void setScene(osg::Node* scene);
    void setClearColour(const osg::Vec4& colour);
    // Front faces clockwise (a mirrored projection) or counter-clockwise, in both targets.
    void setMirror(bool mirror);
    // How this frame draws the head.
    void select(Draw draw);
    Draw selected() const { return m_selected; }
    // Width of `draw`'s target in pixels (Reuse: the full target's).
    int targetWidth(Draw draw) const;

private:
    osg::ref_ptr<osg::Camera> makeTarget(osg::Texture2D* texture, int width, int height) const;

    int m_full_width, m_full_height, m_small_width, m_small_height;
    Draw m_selected = Draw::Full;
    osg::ref_ptr<osg::Group> m_root;
    osg::ref_ptr<osg::Texture2D> m_full_texture, m_small_texture;
    osg::ref_ptr<osg::Camera> m_full, m_small;
    osg::ref_ptr<osg::Geode> m_quad;
    osg::ref_ptr<osg::Node> m_scene;
};

} // namespace stipple::viewer
