// The panels: Dear ImGui widgets over the head. Widgets never change the scene while it is
// drawn: each posts a ViewerApp command that runs before the next frame (the same commands a
// script posts).

#include <cstdio>
#include <ctime>

#include <imgui.h>

#include "stipple/core/design_writer.h"
#include "stipple/render/lighting.h"
#include "viewer_app.h"

namespace stipple::viewer {

namespace {

int g_widget_serial = 0; // one slider drag = one merge key = one undo step

// A slider bound to a design field: live edits while dragging, one undo step per drag.
void fieldSlider(ViewerApp& app, const char* label, const std::string& pointer, double value,
                 float min, float max, const char* format = "%.1f") {
    float v = float(value);
    const bool changed = ImGui::SliderFloat(label, &v, min, max, format);
    if (ImGui::IsItemActivated()) ++g_widget_serial;
    if (changed) {
        const std::string key = pointer + "#" + std::to_string(g_widget_serial);
        app.post("set " + pointer, [&app, pointer, v, key] { app.setField(pointer, v, key); });
    }
    if (ImGui::IsItemDeactivated()) app.post("", [&app] { app.endMerge(); });
}

void fieldCombo(ViewerApp& app, const char* label, const std::string& pointer,
                const char* const* names, int count, const std::string& current) {
    if (!ImGui::BeginCombo(label, current.c_str())) return;
    for (int i = 0; i < count; ++i)
        if (ImGui::Selectable(names[i], current == names[i])) {
            const std::string value = names[i];
            app.post("set " + pointer, [&app, pointer, value] { app.setField(pointer, value); });
        }
    ImGui::EndCombo();
}

const char* kTemplates[] = {"natural", "defined", "soft", "receded", "widows_peak", "custom"};
const char* kProfiles[] = {"rounded", "sharp", "soft"};
const char* kInks[] = {"permanent", "temporary"};

void hairlinePanel(ViewerApp& app) {
    const HairlineSpec& h = app.design().hairline;
    const int shape = int(h.shape);
    if (ImGui::BeginCombo("template", kTemplates[shape])) {
        for (int i = 0; i < 6; ++i)
            if (ImGui::Selectable(kTemplates[i], i == shape)) {
                if (i == int(HairlineTemplate::Custom))
                    app.post("custom", [&app] { app.controlPoints(); });
                else
                    app.post("set /hairline/template",
                             [&app, i] { app.setField("/hairline/template", kTemplates[i]); });
            }
        ImGui::EndCombo();
    }
    fieldCombo(app, "side profile", "/hairline/side_profile", kProfiles, 3,
               kProfiles[int(h.side_profile)]);
    fieldSlider(app, "frontal height mm", "/hairline/frontal_height_mm", h.frontal_height_mm, 60,
                110);
    fieldSlider(app, "recession mm", "/hairline/frontotemporal_recession_mm",
                h.frontotemporal_recession_mm, 0, 40);
    fieldSlider(app, "temporal peak mm", "/hairline/temporal_peak_mm", h.temporal_peak_mm, 0, 25);
    fieldSlider(app, "transition mm", "/hairline/transition_mm", h.transition_mm, 5, 20);
    fieldSlider(app, "irregularity mm", "/hairline/irregularity_amplitude_mm",
                h.irregularity_amplitude_mm, 0, 5);
    fieldSlider(app, "irregularity scale mm", "/hairline/irregularity_scale_mm",
                h.irregularity_scale_mm, 2, 30);
    fieldSlider(app, "asymmetry mm", "/hairline/asymmetry_mm", h.asymmetry_mm, 0, 5);
    fieldSlider(app, "nape height mm", "/hairline/nape_height_mm", h.nape_height_mm, -90, 40);
    fieldSlider(app, "ear clearance mm", "/hairline/ear_clearance_mm", h.ear_clearance_mm, 0, 30);
    bool scar = app.view().add_scar;
    if (ImGui::Checkbox("draw scar outline", &scar))
        app.post("add_scar", [&app, scar] { app.view().add_scar = scar; });
    if (scar) {
        ImGui::SameLine();
        if (ImGui::Button("finish scar"))
            app.post("finish_scar", [&app] {
                app.finishScar();
                app.view().add_scar = false;
            });
    }
    bool edit = app.view().edit_hairline;
    if (ImGui::Checkbox("drag control points", &edit))
        app.post("edit_hairline", [&app, edit] {
            app.view().edit_hairline = edit;
            if (edit) app.controlPoints();
        });
}

void zonesPanel(ViewerApp& app) {
    for (size_t z = 0; z < kZoneCount; ++z) {
        const ZoneSpec zone = app.design().zone(ZoneId(z));
        const std::string at = "/zones/" + std::to_string(z);
        ImGui::PushID(int(z));
        if (ImGui::TreeNode(kZoneNames[z])) {
            bool on = zone.enabled;
            if (ImGui::Checkbox("on", &on))
                app.post("set " + at + "/enabled",
                         [&app, at, on] { app.setField(at + "/enabled", on); });
            fieldSlider(app, "density /cm2", at + "/density_per_cm2", zone.density_per_cm2, 5, 150,
                        "%.0f");
            fieldSlider(app, "size mm", at + "/diameter_mm", zone.diameter_mm, 0.1f, 1.2f, "%.2f");
            fieldSlider(app, "shade", at + "/shade", zone.shade, 1, 10);
            ImGui::TreePop();
        }
        ImGui::PopID();
    }
}

void pigmentPanel(ViewerApp& app) {
    const PigmentSpec& p = app.design().pigment;
    fieldCombo(app, "ink", "/pigment/ink", kInks, 2, kInks[int(p.ink)]);
    int skin = p.fitzpatrick.value_or(0);
    if (ImGui::SliderInt("skin type (0: mesh)", &skin, 0, 6)) {
        if (skin == 0)
            app.post("set /pigment/skin_from_mesh",
                     [&app] { app.setField("/pigment/skin_from_mesh", true); });
        else
            app.post("set /pigment/fitzpatrick",
                     [&app, skin] { app.setField("/pigment/fitzpatrick", skin); });
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "%s", hexColour(p.hair_colour_srgb).c_str());
    float rgb[3] = {float(p.hair_colour_srgb.x), float(p.hair_colour_srgb.y),
                    float(p.hair_colour_srgb.z)};
    if (ImGui::ColorEdit3("hair colour", rgb)) {
        const std::string value = hexColour(glm::dvec3(rgb[0], rgb[1], rgb[2]));
        app.post("set /pigment/hair_colour",
                 [&app, value] { app.setField("/pigment/hair_colour", value, "hair_colour"); });
    }
    int seed = int(app.design().seed);
    if (ImGui::InputInt("seed", &seed))
        app.post("set /seed", [&app, seed] { app.setField("/seed", seed); });
}

void timelinePanel(ViewerApp& app) {
    const double age = app.design().pigment.age_days;
    int stop = 0;
    for (int i = 0; i < 6; ++i)
        if (age >= kTimelineDays[i]) stop = i;
    if (ImGui::SliderInt("age", &stop, 0, 5, kTimelineNames[stop]))
        app.post("set /pigment/age_days", [&app, stop] {
            app.setField("/pigment/age_days", kTimelineDays[stop], "timeline");
        });
    if (ImGui::IsItemDeactivated()) app.post("", [&app] { app.endMerge(); });
    ImGui::SameLine();
    ImGui::Text("%.0f d", age);
}

void viewButtons(ViewerApp& app) {
    static const char* kViews[][2] = {{"front", "front"},
                                      {"3/4 L", "three_quarter_left"},
                                      {"3/4 R", "three_quarter_right"},
                                      {"left", "left"},
                                      {"right", "right"},
                                      {"back", "back"},
                                      {"top", "top"},
                                      {"hairline", "hairline_closeup"},
                                      {"crown", "crown_closeup"}};
    for (size_t i = 0; i < std::size(kViews); ++i) {
        if (i % 3 != 0) ImGui::SameLine();
        const std::string name = kViews[i][1];
        if (ImGui::Button(kViews[i][0], ImVec2(80, 0)))
            app.post("view", [&app, name] { app.setView(name); });
    }
}

void viewPanel(ViewerApp& app) {
    viewButtons(app);
    ViewState& v = app.view();
    bool changed = ImGui::Checkbox("mirror", &v.mirror);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("after", &v.after);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("split", &v.split);
    if (v.split) changed |= ImGui::SliderFloat("split line", &v.split_x, 0, 1, "%.2f");
    if (changed) app.post("view state", [&app] { app.applyViewState(); });
    const std::string current = v.lighting.empty() ? app.design().render.lighting : v.lighting;
    if (ImGui::BeginCombo("lighting", current.c_str())) {
        for (const std::string& name : render::lightingNames())
            if (ImGui::Selectable(name.c_str(), name == current))
                app.post("lighting", [&app, name] { app.setLighting(name); });
        ImGui::EndCombo();
    }
    timelinePanel(app);
    if (ImGui::Button("client mode"))
        app.post("client", [&app] {
            app.view().client = true;
            app.view().panels = false;
            app.view().split = true;
            app.applyViewState();
        });
}

void filePanel(ViewerApp& app) {
    static char path[512] = "";
    if (path[0] == '\0') std::snprintf(path, sizeof path, "%s", app.file().string().c_str());
    ImGui::InputText("file", path, sizeof path);
    if (ImGui::Button("undo") && app.canUndo()) app.post("undo", [&app] { app.undo(); });
    ImGui::SameLine();
    if (ImGui::Button("redo") && app.canRedo()) app.post("redo", [&app] { app.redo(); });
    ImGui::SameLine();
    if (ImGui::Button("open")) {
        const std::filesystem::path file = path;
        app.post("open", [&app, file] { app.open(file); });
    }
    ImGui::SameLine();
    if (ImGui::Button("save")) {
        const std::filesystem::path file = path;
        app.post("save", [&app, file] { app.save(file, false); });
    }
    if (app.hasPendingOverwrite()) {
        ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "replace %s?",
                           app.pendingOverwrite().filename().string().c_str());
        ImGui::SameLine();
        if (ImGui::Button("replace")) {
            const std::filesystem::path file = app.pendingOverwrite();
            app.post("save", [&app, file] { app.save(file, true); });
        }
        ImGui::SameLine();
        if (ImGui::Button("keep")) app.post("", [&app] { app.clearPendingOverwrite(); });
    }
    const std::filesystem::path base = app.file().parent_path() / app.file().stem();
    if (ImGui::Button("screenshot")) {
        const std::filesystem::path file =
            base.string() + "_view_" + std::to_string(std::time(nullptr)) + ".png";
        app.post("screenshot", [&app, file] { app.screenshot(file, false); });
    }
    ImGui::SameLine();
    if (ImGui::Button("stills"))
        app.post("export",
                 [&app, base] { app.exportRenders(base.string() + "_stills", false, false); });
    ImGui::SameLine();
    if (ImGui::Button("turntable"))
        app.post("export",
                 [&app, base] { app.exportRenders(base.string() + "_turntable", true, false); });
}

void figuresPanel(ViewerApp& app) {
    const FollicleSet& dots = app.session().follicles(SessionLabels::Deferred);
    ImGui::Text("dots %zu   area %.1f cm2   sessions %.1f", dots.dots.size(), dots.area_cm2,
                dots.sessions);
    if (ImGui::BeginTable("zones", 3)) {
        ImGui::TableSetupColumn("zone");
        ImGui::TableSetupColumn("density /cm2");
        ImGui::TableSetupColumn("target");
        ImGui::TableHeadersRow();
        for (const ZoneStats& z : dots.zones) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(zoneName(z.id));
            ImGui::TableNextColumn();
            ImGui::Text("%.1f", z.density_per_cm2);
            ImGui::TableNextColumn();
            ImGui::Text("%.1f", z.target_density_per_cm2);
        }
        ImGui::EndTable();
    }
    ImGui::Text("frame %.1f ms", app.lastFrameMs());
}

