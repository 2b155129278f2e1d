#pragma once

// SKELETON: stipple::render grows with the rendering issue (EGL context, scene, turntables).

#include <string>

namespace stipple::render {

// "OpenSceneGraph 3.6.5": the scene-graph library this build links.
std::string backendDescription();

} // namespace stipple::render
