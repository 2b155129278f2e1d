#pragma once

// GLSL for the head renderer (OpenGL 3.3 compatibility: OSG 3.6's GL2-style build feeds the
// fixed-function attributes gl_Vertex, gl_Normal, gl_MultiTexCoord0/1).
//
// Shading references: wrap lighting as in GPU Gems 1, ch. 16 (Green, "Real-Time Approximations
// to Subsurface Scattering"); GGX/Trowbridge-Reitz with the Smith-Schlick visibility (Karis,
// "Real Shading in Unreal Engine 4", 2013); ACES filmic fit (Narkowicz 2015).

namespace stipple::render::shaders {

inline constexpr const char* kHeadVertex = R"GLSL(
#version 330 compatibility
out vec3 v_pos;
out vec3 v_nrm;
out vec2 v_uv0;
out vec2 v_uv1;
out float v_ao;
void main() {
    // The scene has no transforms: object space is the head frame (mm), the camera orbits.
    v_pos = gl_Vertex.xyz;
    v_ao = gl_Color.r; // baked ambient occlusion (ambient_occlusion.h)
    v_nrm = gl_Normal;
    v_uv0 = gl_MultiTexCoord0.xy;
    v_uv1 = gl_MultiTexCoord1.xy;
    gl_Position = gl_ModelViewProjectionMatrix * gl_Vertex;
}
)GLSL";

// The fragment shader is written for llvmpipe's JIT: the light count and the shadowed light
// are compile-time constants (a shader per rig; dynamic loops with breaks cost llvmpipe masks
// and branches on every pixel), no pow() except in the final encode and in the re-colouring
// (taken only when u_recolour is set: a uniform branch), 16 PCF taps.
// The source is prefixed with "#define LIGHT_COUNT n", "#define SHADOW_LIGHT i" (-1: none)
// "#define ANISO_TAPS n" (1..4), "#define HAS_SCAR 0|1" (no scar layer: two lookups saved) and
// "#define INTERACTIVE 0|1" (Scene::setInteractive: no skin micro-detail, 4 PCF taps; for
// frames drawn while the camera moves, replaced by a full frame when it stops).
inline constexpr const char* kHeadFragmentBody = R"GLSL(
in vec3 v_pos;
in vec3 v_nrm;
in vec2 v_uv0;
in vec2 v_uv1;
in float v_ao;
out vec4 frag_colour;

uniform sampler2D u_albedo_map;     // sRGB texture: GL decodes to linear
uniform int u_has_albedo_map;
uniform vec3 u_skin;                // linear albedo without a map
uniform float u_skin_roughness;

// Layers, premultiplied at upload (rgb * a, a) so that mipmapping and filtering average
// exactly what the compositing equations of layers.h use.
uniform sampler2D u_pigment;
uniform sampler2D u_scar;
uniform sampler2D u_before;
uniform sampler2D u_scar_roughness;
uniform int u_in_chart;             // 1 on triangles that carry layers
uniform int u_after;                // 1: pigment shown; 0: the "before" layer
uniform float u_split_x;            // window x (pixels) left of which "before" shows; <0: none

// Re-colouring of the baked pigment (layers.h, LayerColour): rgb' = pow(rgb, exponent[zone]).
uniform int u_recolour;             // 1 with a zone map and a non-identity LayerColour
uniform sampler2D u_zone_map;       // 1 + ZoneId per texel (/255), nearest; 0: no zone (layers.h)
uniform vec3 u_exponent[7];

uniform sampler2DShadow u_shadow_map;
uniform mat4 u_shadow_matrix;       // head frame -> shadow map [0,1]^3
uniform float u_shadow_radius;      // PCF kernel radius in shadow-map texels
uniform float u_shadow_bias_mm;

uniform vec3 u_light_dir[4];        // toward the light, head frame, unit
uniform vec3 u_light_rgb[4];        // colour * intensity, linear
uniform vec3 u_sky;
uniform vec3 u_ground;
uniform vec3 u_eye;                 // camera position, head frame (mm)
uniform float u_exposure;
uniform float u_specular;

const float kPi = 3.14159265;

