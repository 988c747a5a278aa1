#include "common/metrics_log.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/numbers.h"
#include "common/atomic_file.h"

namespace distillery {
namespace {

// A value as JSON: integers and finite numbers as numbers, non-finite numbers (a diverged
// loss) as null, since JSON has no NaN or infinity, and anything else as a string.
nlohmann::ordered_json json_value(const std::string& v) {
    if (const auto i = parse_int(v)) return *i;
    if (const auto x = parse_double(v)) return std::isfinite(*x) ? nlohmann::ordered_json(*x) : nlohmann::ordered_json();
    if (v == "nan" || v == "-nan" || v == "inf" || v == "-inf") return nullptr;
    return v;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

std::string number(double v) {
    return format_double(v, 6);
}

void MetricsLog::add(const Row& row) {
    std::vector<std::string> keys;
    keys.reserve(row.size());
    std::string values;
    for (const auto& [k, v] : row) {
        keys.push_back(k);
        values += v;
        values += '\0';
    }
    std::size_t shape = 0;
    while (shape < shapes_.size() && shapes_[shape] != keys) ++shape;
    if (shape == shapes_.size()) shapes_.push_back(std::move(keys));
    values.shrink_to_fit();
    rows_.push_back({shape, std::move(values)});
}

MetricsLog::Row MetricsLog::row(std::size_t i) const {
    const auto& stored = rows_.at(i);
    const auto& keys = shapes_[stored.shape];
    Row row;
    row.reserve(keys.size());
    std::size_t from = 0;
    for (const auto& key : keys) {
        const auto end = stored.values.find('\0', from);
        row.emplace_back(key, stored.values.substr(from, end - from));
        from = end + 1;
    }
    return row;
}

std::string MetricsLog::csv() const {
    std::vector<std::string> columns;
    for (const auto& keys : shapes_)
        for (const auto& k : keys) {
            bool seen = false;
            for (const auto& c : columns) seen = seen || c == k;
            if (!seen) columns.push_back(k);
        }
    std::ostringstream out;
    for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << csv_field(columns[i]);
    out << "\n";
    for (size_t r = 0; r < rows_.size(); ++r) {
        const auto row = this->row(r);
        for (size_t i = 0; i < columns.size(); ++i) {
            std::string value;
            for (const auto& [k, v] : row)
                if (k == columns[i]) value = v;
            out << (i ? "," : "") << csv_field(value);
        }
        out << "\n";
    }
    return out.str();
}

std::string MetricsLog::json() const {
    auto rows = nlohmann::ordered_json::array();
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (const auto& [k, v] : row(r)) object[k] = json_value(v);
        rows.push_back(std::move(object));
    }
    // Text that is not UTF-8 (a path in another encoding) is written with replacement characters
    // rather than failing the whole file.
    return rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void MetricsLog::write(const std::string& path) const {
    const bool as_json = std::filesystem::path(path).extension() == ".json";
    write_file_atomically(path, [&](std::ostream& out) { out << (as_json ? json() : csv()); });
}

}  // namespace distillery