// Hairline, control points, scar draft and split line drawn over the picture.
void overlay(ViewerApp& app) {
    ImDrawList* draw = ImGui::GetForegroundDrawList();
    const ViewState& v = app.view();
    if (v.edit_hairline && app.design().hairline.shape == HairlineTemplate::Custom)
        for (const glm::dvec3& p : app.design().hairline.control_points) {
            const glm::dvec2 s = app.project(p);
            draw->AddCircleFilled(ImVec2(float(s.x), float(s.y)), 6, IM_COL32(255, 200, 40, 230));
            draw->AddCircle(ImVec2(float(s.x), float(s.y)), 7, IM_COL32(0, 0, 0, 200));
        }
    if (v.edit_hairline)
        for (const ScarSpec& scar : app.design().scars)
            if (scar.type == ScarType::Polygon)
                for (const glm::dvec3& p : scar.points_mm) {
                    const glm::dvec2 s = app.project(p);
                    draw->AddCircleFilled(ImVec2(float(s.x), float(s.y)), 5,
                                          IM_COL32(220, 60, 60, 230));
                    draw->AddCircle(ImVec2(float(s.x), float(s.y)), 6, IM_COL32(0, 0, 0, 200));
                }
    for (const glm::dvec3& p : app.scarDraft()) {
        const glm::dvec2 s = app.project(p);
        draw->AddCircleFilled(ImVec2(float(s.x), float(s.y)), 4, IM_COL32(220, 60, 60, 230));
    }
    if (v.split) {
        const float x = v.split_x * float(app.width());
        draw->AddLine(ImVec2(x, 0), ImVec2(x, float(app.height())), IM_COL32(255, 255, 255, 200),
                      2);
    }
}

