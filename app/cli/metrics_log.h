#pragma once
#include <string>
#include <utility>
#include <vector>

namespace distillery::cli {

// Rows of named values (one per expert epoch, one per evaluation), written as CSV or JSON
// depending on the file's extension. Numbers stay numbers in JSON.
class MetricsLog {
public:
    using Row = std::vector<std::pair<std::string, std::string>>;
    void add(Row row) { rows_.push_back(std::move(row)); }
    bool empty() const { return rows_.empty(); }
    // Writes atomically (temporary file, then rename); throws distillery::Error on failure.
    void write(const std::string& path) const;
    std::string csv() const;
    std::string json() const;

private:
    std::vector<Row> rows_;
};

std::string number(double v);

}  // namespace distillery::cli
