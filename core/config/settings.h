#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace distillery {

// An ordered set of `key = value` settings, read from a preset file or typed by a user.
// Lines are `key = value`; `#` starts a comment; blank lines are ignored. Getters check types and
// throw an Error naming the source and the key, so a typo never silently becomes a default.
class Settings {
public:
    Settings() = default;
    static Settings parse(const std::string& text, const std::string& source);
    static Settings load_file(const std::string& path);

    bool has(const std::string& key) const;
    std::string text(const std::string& key) const;  // throws when missing
    std::string text(const std::string& key, const std::string& fallback) const;
    std::int64_t integer(const std::string& key) const;
    std::int64_t integer(const std::string& key, std::int64_t fallback) const;
    double number(const std::string& key) const;
    double number(const std::string& key, double fallback) const;
    bool flag(const std::string& key) const;
    bool flag(const std::string& key, bool fallback) const;

    void set(const std::string& key, const std::string& value);
    // Applies `key=value` (from a command line); throws on a malformed assignment.
    void assign(const std::string& assignment);
    void erase(const std::string& key);
    // Values of `other` replace ours; keys only in `other` are added.
    void merge(const Settings& other);

    const std::vector<std::string>& keys() const { return order_; }
    const std::string& source() const { return source_; }
    std::string to_text() const;

private:
    friend Settings load_preset(const std::string& name_or_path);
    std::string where(const std::string& key) const;
    std::string source_ = "settings";
    std::map<std::string, std::string> values_;
    std::vector<std::string> order_;
};

// Presets are files in resources/presets/, compiled into the binary so that they are found from
// anywhere. A name that is not an embedded preset is read as a file path. A preset may start from
// another with `include = NAME`; its own keys override the included ones.
std::vector<std::string> preset_names();
std::string preset_text(const std::string& name);  // throws for an unknown name
Settings load_preset(const std::string& name_or_path);

}  // namespace distillery