void clientMode(ViewerApp& app) {
    ViewState& v = app.view();
    const ImVec2 size(float(app.width()), float(app.height()));
    ImGui::SetNextWindowPos(ImVec2(size.x * 0.1f, size.y - 70));
    ImGui::SetNextWindowSize(ImVec2(size.x * 0.8f, 60));
    ImGui::Begin("before / after", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
    ImGui::PushItemWidth(-1);
    ImGui::PushStyleVar(ImGuiStyleVar_GrabMinSize, 40);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(8, 14));
    if (ImGui::SliderFloat("##split", &v.split_x, 0, 1, "before  |  after"))
        app.post("split", [&app] { app.applyViewState(); });
    ImGui::PopStyleVar(2);
    ImGui::PopItemWidth();
    ImGui::End();
    const std::string mark = app.design().render.watermark.empty() ? "Simulation - results vary"
                                                                   : app.design().render.watermark;
    ImGui::GetForegroundDrawList()->AddText(nullptr, 28, ImVec2(20, 16), IM_COL32(30, 30, 34, 190),
                                            mark.c_str());
    if (ImGui::IsKeyPressed(ImGui::GetIO().KeyMap[ImGuiKey_Escape]))
        app.post("client", [&app] {
            app.view().client = false;
            app.view().panels = true;
            app.applyViewState();
        });
}

