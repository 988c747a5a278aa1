#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace distillery {

// Rows of named values (one per expert epoch, one per evaluation), written as CSV or JSON
// depending on the file's extension. Numbers stay numbers in JSON.
class MetricsLog {
public:
    using Row = std::vector<std::pair<std::string, std::string>>;
    void add(const Row& row);
    bool empty() const { return rows_.empty(); }
    std::size_t size() const { return rows_.size(); }
    Row row(std::size_t i) const;
    // Writes atomically (temporary file, then rename); throws distillery::Error on failure.
    void write(const std::string& path) const;
    std::string csv() const;
    std::string json() const;

private:
    // A run keeps a row per step for its whole life, so rows are stored compactly: the key list
    // once per row shape, the values of a row in one string (separated by '\0'). Stored as
    // pairs of strings, a step row took about 1.5 KiB and the soak benchmark's resident memory
    // grew with it.
    struct StoredRow {
        std::size_t shape;
        std::string values;
    };
    std::vector<std::vector<std::string>> shapes_;
    std::vector<StoredRow> rows_;
};

// A value as a metrics file writes it: six significant digits, the same in every locale.
std::string number(double v);

}  // namespace distillery
