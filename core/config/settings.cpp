#include "config/settings.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/numbers.h"
#include "common/error.h"
#include "config/embedded_presets.h"

namespace distillery {
namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

}  // namespace

Settings Settings::parse(const std::string& text, const std::string& source) {
    Settings s;
    s.source_ = source;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        line = trim(line);
        if (line.empty()) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos || trim(line.substr(0, eq)).empty())
            throw Error(source + ":" + std::to_string(number) + ": expected 'key = value', found '" + line + "'");
        s.set(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
    }
    return s;
}

Settings Settings::load_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error("cannot open settings file '" + path + "'");
    std::ostringstream text;
    text << f.rdbuf();
    return parse(text.str(), path);
}

bool Settings::has(const std::string& key) const { return values_.count(key) > 0; }

std::string Settings::where(const std::string& key) const { return source_ + ": setting '" + key + "'"; }

std::string Settings::text(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) throw Error(where(key) + " is missing");
    return it->second;
}

std::string Settings::text(const std::string& key, const std::string& fallback) const {
    return has(key) ? text(key) : fallback;
}

std::int64_t Settings::integer(const std::string& key) const {
    const std::string v = text(key);
    const auto n = parse_int(v);
    if (!n) throw Error(where(key) + " must be an integer, not '" + v + "'");
    return *n;
}

std::int64_t Settings::integer(const std::string& key, std::int64_t fallback) const {
    return has(key) ? integer(key) : fallback;
}

double Settings::number(const std::string& key) const {
    const std::string v = text(key);
    const auto x = parse_double(v);
    if (!x) throw Error(where(key) + " must be a number, not '" + v + "'");
    return *x;
}

double Settings::number(const std::string& key, double fallback) const {
    return has(key) ? number(key) : fallback;
}

bool Settings::flag(const std::string& key) const {
    const std::string v = text(key);
    if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0") return false;
    throw Error(where(key) + " must be true or false, not '" + v + "'");
}

bool Settings::flag(const std::string& key, bool fallback) const { return has(key) ? flag(key) : fallback; }

void Settings::set(const std::string& key, const std::string& value) {
    if (!has(key)) order_.push_back(key);
    values_[key] = value;
}

void Settings::assign(const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || trim(assignment.substr(0, eq)).empty())
        throw Error("expected key=value, found '" + assignment + "'");
    set(trim(assignment.substr(0, eq)), trim(assignment.substr(eq + 1)));
}

void Settings::erase(const std::string& key) {
    values_.erase(key);
    order_.erase(std::remove(order_.begin(), order_.end(), key), order_.end());
}

void Settings::merge(const Settings& other) {
    for (const auto& key : other.order_) set(key, other.values_.at(key));
}

std::string Settings::to_text() const {
    std::ostringstream out;
    for (const auto& key : order_) out << key << " = " << values_.at(key) << "\n";
    return out.str();
}

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (const auto& p : embedded_presets()) names.push_back(p.name);
    return names;
}

std::string preset_text(const std::string& name) {
    for (const auto& p : embedded_presets())
        if (name == p.name) return p.text;
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown preset '" + name + "' (known: " + known + "; or give a file path)");
}

namespace {

Settings load_one(const std::string& name_or_path) {
    for (const auto& p : embedded_presets())
        if (name_or_path == p.name) return Settings::parse(p.text, "preset " + name_or_path);
    if (name_or_path.find('/') != std::string::npos || name_or_path.find('.') != std::string::npos)
        return Settings::load_file(name_or_path);
    return Settings::parse(preset_text(name_or_path), name_or_path);  // throws with the list of names
}

}  // namespace

Settings load_preset(const std::string& name_or_path) {
    // `include = NAME` starts from another preset; the including preset's keys override it.
    Settings own = load_one(name_or_path);
    for (int depth = 0; own.has("include"); ++depth) {
        if (depth == 8) throw Error(own.source() + ": presets include each other (more than 8 levels)");
        Settings merged = load_one(own.text("include"));
        own.erase("include");
        merged.merge(own);
        merged.source_ = own.source_;
        own = merged;
    }
    return own;
}

}  // namespace distillery