void messagePanel(ViewerApp& app) {
    if (app.message().empty()) return;
    ImGui::SetNextWindowPos(ImVec2(float(app.width()) * 0.5f, 10), ImGuiCond_Always,
                            ImVec2(0.5f, 0));
    ImGui::SetNextWindowSize(ImVec2(float(app.width()) * 0.5f, 0));
    ImGui::Begin("message", nullptr, ImGuiWindowFlags_NoDecoration);
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", app.message().c_str());
    ImGui::PopTextWrapPos();
    if (ImGui::Button("dismiss")) app.post("", [&app] { app.setMessage({}); });
    ImGui::End();
}

} // namespace

void buildPanels(ViewerApp& app) {
    overlay(app);
    messagePanel(app);
    if (app.view().client) {
        clientMode(app);
        return;
    }
    if (!app.view().panels) return;
    ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(340, float(app.height()) - 20), ImGuiCond_FirstUseEver);
    ImGui::Begin("Design");
    if (ImGui::CollapsingHeader("Hairline", ImGuiTreeNodeFlags_DefaultOpen)) hairlinePanel(app);
    if (ImGui::CollapsingHeader("Zones")) zonesPanel(app);
    if (ImGui::CollapsingHeader("Pigment", ImGuiTreeNodeFlags_DefaultOpen)) pigmentPanel(app);
    ImGui::End();
    ImGui::SetNextWindowPos(ImVec2(float(app.width()) - 330, 10), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(320, 0), ImGuiCond_FirstUseEver);
    ImGui::Begin("View");
    viewPanel(app);
    filePanel(app);
    ImGui::End();
    ImGui::SetNextWindowPos(ImVec2(float(app.width()) - 330, float(app.height()) - 250),
                            ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(320, 240), ImGuiCond_FirstUseEver);
    ImGui::Begin("Figures");
    figuresPanel(app);
    ImGui::End();
}

void ViewerApp::ui() {
    buildPanels(*this);
}

} // namespace stipple::viewer
