#include "stipple/render/render_job.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "stipple/core/output_set.h"
#include "stipple/render/camera.h"
#include "stipple/render/compose.h"
#include "stipple/render/frame_writer.h"
#include "stipple/render/progress.h"
#include "stipple/render/video.h"

namespace stipple::render {

namespace {

constexpr double kTopPassElevationDeg = 60;
constexpr int kContactSheetMaxFrames = 36;
constexpr int kContactCellWidth = 320;

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string slug(const std::string& name, size_t index) {
    std::string out = std::to_string(index + 1) + "_";
    for (char c : name) {
        const unsigned char u = static_cast<unsigned char>(c);
        out += std::isalnum(u) ? char(std::tolower(u)) : '_';
    }
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    return out.size() > 40 ? out.substr(0, 40) : out;
}

std::string frameName(const std::string& prefix, int index, int total) {
    const int digits = std::max(3, int(std::to_string(std::max(0, total - 1)).size()));
    std::string number = std::to_string(index);
    number.insert(0, size_t(std::max(0, digits - int(number.size()))), '0');
    return prefix + number + ".png";
}

bool cancelled(const RenderJob& job) {
    return job.cancel && job.cancel->load();
}

// The design's identity in a manifest entry: its SHA-256; its name too with full provenance.
void tagDesign(nlohmann::json& info, const Provenance& p, ProvenanceMode mode) {
    if (mode == ProvenanceMode::Full) info["design"] = p.design_name;
    info["design_sha256"] = p.design_sha256;
}

// How a message in the manifest names a design: by name only with full provenance.
std::string designLabel(const Provenance& p, ProvenanceMode mode) {
    if (mode == ProvenanceMode::Full) return p.design_name;
    return "design " + p.design_sha256.substr(0, 12);
}

} // namespace

std::string renderDate() {
    std::time_t t = std::time(nullptr);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) t = std::time_t(std::atoll(epoch));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

TextChunks provenanceChunks(const Provenance& p, const std::string& date, const TextChunks& extra,
                            ProvenanceMode mode) {
    TextChunks out = {
        {"Software", std::string("Stipple ") + STIPPLE_VERSION},
        {"stipple:version", STIPPLE_VERSION},
        {"stipple:date", date},
        {"stipple:design_sha256", p.design_sha256},
        {"stipple:seed", std::to_string(p.seed)},
        {"stipple:mesh_sha256", p.mesh_sha256},
    };
    if (mode == ProvenanceMode::Full) {
        out.emplace_back("stipple:design", p.design_name);
        out.emplace_back("stipple:design_file", p.design_file.string());
        out.emplace_back("stipple:mesh_file", p.mesh_file.string());
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

void validateRenderJob(const RenderJob& job) {
    for (const std::string& v : job.views)
        if (!viewPose(v, 0))
            throw Error("unknown view '" + v + "'; accepted: " + joined(viewNames()), "", "views");
    if (job.turntable_frames < 0 || job.turntable_frames > kMaxTurntableFrames)
        throw Error("turntable frames " + std::to_string(job.turntable_frames) +
                        " out of range; accepted 1.." + std::to_string(kMaxTurntableFrames),
                    "", "turntable_frames");
    const RenderSettings& s = job.settings;
    if (s.width < 16 || s.height < 16 || s.width > kMaxWidth || s.height > kMaxHeight)
        throw Error("size " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                        " out of range; accepted 16x16 .. 3840x2160",
                    "", "size");
    if (!(job.fps >= 1 && job.fps <= 60))
        throw Error("fps " + std::to_string(job.fps) + " out of range; accepted 1..60", "", "fps");
    if (!(job.elevation_deg >= -30 && job.elevation_deg <= 60))
        throw Error("elevation " + std::to_string(job.elevation_deg) +
                        " degrees out of range; accepted -30..60",
                    "", "elevation");
    if (job.turntable_frames == 0) {
        const char* needs = "needs a turntable";
        if (job.mp4) throw Error(std::string("an MP4 ") + needs, "", "mp4");
        if (job.gif) throw Error(std::string("a GIF ") + needs, "", "gif");
        if (job.contact_sheet)
            throw Error(std::string("a contact sheet ") + needs, "", "contact_sheet");
        if (job.top_view_pass)
            throw Error(std::string("the top-view pass ") + needs, "", "top_view");
        if (job.views.empty())
            throw Error("nothing to render: give still views or a turntable", "", "views");
    }
}

nlohmann::json runRenderJob(const std::vector<RenderSubject>& subjects, const RenderJob& job) {
    validateRenderJob(job);
    // Not input-reachable: the CLI requires a design; the C ABI passes its session's one.
    STIPPLE_ASSERT(!subjects.empty(), "runRenderJob(): no subjects");
    for (const RenderSubject& s : subjects)
        // Not input-reachable: every caller loads the head (Session::head()) before.
        STIPPLE_ASSERT(s.head, "runRenderJob(): subject without a head");
    ensureWritableDir(job.out_dir);
    const auto t_start = std::chrono::steady_clock::now();
    const std::string date = job.date.empty() ? renderDate() : job.date;
    const bool several = subjects.size() > 1;

    // Plan every output first so an existing file stops us before any work.
    std::vector<std::filesystem::path> dirs;
    std::vector<std::filesystem::path> planned;
    for (size_t i = 0; i < subjects.size(); ++i) {
        const std::filesystem::path dir =
            several ? job.out_dir / slug(subjects[i].provenance.design_name, i) : job.out_dir;
        dirs.push_back(dir);
        for (const std::string& v : job.views) {
            planned.push_back(dir / (v + ".png"));
            if (job.before_after)
                for (const char* suffix : {"_before", "_before_after", "_split"})
                    planned.push_back(dir / (v + suffix + ".png"));
        }
        for (int f = 0; f < job.turntable_frames; ++f) {
            planned.push_back(dir / frameName("turntable_", f, job.turntable_frames));
            if (job.top_view_pass)
                planned.push_back(dir / frameName("turntable_top_", f, job.turntable_frames));
        }
        if (job.mp4) planned.push_back(dir / "turntable.mp4");
        if (job.gif) planned.push_back(dir / "turntable.gif");
        if (job.contact_sheet) planned.push_back(dir / "contact_sheet.png");
    }
    if (several)
        for (const std::string& v : job.views)
            planned.push_back(job.out_dir / ("designs_" + v + ".png"));
    planned.push_back(job.out_dir / "manifest.json");
    const auto relative = [&](const std::filesystem::path& p) {
        return std::filesystem::relative(p, job.out_dir).generic_string();
    };
    // With overwrite, the files an older run listed that this one will not write are removed
    // at the end (output_set.h); files of it that changed since stop us here.
    OutputLeftovers leftovers;
    if (job.overwrite == Overwrite::Yes) {
        std::set<std::string> planned_relative;
        for (const auto& f : planned)
            planned_relative.insert(relative(f));
        leftovers = findOutputLeftovers(job.out_dir, "manifest.json", planned_relative);
    }
    if (job.overwrite == Overwrite::No) {
        std::vector<std::string> existing;
        for (const auto& f : planned)
            if (std::filesystem::exists(f)) existing.push_back(f.string());
        if (!existing.empty())
            throw Error(std::to_string(existing.size()) + " output file(s) already exist (first: " +
                            existing.front() + "); allow overwriting to replace them",
                        job.out_dir.string(), "overwrite");
    }
    for (const auto& dir : dirs)
        ensureWritableDir(dir);
    // No output name may be a symbolic link, FIFO or device (overwrite or not).
    for (const auto& f : planned)
        checkOutputFile(f, Overwrite::Yes);

    nlohmann::json summary;
    summary["stipple_version"] = STIPPLE_VERSION;
    summary["date"] = date;
    summary["interrupted"] = false;
    nlohmann::json& files = summary["files"] = nlohmann::json::array();
    std::map<std::string, nlohmann::json> png_info; // final path -> manifest entry
    std::vector<std::string> warnings;
    for (const Problem& p : job.warnings)
        warnings.push_back(p.format());

    PngWriterPool pool(job.writer_threads, job.overwrite, job.png_compression);
    const auto queuePng = [&](const std::filesystem::path& file, Image8 image,
                              const Provenance& prov, nlohmann::json info, TextChunks extra) {
        drawWatermark(image, job.watermark);
        if (!job.watermark.empty()) extra.emplace_back("Disclaimer", job.watermark);
        info["path"] = relative(file);
        info["width"] = image.width;
        info["height"] = image.height;
        tagDesign(info, prov, job.provenance);
        png_info[file.string()] = std::move(info);
        pool.submit(file, std::move(image), provenanceChunks(prov, date, extra, job.provenance));
    };
    const auto recordFile = [&](const std::filesystem::path& file, const Provenance& prov,
                                nlohmann::json info) {
        tagDesign(info, prov, job.provenance);
        info["path"] = relative(file);
        info["sha256"] = sha256File(file);
        info["bytes"] = std::filesystem::file_size(file);
        files.push_back(std::move(info));
    };

    int total_frames = 0;
    for (size_t i = 0; i < subjects.size(); ++i)
        total_frames += int(job.views.size()) * (job.before_after ? 2 : 1) +
                        job.turntable_frames * (job.top_view_pass ? 2 : 1);
    Progress progress("render", total_frames, job.progress);
    std::map<std::string, std::vector<Image8>> design_sheets; // view -> one still per design
    std::string gl_description;
    bool interrupted = false;
    double render_seconds = 0;

    for (size_t i = 0; i < subjects.size() && !interrupted; ++i) {
        const RenderSubject& subject = subjects[i];
        const Provenance& prov = subject.provenance;
        const std::filesystem::path& dir = dirs[i];
        if (!subject.layers && job.before_after)
            warnings.push_back(designLabel(prov, job.provenance) +
                               ": no layers, before and after look the same");
        RenderSettings settings = job.settings;
        const int still_ss = settings.supersample;
        Renderer renderer(*subject.head, subject.layers, settings);
        gl_description = renderer.glDescription();
        const auto timed = [&](const Framing& f, const CameraPose& p) {
            const auto t0 = std::chrono::steady_clock::now();
            Image8 img = renderer.render(f, p);
            render_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return img;
        };

        // Stills.
        for (const std::string& view : job.views) {
            if ((interrupted = cancelled(job))) break;
            const CameraPose pose = *viewPose(view, job.elevation_deg);
            const Framing framing = renderer.fitView(view, pose);
            const nlohmann::json base = {{"kind", "still"},
                                         {"view", view},
                                         {"azimuth_deg", pose.azimuth_deg},
                                         {"elevation_deg", pose.elevation_deg}};
            renderer.setAfter(true);
            Image8 after = timed(framing, pose);
            progress.step();
            if (several) design_sheets[view].push_back(after);
            if (job.before_after) {
                renderer.setAfter(false);
                Image8 before = timed(framing, pose);
                renderer.setAfter(true);
                progress.step();
                nlohmann::json info = base;
                info["state"] = "before";
                queuePng(dir / (view + "_before.png"), before, prov, info,
                         {{"stipple:view", view}, {"stipple:state", "before"}});
                info["kind"] = "before_after";
                info["state"] = "side_by_side";
                queuePng(dir / (view + "_before_after.png"),
                         sideBySide({before, after}, {"BEFORE", "AFTER"},
                                    std::max(4, after.width / 100)),
                         prov, info, {{"stipple:view", view}, {"stipple:state", "before|after"}});
                info["state"] = "split";
                queuePng(dir / (view + "_split.png"), splitCompare(before, after), prov, info,
                         {{"stipple:view", view}, {"stipple:state", "split"}});
            }
            nlohmann::json info = base;
            info["state"] = "after";
            queuePng(dir / (view + ".png"), std::move(after), prov, info,
                     {{"stipple:view", view}, {"stipple:state", "after"}});
        }

        // Turntable(s).
        if (job.turntable_frames > 0 && !interrupted) {
            renderer.setAfter(true);
            if (still_ss != 1) renderer.setSize(settings.width, settings.height, 1);
            std::unique_ptr<Mp4Writer> mp4;
            if (job.mp4)
                mp4 = std::make_unique<Mp4Writer>(dir / "turntable.mp4", settings.width,
                                                  settings.height, job.fps, job.overwrite);
            std::vector<Image8> gif_frames, sheet_frames;
            std::vector<std::string> sheet_labels;
            const int gif_w = std::min(settings.width, job.gif_max_width);
            const int gif_h =
                std::max(1, int(std::lround(double(settings.height) * gif_w / settings.width)));
            const int n = job.turntable_frames;
            const int sheet_step =
                std::max(1, (n + kContactSheetMaxFrames - 1) / kContactSheetMaxFrames);
            std::vector<std::pair<std::string, double>> passes = {
                {"turntable_", job.elevation_deg}};
            if (job.top_view_pass) passes.emplace_back("turntable_top_", kTopPassElevationDeg);
            for (const auto& [prefix, elevation] : passes) {
                const std::vector<CameraPose> poses = turntablePoses(n, elevation);
                const Framing framing = renderer.fit(poses);
                for (int f = 0; f < n; ++f) {
                    if ((interrupted = cancelled(job))) break;
                    Image8 frame = timed(framing, poses[size_t(f)]);
                    progress.step();
                    // Small copies are taken before the watermark, which is then drawn at the
                    // size people see it (the GIF's own size; the sheet has one for itself).
                    if (job.gif) {
                        gif_frames.push_back(resizeRgba(frame, gif_w, gif_h));
                        drawWatermark(gif_frames.back(), job.watermark);
                    }
                    if (job.contact_sheet && prefix == "turntable_" && f % sheet_step == 0) {
                        sheet_frames.push_back(resizeRgba(
                            frame, kContactCellWidth,
                            std::max(1, kContactCellWidth * settings.height / settings.width)));
                        std::ostringstream label;
                        label << int(std::lround(poses[size_t(f)].azimuth_deg)) << " deg";
                        sheet_labels.push_back(label.str());
                    }
                    drawWatermark(frame, job.watermark);
                    if (mp4)
                        mp4->add(job.settings.transparent ? flatten(frame, settings.background_srgb)
                                                          : frame);
                    const nlohmann::json info = {{"kind", "turntable_frame"},
                                                 {"pass", prefix == "turntable_" ? "level" : "top"},
                                                 {"frame", f},
                                                 {"azimuth_deg", poses[size_t(f)].azimuth_deg},
                                                 {"elevation_deg", elevation}};
                    // The watermark is already on the frame (the clips need it too).
                    TextChunks extra = {
                        {"stipple:frame", std::to_string(f)},
                        {"stipple:azimuth_deg", std::to_string(poses[size_t(f)].azimuth_deg)}};
                    if (!job.watermark.empty()) extra.emplace_back("Disclaimer", job.watermark);
                    nlohmann::json entry = info;
                    tagDesign(entry, prov, job.provenance);
                    const std::filesystem::path file = dir / frameName(prefix, f, n);
                    entry["path"] = relative(file);
                    entry["width"] = frame.width;
                    entry["height"] = frame.height;
                    png_info[file.string()] = std::move(entry);
                    pool.submit(file, std::move(frame),
                                provenanceChunks(prov, date, extra, job.provenance));
                }
                if (interrupted) break;
            }
            if (!interrupted) {
                if (mp4) {
                    mp4->finish();
                    recordFile(
                        dir / "turntable.mp4", prov,
                        {{"kind", "mp4"}, {"encoder", mp4->encoderName()}, {"fps", job.fps}});
                }
                if (job.gif) {
                    writeGif(dir / "turntable.gif", gif_frames, job.fps, job.overwrite);
                    recordFile(
                        dir / "turntable.gif", prov,
                        {{"kind", "gif"}, {"fps", job.fps}, {"width", gif_w}, {"height", gif_h}});
                }
                if (job.contact_sheet) {
                    const int columns = std::min(6, int(sheet_frames.size()));
                    std::string title =
                        prov.design_name + "  -  " + std::to_string(n) + " frames, elevation " +
                        std::to_string(int(std::lround(job.elevation_deg))) + " deg";
                    Image8 sheet = contactSheet(sheet_frames, sheet_labels, columns,
                                                kContactCellWidth, title, settings.background_srgb);
                    queuePng(dir / "contact_sheet.png", std::move(sheet), prov,
                             {{"kind", "contact_sheet"}}, {});
                }
            }
        }
    }

    // Several designs side by side, one sheet per still view.
    if (several && !interrupted) {
        std::vector<std::string> labels;
        for (const RenderSubject& s : subjects)
            labels.push_back(s.provenance.design_name);
        for (const auto& [view, images] : design_sheets) {
            Provenance combined;
            combined.design_name = joined(labels);
            for (const RenderSubject& s : subjects) {
                combined.design_sha256 +=
                    (combined.design_sha256.empty() ? "" : ",") + s.provenance.design_sha256;
                combined.mesh_sha256 +=
                    (combined.mesh_sha256.empty() ? "" : ",") + s.provenance.mesh_sha256;
            }
            combined.seed = subjects[0].provenance.seed;
            queuePng(job.out_dir / ("designs_" + view + ".png"),
                     sideBySide(images, labels, std::max(4, job.settings.width / 100)), combined,
                     {{"kind", "designs_side_by_side"}, {"view", view}}, {{"stipple:view", view}});
        }
    }

    pool.finish();
    for (const PngWriterPool::Written& w : pool.written()) {
        nlohmann::json info = png_info[w.file.string()];
        info["sha256"] = w.sha256;
        info["bytes"] = w.bytes;
        files.push_back(std::move(info));
    }
    std::sort(files.begin(), files.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a["path"].get<std::string>() < b["path"].get<std::string>();
    });

    nlohmann::json& designs = summary["designs"] = nlohmann::json::array();
    for (const RenderSubject& s : subjects) {
        nlohmann::json d = {{"design_sha256", s.provenance.design_sha256},
                            {"seed", s.provenance.seed},
                            {"mesh_sha256", s.provenance.mesh_sha256},
                            {"layers", s.layers != nullptr}};
        if (job.provenance == ProvenanceMode::Full) {
            d["name"] = s.provenance.design_name;
            d["design_file"] = s.provenance.design_file.string();
            d["mesh_file"] = s.provenance.mesh_file.string();
        }
        designs.push_back(std::move(d));
    }
    summary["provenance"] = job.provenance == ProvenanceMode::Full ? "full" : "private";
    const RenderSettings& s = job.settings;
    summary["settings"] = {{"width", s.width},
                           {"height", s.height},
                           {"msaa", s.msaa},
                           {"supersample", s.supersample},
                           {"lighting", s.lighting.name},
                           {"transparent", s.transparent},
                           {"fps", job.fps},
                           {"elevation_deg", job.elevation_deg},
                           {"turntable_frames", job.turntable_frames},
                           {"top_view_pass", job.top_view_pass},
                           {"watermark", job.watermark}};
    summary["renderer"] = gl_description;
    summary["warnings"] = warnings;
    summary["interrupted"] = interrupted;
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    summary["timing"] = {
        {"total_s", total}, {"render_s", render_seconds}, {"frames", progress.done()}};
    // The older run's leftovers go only once the new manifest no longer lists them.
    std::set<std::string> listed;
    for (const auto& f : files)
        listed.insert(f["path"].get<std::string>());
    listed.insert("manifest.json");
    if (!leftovers.files.empty()) {
        std::vector<std::string> removed = removeOutputLeftovers(leftovers, listed);
        summary["removed_from_older_run"] = removed;
    }
    writeFileAtomic(job.out_dir / "manifest.json", summary.dump(2) + "\n", job.overwrite);
    if (interrupted)
        throw RuntimeFailure("interrupted after " + std::to_string(progress.done()) + " of " +
                                 std::to_string(total_frames) +
                                 " frames; the frames already rendered were written completely "
                                 "and listed in manifest.json",
                             job.out_dir.string());
    return summary;
}

} // namespace stipple::render