vec3 srgbEncode(vec3 c) {
    c = clamp(c, 0.0, 1.0);
    return mix(12.92 * c, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

vec3 acesFilmic(vec3 x) {
    return clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

#if SHADOW_LIGHT >= 0
// Two 8-tap Poisson disks with hardware 2x2 comparison filtering at each tap.
const vec2 kPoisson[8] = vec2[](
    vec2(-0.613392, 0.617481), vec2(0.170019, -0.040254), vec2(-0.299417, 0.791925),
    vec2(0.645680, 0.493210), vec2(-0.651784, 0.717887), vec2(0.421003, 0.027070),
    vec2(-0.817194, -0.271096), vec2(0.977050, -0.108615));
const vec2 kPoisson2[8] = vec2[](
    vec2(-0.705374, -0.668203), vec2(0.185864, -0.920811), vec2(0.098189, 0.348711),
    vec2(-0.421128, -0.219212), vec2(0.532514, -0.705695), vec2(-0.100356, -0.538946),
    vec2(0.281587, 0.869140), vec2(0.890322, 0.414766));

float shadowFactor(vec3 pos, vec3 n) {
    vec4 s = u_shadow_matrix * vec4(pos + n * u_shadow_bias_mm, 1.0);
    vec3 p = s.xyz / s.w;
    vec2 texel = u_shadow_radius / vec2(textureSize(u_shadow_map, 0));
    // Both 8-tap disks (16 taps), turned per pixel by interleaved gradient noise (Jimenez
    // 2014, "Next generation post processing in Call of Duty: Advanced Warfare"): a wide soft
    // kernel otherwise shows its taps as stepped bands in the penumbra; turned, the steps
    // become a fine grain that MSAA and the eye average out.
    float angle = 6.2831853 * fract(52.9829189 * fract(dot(gl_FragCoord.xy, vec2(0.06711056, 0.00583715))));
    mat2 turn = mat2(cos(angle), sin(angle), -sin(angle), cos(angle));
    float lit = 0.0;
#if INTERACTIVE
    // Every other tap of the first disk: a coarser penumbra, a quarter of the lookups.
    for (int i = 0; i < 8; i += 2)
        lit += texture(u_shadow_map, vec3(p.xy + turn * kPoisson[i] * texel, p.z));
    return lit * 0.25;
#else
    for (int i = 0; i < 8; ++i) {
        lit += texture(u_shadow_map, vec3(p.xy + turn * kPoisson[i] * texel, p.z));
        lit += texture(u_shadow_map, vec3(p.xy + turn * kPoisson2[i] * texel, p.z));
    }
    return lit * 0.0625;
#endif
}
#endif

// Anisotropic filtering done here rather than by the sampler: llvmpipe's built-in anisotropic
// path costs ~5x a trilinear lookup per pixel (measured: 1.8 s vs 0.35 s per 1080p frame),
// while ANISO_TAPS trilinear taps spread along the footprint's major axis, at the level of
// detail of the footprint divided by the taps, give the same "no sparkle, no over-blur" at
// grazing angles for dots (Mavridis & Papaioannou 2011, "High quality elliptical texture
// filtering on GPU", simplified to a box along the major axis).
vec4 sampleAniso(sampler2D tex, vec2 uv) {
    vec2 size = vec2(textureSize(tex, 0));
    vec2 dx = dFdx(uv) * size;
    vec2 dy = dFdy(uv) * size;
    float lx = dot(dx, dx), ly = dot(dy, dy);
    vec2 major = lx > ly ? dFdx(uv) : dFdy(uv);
    float major_len = sqrt(max(lx, ly));
    float minor_len = sqrt(min(lx, ly));
    float lod = log2(max(max(major_len / float(ANISO_TAPS), minor_len), 1e-6));
    vec4 sum = vec4(0.0);
    for (int i = 0; i < ANISO_TAPS; ++i) {
        float t = (float(i) + 0.5) / float(ANISO_TAPS) - 0.5;
        sum += textureLod(tex, uv + major * t, lod);
    }
    return sum / float(ANISO_TAPS);
}

// The pigment is premultiplied, so its filter colour is rgb / a; coverage stays. A filtered
// texel mixing dots of two zones gets the zone of its nearest texel (exact for one zone).
vec4 recolour(vec4 ink, vec2 chart) {
    int zone = int(textureLod(u_zone_map, chart, 0.0).r * 255.0 + 0.5) - 1;
    if (zone < 0 || zone >= 7 || ink.a <= 0.0) return ink;
    vec3 filter_rgb = clamp(ink.rgb / ink.a, 1e-4, 1.0);
    return vec4(pow(filter_rgb, u_exponent[zone]) * ink.a, ink.a);
}

// Skin micro-detail: value noise on the head frame (mm), so it sticks to the surface and is
// the same in every view. Pores ~0.3 mm and fine relief perturb the normal by bump mapping
// from screen-space derivatives (Mikkelsen 2010, "Bump mapping unparametrized surfaces on the
// GPU"); blotches of 3..10 mm vary the albedo by a few percent. Both fade out where a pixel
// covers more than the feature (no sparkle at whole-head size).
float hash13(vec3 p) {
    p = fract(p * 0.1031);
    p += dot(p, p.zyx + 31.32);
    return fract((p.x + p.y) * p.z);
}

float valueNoise(vec3 p) {
    vec3 i = floor(p);
    vec3 f = fract(p);
    f = f * f * (3.0 - 2.0 * f);
    float a = mix(hash13(i), hash13(i + vec3(1, 0, 0)), f.x);
    float b = mix(hash13(i + vec3(0, 1, 0)), hash13(i + vec3(1, 1, 0)), f.x);
    float c = mix(hash13(i + vec3(0, 0, 1)), hash13(i + vec3(1, 0, 1)), f.x);
    float d = mix(hash13(i + vec3(0, 1, 1)), hash13(i + vec3(1, 1, 1)), f.x);
    return mix(mix(a, b, f.y), mix(c, d, f.y), f.z);
}

// Returns the perturbed normal; `albedo_scale` gets the albedo variation.
vec3 skinDetail(vec3 n, out float albedo_scale) {
    vec3 dpdx = dFdx(v_pos), dpdy = dFdy(v_pos);
    float footprint_mm = max(length(dpdx), length(dpdy));
    float fine = clamp(1.6 - footprint_mm / 0.15, 0.0, 1.0);  // pores: visible below 0.24 mm/px
    float medium = clamp(2.0 - footprint_mm / 0.6, 0.0, 1.0); // relief: below 1.2 mm/px
    float pores = smoothstep(0.62, 0.85, valueNoise(v_pos * 3.2));
    float relief = valueNoise(v_pos * 1.1);
    float blotch = valueNoise(v_pos * 0.11) + 0.5 * valueNoise(v_pos * 0.33);
    albedo_scale = 1.0 + 0.05 * (blotch - 0.75) - 0.07 * pores * fine;
    float h = 0.022 * relief * medium - 0.02 * pores * fine; // height, mm
    float hx = dFdx(h), hy = dFdy(h);
    vec3 r1 = cross(dpdy, n), r2 = cross(n, dpdx);
    float det = dot(dpdx, r1);
    if (abs(det) < 1e-12) return n;
    vec3 grad = sign(det) * (hx * r1 + hy * r2);
    return normalize(abs(det) * n - grad);
}

vec3 shadeLight(int i, vec3 n, vec3 v, float ndv, vec3 albedo, float a2, float k, float shadow) {
    vec3 l = u_light_dir[i];
    float ndl = dot(n, l);
    // Skin scatters light past the terminator, more in red: per-channel wrap widths.
    const vec3 kWrap = vec3(0.42, 0.22, 0.16);
    vec3 wrap = clamp((vec3(ndl) + kWrap) / (1.0 + kWrap), 0.0, 1.0);
    wrap *= wrap; // squared wrap keeps the lit side's falloff close to Lambert
    vec3 h = normalize(l + v);
    float ndh = max(dot(n, h), 0.0);
    float q = ndh * ndh * (a2 - 1.0) + 1.0;
    float d = a2 / (kPi * q * q);
    float nl = max(ndl, 0.0);
    float vis = 1.0 / ((nl * (1.0 - k) + k) * (ndv * (1.0 - k) + k));
    float fc = 1.0 - max(dot(h, v), 0.0);
    float fc2 = fc * fc;
    float f = 0.028 + 0.972 * fc2 * fc2 * fc;
    float spec = d * vis * f * 0.25 * nl * u_specular;
    return (albedo * wrap + vec3(spec)) * u_light_rgb[i] * shadow;
}

void main() {
    vec3 n = normalize(v_nrm);
    if (!gl_FrontFacing) n = -n;   // open meshes (scans) show their inside at the neck
    vec3 v = normalize(u_eye - v_pos);
    float albedo_scale = 1.0;
#if !INTERACTIVE
    n = skinDetail(n, albedo_scale);
#endif

    vec3 albedo = u_has_albedo_map == 1 ? texture(u_albedo_map, vec2(v_uv0.x, 1.0 - v_uv0.y)).rgb
                                        : u_skin;
    float roughness = u_skin_roughness;
    if (u_in_chart == 1) {
        // Layer images have row 0 at the chart's v = 1 edge (layers.h) and are uploaded row 0
        // first, so the chart's v is flipped here.
        vec2 chart = vec2(v_uv1.x, 1.0 - v_uv1.y);
        // layers.h, in this order: scar (always), then before or pigment.
        roughness *= 0.85; // scalp: a little oilier than the face
#if HAS_SCAR
        vec4 scar = texture(u_scar, chart);
        albedo = albedo * (1.0 - scar.a) + scar.rgb;
        float scar_rough = texture(u_scar_roughness, chart).r;
        roughness = mix(roughness, scar_rough, scar.a);
#endif
        if (u_after == 1 && gl_FragCoord.x >= u_split_x) {
            vec4 ink = sampleAniso(u_pigment, chart);
            if (u_recolour == 1) ink = recolour(ink, chart);
            albedo *= (1.0 - ink.a) + ink.rgb;
        } else {
            vec4 before = texture(u_before, chart);
            albedo = albedo * (1.0 - before.a) + before.rgb;
        }
    }
    albedo *= albedo_scale;

    float alpha = max(roughness * roughness, 0.02);
    float a2 = alpha * alpha;
    float k = alpha * 0.5;
    float ndv = max(dot(n, v), 1e-3);
    // Ambient light is occluded by the baked AO; direct light takes a share of it too (the
    // key and fill are broad sources a crease also hides from), which keeps the under-chin and
    // behind-ear creases soft where the shadow map's bias leaves them lit.
    float ao = clamp(v_ao, 0.0, 1.0);
    vec3 colour = albedo * mix(u_ground, u_sky, 0.5 + 0.5 * n.y) * ao;
    float direct_occlusion = mix(1.0, ao, 0.5);
#if SHADOW_LIGHT >= 0
    float ndl_s = dot(n, u_light_dir[SHADOW_LIGHT]);
    float shadow = ndl_s > -0.3 ? mix(1.0, shadowFactor(v_pos, n), smoothstep(-0.3, 0.1, ndl_s)) : 1.0;
#endif
#if LIGHT_COUNT > 0
    colour += shadeLight(0, n, v, ndv, albedo, a2, k,
                         (SHADOW_LIGHT == 0 ? shadow : 1.0) * direct_occlusion);
#endif
#if LIGHT_COUNT > 1
    colour += shadeLight(1, n, v, ndv, albedo, a2, k,
                         (SHADOW_LIGHT == 1 ? shadow : 1.0) * direct_occlusion);
#endif
#if LIGHT_COUNT > 2
    colour += shadeLight(2, n, v, ndv, albedo, a2, k,
                         (SHADOW_LIGHT == 2 ? shadow : 1.0) * direct_occlusion);
#endif
#if LIGHT_COUNT > 3
    colour += shadeLight(3, n, v, ndv, albedo, a2, k,
                         (SHADOW_LIGHT == 3 ? shadow : 1.0) * direct_occlusion);
#endif
    frag_colour = vec4(srgbEncode(acesFilmic(colour * u_exposure)), 1.0);
}
)GLSL";

inline constexpr const char* kDepthVertex = R"GLSL(
#version 330 compatibility
void main() { gl_Position = gl_ModelViewProjectionMatrix * gl_Vertex; }
)GLSL";

inline constexpr const char* kDepthFragment = R"GLSL(
#version 330 compatibility
void main() {}
)GLSL";

} // namespace stipple::render::shaders
