#pragma once
// Reading files written by Python's torch.save (the zip format, PyTorch >= 1.6) without running
// Python's pickle: a zip directory reader and an unpickler that knows only what torch.save writes
// for tensors, numbers, strings, lists, tuples and dicts. Anything else (numpy arrays, modules,
// arbitrary classes) is refused by name. Nothing is executed, and every size and index is checked
// against the file, so a malformed or hostile file gives a distillery::Error, not a crash.
//
// Internal to core/interop; pytorch_files.h is the public interface.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace distillery::pt {

// Element types of the storages torch.save writes ("torch.FloatStorage", ...).
enum class Dtype { Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };
const char* dtype_name(Dtype d);  // "float32", ...
bool is_floating(Dtype d);

using ObjectId = std::size_t;

// One unpickled object. Objects live in PtFile's arena and refer to each other by id, so shared
// and even self-referencing containers (which a crafted pickle can build) cost nothing to free.
struct Object {
    enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double number = 0;
    std::string text;            // String, Bytes; Global: "module.name"
    std::vector<ObjectId> items; // Tuple, List; Dict: key, value, key, value, ...
    // Storage: its element type, record name inside the zip, and element count.
    Dtype dtype = Dtype::Float32;
    std::string record;
    std::int64_t storage_numel = 0;
    // Tensor: a view of a storage.
    ObjectId storage = 0;
    std::int64_t offset = 0;
    std::vector<std::int64_t> sizes, strides;
};
const char* kind_name(Object::Kind k);  // "list", "tensor", ... as Python would call them

// A torch.save file, parsed and checked; tensor data stays on disk until tensor() reads it.
class PtFile {
public:
    // Throws an Error naming `path` if it is not a readable torch.save zip file (including the
    // legacy non-zip format, which is recognised and explained).
    static PtFile open(const std::string& path);

    const std::string& path() const { return path_; }
    const Object& root() const { return objects_.at(root_); }
    const Object& object(ObjectId id) const { return objects_.at(id); }

    // Reads a Tensor object's elements from the file: a contiguous CPU tensor of its own dtype.
    at::Tensor tensor(const Object& t) const;
    // A Tensor object's dtype.
    Dtype dtype_of(const Object& t) const { return objects_.at(t.storage).dtype; }

    struct Record {
        std::int64_t offset = 0;  // of the data in the file
        std::int64_t size = 0;
        std::uint32_t crc32 = 0;  // as the zip directory gives it
    };

private:
    std::string path_;
    std::map<std::string, Record> records_;  // by name without the archive prefix ("data.pkl", "data/0")
    std::vector<Object> objects_;
    ObjectId root_ = 0;
    mutable std::map<std::string, bool> verified_;  // records whose CRC has been checked

    const Record& record(const std::string& name) const;
    void verify(const std::string& name) const;

    friend class Unpickler;
};

// "[2, 3, 4]"
std::string shape_text(const std::vector<std::int64_t>& sizes);

}  // namespace distillery::pt
