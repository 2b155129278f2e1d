#include "stipple/render/design_scene.h"

#include <cmath>

#include "stipple/core/error.h"
#include "stipple/render/design_render.h"
#include "stipple/render/renderer.h"

namespace stipple::render {

namespace {

void checkAge(double age_days) {
    if (!std::isfinite(age_days) || age_days < 0 || age_days > kMaxAgeDays)
        throw Error("age_days " + formatFixed(age_days) + " is out of range; accepted 0.." +
                        formatFixed(kMaxAgeDays, 0) + " days (0 fresh, 30 healed, 1825 five years)",
                    "", "age_days");
}

} // namespace

osg::ref_ptr<Scene> buildDesignScene(Session& session, const SceneOverrides& overrides) {
    // Everything that can be rejected is checked before the session changes.
    if (overrides.age_days) checkAge(*overrides.age_days);
    RenderOverrides render_overrides;
    render_overrides.lighting = overrides.lighting;
    const RenderJob job = renderJobFromDesign(session.design(), render_overrides);
    if (overrides.layer_size != 0) session.setLayerSize(overrides.layer_size, "layer_size");
    if (overrides.age_days && *overrides.age_days != session.design().pigment.age_days) {
        Design design = session.design();
        design.pigment.age_days = *overrides.age_days;
        session.apply(design);
    }
    if (!session.hasHead()) session.loadHead();
    const LayerStack& layers = session.layers();

    SceneOptions options = sceneOptions(job.settings);
    options.keep_texels = true; // a host's viewer may re-create its context
    osg::ref_ptr<Scene> scene = new Scene(session.head(), &layers, options);
    scene->setLighting(job.settings.lighting);
    scene->setAfter(!overrides.before);
    scene->setFollowCamera(true);
    scene->setName(session.design().name);
    return scene;
}

} // namespace stipple::render
