#pragma once
#include <vector>

namespace distillery {

struct EmbeddedPreset {
    const char* name;
    const char* text;
};

// Generated at build time from resources/presets/*.preset (see core/CMakeLists.txt).
const std::vector<EmbeddedPreset>& embedded_presets();

}  // namespace distillery
