#include "stipple/render/version.h"

#include <osg/Version>

namespace stipple::render {

std::string backendDescription() {
    return std::string("OpenSceneGraph ") + osgGetVersion();
}

} // namespace stipple::render
