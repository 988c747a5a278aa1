#pragma once
#include <stdexcept>
#include <string>

namespace distillery {

// Every failure the engine reports to a user: a corrupt file, a bad setting, a wrong shape.
// The message says what was wrong and where, so the GUI and the CLI can show it as it is.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace distillery
