#include <gtest/gtest.h>

#include "stipple/core/image.h"
#include "stipple/render/renderer.h"
#include "test_scene.h"
#include "test_util.h"

TEST(Smoke, Front) {
    const stipple::HeadModel head = stipple::test::syntheticHead();
    const stipple::LayerStack layers = stipple::test::syntheticLayers(head);
    stipple::render::RenderSettings s;
    s.width = 512;
    s.height = 512;
    stipple::render::Renderer r(head, &layers, s);
    std::cout << r.glDescription() << "\n";
    const auto dir = stipple::test::outputDir("smoke");
    for (const std::string v : {"front", "three_quarter_left", "top", "back"}) {
        const auto pose = *stipple::render::viewPose(v, 8);
        const auto f = r.fit({pose});
        const stipple::Image8 img = r.render(f, pose);
        stipple::writeFileAtomic(dir / (v + ".png"), stipple::encodePng(img), stipple::Overwrite::Yes);
    }
}
