#include "common/metrics_log.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "common/numbers.h"
#include "common/atomic_file.h"

namespace distillery {
namespace {

bool is_number(const std::string& s) {
    if (s.empty()) return false;
    const auto v = parse_double(s);
    return v && std::isfinite(*v);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        out += c;
    }
    return out + "\"";
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
    std::ostringstream out;
    out << "[\n";
    for (size_t r = 0; r < rows_.size(); ++r) {
        out << "  {";
        const auto row = this->row(r);
        for (size_t i = 0; i < row.size(); ++i) {
            const auto& [k, v] = row[i];
            out << (i ? ", " : "") << json_string(k) << ": " << (is_number(v) ? v : json_string(v));
        }
        out << "}" << (r + 1 < rows_.size() ? "," : "") << "\n";
    }
    out << "]\n";
    return out.str();
}

void MetricsLog::write(const std::string& path) const {
    const bool as_json = std::filesystem::path(path).extension() == ".json";
    write_file_atomically(path, [&](std::ostream& out) { out << (as_json ? json() : csv()); });
}

}  // namespace distillery
