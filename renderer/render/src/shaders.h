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
void main() {
    // The scene has no transforms: object space is the head frame (mm), the camera orbits.
    v_pos = gl_Vertex.xyz;
    v_nrm = gl_Normal;
    v_uv0 = gl_MultiTexCoord0.xy;
    v_uv1 = gl_MultiTexCoord1.xy;
    gl_Position = gl_ModelViewProjectionMatrix * gl_Vertex;
}
)GLSL";

inline constexpr const char* kHeadFragment = R"GLSL(
#version 330 compatibility
in vec3 v_pos;
in vec3 v_nrm;
in vec2 v_uv0;
in vec2 v_uv1;
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

uniform sampler2DShadow u_shadow_map;
uniform mat4 u_shadow_matrix;       // head frame -> shadow map [0,1]^3
uniform int u_shadow_light;         // index of the shadowed light, -1: none
uniform float u_shadow_radius;      // PCF kernel radius in shadow-map texels
uniform float u_shadow_bias_mm;

uniform int u_light_count;
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

// 16-tap Poisson disk: soft shadow edges without banding.
const vec2 kPoisson[16] = vec2[](
    vec2(-0.94201624, -0.39906216), vec2(0.94558609, -0.76890725),
    vec2(-0.09418410, -0.92938870), vec2(0.34495938, 0.29387760),
    vec2(-0.91588581, 0.45771432), vec2(-0.81544232, -0.87912464),
    vec2(-0.38277543, 0.27676845), vec2(0.97484398, 0.75648379),
    vec2(0.44323325, -0.97511554), vec2(0.53742981, -0.47373420),
    vec2(-0.26496911, -0.41893023), vec2(0.79197514, 0.19090188),
    vec2(-0.24188840, 0.99706507), vec2(-0.81409955, 0.91437590),
    vec2(0.19984126, 0.78641367), vec2(0.14383161, -0.14100790));

float shadowFactor(vec3 pos, vec3 n) {
    vec4 s = u_shadow_matrix * vec4(pos + n * u_shadow_bias_mm, 1.0);
    vec3 p = s.xyz / s.w;
    if (p.x <= 0.0 || p.x >= 1.0 || p.y <= 0.0 || p.y >= 1.0 || p.z >= 1.0) return 1.0;
    vec2 texel = u_shadow_radius / vec2(textureSize(u_shadow_map, 0));
    float lit = 0.0;
    for (int i = 0; i < 16; ++i)
        lit += texture(u_shadow_map, vec3(p.xy + kPoisson[i] * texel, p.z));
    return lit / 16.0;
}

void main() {
    vec3 n = normalize(v_nrm);
    if (!gl_FrontFacing) n = -n;   // open meshes (scans) show their inside at the neck
    vec3 v = normalize(u_eye - v_pos);

    vec3 albedo = u_has_albedo_map == 1 ? texture(u_albedo_map, vec2(v_uv0.x, 1.0 - v_uv0.y)).rgb
                                        : u_skin;
    float roughness = u_skin_roughness;
    if (u_in_chart == 1) {
        // layers.h, in this order: scar (always), then before or pigment.
        vec4 scar = texture(u_scar, v_uv1);
        albedo = albedo * (1.0 - scar.a) + scar.rgb;
        float scar_rough = texture(u_scar_roughness, v_uv1).r;
        roughness = mix(roughness * 0.85, scar_rough, scar.a); // scalp: a little oilier
        if (u_after == 1) {
            vec4 ink = texture(u_pigment, v_uv1);
            albedo *= (1.0 - ink.a) + ink.rgb;
        } else {
            vec4 before = texture(u_before, v_uv1);
            albedo = albedo * (1.0 - before.a) + before.rgb;
        }
    }

    float alpha = max(roughness * roughness, 0.02);
    float a2 = alpha * alpha;
    float ndv = max(dot(n, v), 1e-3);
    // Skin scatters light past the terminator, more in red: per-channel wrap widths.
    const vec3 kWrap = vec3(0.42, 0.22, 0.16);
    vec3 colour = albedo * mix(u_ground, u_sky, 0.5 + 0.5 * n.y);
    for (int i = 0; i < 4; ++i) {
        if (i >= u_light_count) break;
        vec3 l = u_light_dir[i];
        float ndl = dot(n, l);
        vec3 wrap = clamp((vec3(ndl) + kWrap) / (1.0 + kWrap), 0.0, 1.0);
        wrap *= wrap; // squared wrap keeps the lit side's falloff close to Lambert
        float shadow = 1.0;
        if (i == u_shadow_light && ndl > -0.3)
            shadow = mix(1.0, shadowFactor(v_pos, n), smoothstep(-0.3, 0.1, ndl));
        vec3 diffuse = albedo * wrap;
        vec3 spec = vec3(0.0);
        if (ndl > 0.0 && u_specular > 0.0) {
            vec3 h = normalize(l + v);
            float ndh = max(dot(n, h), 0.0);
            float d = a2 / (kPi * pow(ndh * ndh * (a2 - 1.0) + 1.0, 2.0));
            float k = alpha * 0.5;
            float vis = 1.0 / ((ndl * (1.0 - k) + k) * (ndv * (1.0 - k) + k));
            float f = 0.028 + (1.0 - 0.028) * pow(1.0 - max(dot(h, v), 0.0), 5.0);
            spec = vec3(d * vis * f * 0.25 * ndl * u_specular);
        }
        colour += (diffuse + spec) * u_light_rgb[i] * shadow;
    }
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
