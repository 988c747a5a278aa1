#include "interop/pt_archive.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>

#include "common/error.h"

namespace fs = std::filesystem;

namespace distillery::pt {

// torch.save writes tensor data in the byte order of the machine (and says which in the
// "byteorder" record since PyTorch 2.1); the reader copies it as it is.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .pt reader assumes a little-endian machine");

const char* dtype_name(Dtype d) {
    switch (d) {
        case Dtype::Float32: return "float32";
        case Dtype::Float64: return "float64";
        case Dtype::Float16: return "float16";
        case Dtype::BFloat16: return "bfloat16";
        case Dtype::Int64: return "int64";
        case Dtype::Int32: return "int32";
        case Dtype::Int16: return "int16";
        case Dtype::Int8: return "int8";
        case Dtype::UInt8: return "uint8";
        case Dtype::Bool: return "bool";
    }
    return "?";
}

bool is_floating(Dtype d) {
    return d == Dtype::Float32 || d == Dtype::Float64 || d == Dtype::Float16 || d == Dtype::BFloat16;
}

const char* kind_name(Object::Kind k) {
    switch (k) {
        case Object::Kind::None: return "None";
        case Object::Kind::Bool: return "bool";
        case Object::Kind::Int: return "int";
        case Object::Kind::Float: return "float";
        case Object::Kind::String: return "str";
        case Object::Kind::Bytes: return "bytes";
        case Object::Kind::Tuple: return "tuple";
        case Object::Kind::List: return "list";
        case Object::Kind::Dict: return "dict";
        case Object::Kind::Global: return "class or function";
        case Object::Kind::Storage: return "storage";
        case Object::Kind::Tensor: return "tensor";
    }
    return "?";
}

std::string shape_text(const std::vector<std::int64_t>& sizes) {
    std::string s = "[";
    for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + "]";
}

namespace {

// Sizes and strides beyond these are not tensors anyone saved; they also keep the arithmetic
// below far from overflow (32 dims x 2^40 x 2^40 < 2^86 is checked step by step anyway).
constexpr std::int64_t kMaxDim = std::int64_t(1) << 40;
constexpr size_t kMaxDims = 32;
constexpr std::int64_t kMaxPickleBytes = std::int64_t(1) << 30;

std::uint16_t u16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t u32(const unsigned char* p) {
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}
std::uint64_t u64(const unsigned char* p) { return std::uint64_t(u32(p)) | (std::uint64_t(u32(p + 4)) << 32); }

// Random-access reads of one file, each checked against the file's size.
class FileBytes {
public:
    explicit FileBytes(const std::string& path) : path_(path), in_(path, std::ios::binary) {
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) throw Error(path + ": no such file");
        if (!in_) throw Error(path + ": cannot open");
        size_ = static_cast<std::int64_t>(fs::file_size(path, ec));
        if (ec) throw Error(path + ": cannot read its size (" + ec.message() + ")");
    }
    std::int64_t size() const { return size_; }
    std::vector<unsigned char> read(std::int64_t offset, std::int64_t n, const std::string& what) {
        if (offset < 0 || n < 0 || offset > size_ || n > size_ - offset)
            throw Error(path_ + ": truncated: " + what + " lies beyond the end of the file (" + std::to_string(size_) +
                        " bytes)");
        std::vector<unsigned char> b(static_cast<size_t>(n));
        in_.clear();
        in_.seekg(offset);
        in_.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(n));
        if (!in_) throw Error(path_ + ": cannot read " + what);
        return b;
    }

private:
    std::string path_;
    std::ifstream in_;
    std::int64_t size_ = 0;
};

bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
bool checked_add(std::int64_t a, std::int64_t b, std::int64_t& out) { return !__builtin_add_overflow(a, b, &out); }

std::int64_t element_size(Dtype d) {
    switch (d) {
        case Dtype::Float64: case Dtype::Int64: return 8;
        case Dtype::Float32: case Dtype::Int32: return 4;
        case Dtype::Float16: case Dtype::BFloat16: case Dtype::Int16: return 2;
        default: return 1;
    }
}

at::ScalarType scalar_type(Dtype d) {
    switch (d) {
        case Dtype::Float32: return at::kFloat;
        case Dtype::Float64: return at::kDouble;
        case Dtype::Float16: return at::kHalf;
        case Dtype::BFloat16: return at::kBFloat16;
        case Dtype::Int64: return at::kLong;
        case Dtype::Int32: return at::kInt;
        case Dtype::Int16: return at::kShort;
        case Dtype::Int8: return at::kChar;
        case Dtype::UInt8: case Dtype::Bool: return at::kByte;  // bools are read as bytes, see tensor()
    }
    return at::kByte;
}

bool storage_dtype(const std::string& global, Dtype& d) {
    static const std::map<std::string, Dtype> types = {
        {"torch.FloatStorage", Dtype::Float32}, {"torch.DoubleStorage", Dtype::Float64},
        {"torch.HalfStorage", Dtype::Float16},  {"torch.BFloat16Storage", Dtype::BFloat16},
        {"torch.LongStorage", Dtype::Int64},    {"torch.IntStorage", Dtype::Int32},
        {"torch.ShortStorage", Dtype::Int16},   {"torch.CharStorage", Dtype::Int8},
        {"torch.ByteStorage", Dtype::UInt8},    {"torch.BoolStorage", Dtype::Bool}};
    const auto it = types.find(global);
    if (it == types.end()) return false;
    d = it->second;
    return true;
}

// The zip directory: records by name (archive prefix removed).
std::map<std::string, PtFile::Record> read_zip_directory(FileBytes& file, const std::string& path) {
    const auto size = file.size();
    const auto head = file.read(0, std::min<std::int64_t>(size, 4), "the file's first bytes");
    // Python's legacy (pre-1.6, or _use_new_zipfile_serialization=False) format is a pickle
    // stream beginning with PROTO 2 and LONG1, the magic number 0x1950a86a20f9469cfc6c.
    if (head.size() >= 3 && head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8a)
        throw Error(path + ": saved in PyTorch's legacy format (_use_new_zipfile_serialization=False); load it in "
                           "Python and save it again with a plain torch.save");
    if (head.size() < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4)
        throw Error(path + ": not a torch.save file (not a zip archive)");

    // The end-of-central-directory record is in the last 22 + 65535 bytes.
    const std::int64_t tail_start = std::max<std::int64_t>(0, size - 22 - 65535);
    const auto tail = file.read(tail_start, size - tail_start, "the zip directory");
    std::int64_t end_at = -1;
    for (std::int64_t i = static_cast<std::int64_t>(tail.size()) - 22; i >= 0; --i) {
        if (u32(&tail[i]) == 0x06054b50 && i + 22 + u16(&tail[i + 20]) <= static_cast<std::int64_t>(tail.size())) {
            end_at = i;
            break;
        }
    }
    if (end_at < 0) throw Error(path + ": truncated or not a zip archive (no end of central directory)");
    const unsigned char* end = &tail[end_at];
    std::uint64_t entries = u16(end + 10), dir_size = u32(end + 12), dir_offset = u32(end + 16);
    if (entries == 0xFFFF || dir_size == 0xFFFFFFFF || dir_offset == 0xFFFFFFFF) {
        const std::int64_t locator_at = tail_start + end_at - 20;
        const auto locator = file.read(locator_at, 20, "the zip64 locator");
        if (u32(locator.data()) != 0x07064b50) throw Error(path + ": corrupt zip archive (bad zip64 locator)");
        const auto end64_at = u64(locator.data() + 8);
        if (end64_at > static_cast<std::uint64_t>(size)) throw Error(path + ": corrupt zip archive (bad zip64 offset)");
        const auto end64 = file.read(static_cast<std::int64_t>(end64_at), 56, "the zip64 directory end");
        if (u32(end64.data()) != 0x06064b50) throw Error(path + ": corrupt zip archive (bad zip64 directory end)");
        entries = u64(end64.data() + 32);
        dir_size = u64(end64.data() + 40);
        dir_offset = u64(end64.data() + 48);
    }
    if (dir_offset > static_cast<std::uint64_t>(size) || dir_size > static_cast<std::uint64_t>(size) - dir_offset)
        throw Error(path + ": truncated: the zip directory lies beyond the end of the file");
    if (entries > dir_size / 46) throw Error(path + ": corrupt zip directory (" + std::to_string(entries) + " entries)");
    const auto dir = file.read(static_cast<std::int64_t>(dir_offset), static_cast<std::int64_t>(dir_size), "the zip directory");

    std::map<std::string, PtFile::Record> records;
    std::string prefix;
    size_t pos = 0;
    for (std::uint64_t e = 0; e < entries; ++e) {
        if (pos + 46 > dir.size() || u32(&dir[pos]) != 0x02014b50)
            throw Error(path + ": corrupt zip directory (entry " + std::to_string(e) + ")");
        const unsigned char* c = &dir[pos];
        const std::uint16_t flags = u16(c + 8), method = u16(c + 10);
        const std::uint32_t crc = u32(c + 16);
        std::uint64_t packed = u32(c + 20), unpacked = u32(c + 24), local = u32(c + 42);
        const size_t name_len = u16(c + 28), extra_len = u16(c + 30), comment_len = u16(c + 32);
        if (pos + 46 + name_len + extra_len + comment_len > dir.size())
            throw Error(path + ": corrupt zip directory (entry " + std::to_string(e) + " overruns it)");
        const std::string name(reinterpret_cast<const char*>(c + 46), name_len);
        // zip64: the extra field holds the 64-bit values of the fields that read 0xFFFFFFFF.
        for (size_t x = 0; x + 4 <= extra_len;) {
            const unsigned char* block = c + 46 + name_len + x;
            const size_t id = u16(block), len = u16(block + 2);
            if (x + 4 + len > extra_len) break;
            if (id == 0x0001) {
                size_t at = 4;
                for (std::uint64_t* field : {&unpacked, &packed, &local}) {
                    if (*field != 0xFFFFFFFF) continue;
                    if (at + 8 > 4 + len) throw Error(path + ": corrupt zip64 field of '" + name + "'");
                    *field = u64(block + at);
                    at += 8;
                }
            }
            x += 4 + len;
        }
        pos += 46 + name_len + extra_len + comment_len;

        if (e == 0) prefix = name.substr(0, name.find('/') + 1);
        if (prefix.empty() || name.compare(0, prefix.size(), prefix) != 0) continue;  // not part of the archive
        if (flags & 1) throw Error(path + ": record '" + name + "' is encrypted");
        if (method != 0)
            throw Error(path + ": record '" + name + "' is compressed (method " + std::to_string(method) +
                        "); torch.save writes uncompressed records");
        if (packed != unpacked) throw Error(path + ": corrupt zip directory (sizes of '" + name + "' differ)");
        if (local > static_cast<std::uint64_t>(size)) throw Error(path + ": truncated: record '" + name + "' is missing");
        const auto header = file.read(static_cast<std::int64_t>(local), 30, "the header of record '" + name + "'");
        if (u32(header.data()) != 0x04034b50) throw Error(path + ": corrupt zip archive (record '" + name + "')");
        PtFile::Record r;
        r.offset = static_cast<std::int64_t>(local) + 30 + u16(&header[26]) + u16(&header[28]);
        if (unpacked > static_cast<std::uint64_t>(size) || r.offset > size - static_cast<std::int64_t>(unpacked))
            throw Error(path + ": truncated: record '" + name + "' lies beyond the end of the file");
        r.size = static_cast<std::int64_t>(unpacked);
        r.crc32 = crc;
        if (!records.emplace(name.substr(prefix.size()), r).second)
            throw Error(path + ": corrupt zip archive (record '" + name + "' appears twice)");
    }
    if (!records.count("data.pkl"))
        throw Error(path + ": not a torch.save file (the zip archive has no data.pkl" +
                    (records.count("constants.pkl") ? std::string("; it is a TorchScript module") : std::string()) + ")");
    return records;
}

}  // namespace

// Runs the pickle program in data.pkl on a stack of arena ids. Only the opcodes of protocols
// 2 to 5 that torch.save (Python or LibTorch's pickle_save) emits for tensors and plain
// containers are known; only the few global names those need can be referenced, and calling one
// builds the object here instead of running anything.
class Unpickler {
public:
    Unpickler(PtFile& file, const std::vector<unsigned char>& program) : f_(file), p_(program) {}

    ObjectId run() {
        none_ = add(Object{});
        while (true) {
            const auto op = byte();
            switch (op) {
                case 0x80: byte(); break;       // PROTO
                case 0x95: bytes(8); break;     // FRAME: a length hint
                case '.': {                     // STOP
                    if (stack_.empty()) bad("STOP with an empty stack");
                    return stack_.back();
                }
                case '(': marks_.push_back(stack_.size()); break;
                case ']': push(make(Object::Kind::List)); break;
                case ')': push(make(Object::Kind::Tuple)); break;
                case '}': push(make(Object::Kind::Dict)); break;
                case 'l': push_container(Object::Kind::List, pop_mark()); break;
                case 't': push_container(Object::Kind::Tuple, pop_mark()); break;
                case 'd': {
                    auto items = pop_mark();
                    if (items.size() % 2) bad("DICT with an odd number of items");
                    push_container(Object::Kind::Dict, std::move(items));
                    break;
                }
                case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
                    std::vector<ObjectId> items(op - 0x84);
                    for (size_t i = items.size(); i-- > 0;) items[i] = pop();
                    push_container(Object::Kind::Tuple, std::move(items));
                    break;
                }
                case 'a': {  // APPEND
                    const auto v = pop();
                    container(top(), Object::Kind::List, "APPEND").items.push_back(v);
                    break;
                }
                case 'e': {  // APPENDS
                    const auto items = pop_mark();
                    auto& list = container(top(), Object::Kind::List, "APPENDS").items;
                    list.insert(list.end(), items.begin(), items.end());
                    break;
                }
                case 's': {  // SETITEM
                    const auto v = pop(), k = pop();
                    auto& dict = container(top(), Object::Kind::Dict, "SETITEM").items;
                    dict.push_back(k);
                    dict.push_back(v);
                    break;
                }
                case 'u': {  // SETITEMS
                    const auto items = pop_mark();
                    if (items.size() % 2) bad("SETITEMS with an odd number of items");
                    auto& dict = container(top(), Object::Kind::Dict, "SETITEMS").items;
                    dict.insert(dict.end(), items.begin(), items.end());
                    break;
                }
                case 'N': push(none_); break;
                case 0x88: case 0x89: {  // NEWTRUE, NEWFALSE
                    Object o;
                    o.kind = Object::Kind::Bool;
                    o.boolean = op == 0x88;
                    push(add(std::move(o)));
                    break;
                }
                case 'J': push_int(static_cast<std::int32_t>(u32(bytes(4)))); break;  // BININT
                case 'K': push_int(byte()); break;                                    // BININT1
                case 'M': push_int(u16(bytes(2))); break;                             // BININT2
                case 0x8a: push_long(byte()); break;                                  // LONG1
                case 0x8b: push_long(u32(bytes(4))); break;                           // LONG4
                case 'G': {  // BINFLOAT: big-endian double
                    const unsigned char* b = bytes(8);
                    std::uint64_t bits = 0;
                    for (int i = 0; i < 8; ++i) bits = (bits << 8) | b[i];
                    Object o;
                    o.kind = Object::Kind::Float;
                    std::memcpy(&o.number, &bits, 8);
                    push(add(std::move(o)));
                    break;
                }
                case 'X': push_text(Object::Kind::String, u32(bytes(4))); break;    // BINUNICODE
                case 0x8c: push_text(Object::Kind::String, byte()); break;          // SHORT_BINUNICODE
                case 0x8d: push_text(Object::Kind::String, u64(bytes(8))); break;   // BINUNICODE8
                case 'T': push_text(Object::Kind::String, u32(bytes(4))); break;    // BINSTRING
                case 'U': push_text(Object::Kind::String, byte()); break;           // SHORT_BINSTRING
                case 'B': push_text(Object::Kind::Bytes, u32(bytes(4))); break;     // BINBYTES
                case 'C': push_text(Object::Kind::Bytes, byte()); break;            // SHORT_BINBYTES
                case 0x8e: push_text(Object::Kind::Bytes, u64(bytes(8))); break;    // BINBYTES8
                case 'c': {  // GLOBAL "module\nname\n"
                    const auto module = line();
                    push_global(module + "." + line());
                    break;
                }
                case 0x93: {  // STACK_GLOBAL
                    const auto name = pop(), module = pop();
                    push_global(string(module, "STACK_GLOBAL module") + "." + string(name, "STACK_GLOBAL name"));
                    break;
                }
                case 'Q': push(storage(pop())); break;  // BINPERSID
                case 'R': case 0x81: {                  // REDUCE, NEWOBJ
                    const auto args = pop(), callable = pop();
                    push(call(callable, args, 0));
                    break;
                }
                case 'b': pop(); break;  // BUILD: the state of a rebuilt tensor or dict says nothing we use
                case 'q': remember(byte()); break;            // BINPUT
                case 'r': remember(u32(bytes(4))); break;     // LONG_BINPUT
                case 0x94: remember(memo_.size()); break;     // MEMOIZE
                case 'h': recall(byte()); break;              // BINGET
                case 'j': recall(u32(bytes(4))); break;       // LONG_BINGET
                case '0': pop(); break;                       // POP
                case '1': pop_mark(); break;                  // POP_MARK
                case '2': push(top()); break;                 // DUP
                default: {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%02x", op);
                    bad(std::string("opcode ") + hex + " is not one torch.save writes");
                }
            }
        }
    }

private:
    PtFile& f_;
    const std::vector<unsigned char>& p_;
    size_t pos_ = 0;
    std::vector<ObjectId> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<std::uint64_t, ObjectId> memo_;
    ObjectId none_ = 0;

    [[noreturn]] void bad(const std::string& what) const {
        throw Error(f_.path_ + ": malformed torch.save data (data.pkl, byte " + std::to_string(pos_) + "): " + what);
    }

    std::uint8_t byte() { return *bytes(1); }
    const unsigned char* bytes(std::uint64_t n) {
        if (n > p_.size() - pos_) bad("the pickle ends in the middle of an instruction");
        const unsigned char* b = p_.data() + pos_;
        pos_ += static_cast<size_t>(n);
        return b;
    }
    std::string line() {
        const auto nl = std::find(p_.begin() + static_cast<std::ptrdiff_t>(pos_), p_.end(), '\n');
        if (nl == p_.end()) bad("unterminated GLOBAL name");
        std::string s(p_.begin() + static_cast<std::ptrdiff_t>(pos_), nl);
        pos_ = static_cast<size_t>(nl - p_.begin()) + 1;
        return s;
    }

    ObjectId add(Object o) {
        f_.objects_.push_back(std::move(o));
        return f_.objects_.size() - 1;
    }
    ObjectId make(Object::Kind k) {
        Object o;
        o.kind = k;
        return add(std::move(o));
    }
    Object& obj(ObjectId id) { return f_.objects_[id]; }
    void push(ObjectId id) { stack_.push_back(id); }
    // The stack above the innermost mark is all an instruction may take, as in Python's pickle.
    size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
    ObjectId pop() {
        if (stack_.size() <= floor()) bad("stack underflow");
        const auto id = stack_.back();
        stack_.pop_back();
        return id;
    }
    ObjectId top() {
        if (stack_.size() <= floor()) bad("stack underflow");
        return stack_.back();
    }
    std::vector<ObjectId> pop_mark() {
        if (marks_.empty()) bad("no MARK to pop to");
        const auto m = marks_.back();
        marks_.pop_back();
        std::vector<ObjectId> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
        stack_.resize(m);
        return items;
    }
    void push_container(Object::Kind k, std::vector<ObjectId> items) {
        Object o;
        o.kind = k;
        o.items = std::move(items);
        push(add(std::move(o)));
    }
    Object& container(ObjectId id, Object::Kind k, const char* op) {
        if (obj(id).kind != k)
            bad(std::string(op) + " on a " + kind_name(obj(id).kind) + ", not a " + kind_name(k));
        return obj(id);
    }
    void push_int(std::int64_t v) {
        Object o;
        o.kind = Object::Kind::Int;
        o.integer = v;
        push(add(std::move(o)));
    }
    void push_long(std::uint64_t n) {
        if (n > 8) bad("an integer wider than 64 bits");
        const unsigned char* b = bytes(n);
        std::uint64_t v = 0;
        for (std::uint64_t i = 0; i < n; ++i) v |= std::uint64_t(b[i]) << (8 * i);
        if (n > 0 && n < 8 && (b[n - 1] & 0x80)) v |= ~std::uint64_t(0) << (8 * n);  // two's complement sign
        push_int(static_cast<std::int64_t>(v));
    }
    void push_text(Object::Kind k, std::uint64_t n) {
        const unsigned char* b = bytes(n);
        Object o;
        o.kind = k;
        o.text.assign(reinterpret_cast<const char*>(b), static_cast<size_t>(n));
        push(add(std::move(o)));
    }
    const std::string& string(ObjectId id, const char* what) {
        if (obj(id).kind != Object::Kind::String) bad(std::string(what) + " is a " + kind_name(obj(id).kind));
        return obj(id).text;
    }
    void push_global(const std::string& name) {
        static const char* const known[] = {
            "torch._utils._rebuild_tensor_v2",     "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter",     "torch._utils._rebuild_parameter_with_state",
            "torch._tensor._rebuild_from_type_v2", "collections.OrderedDict",
            "torch.Tensor",                        "torch.nn.parameter.Parameter"};
        Dtype d;
        if (std::find(std::begin(known), std::end(known), name) == std::end(known) && !storage_dtype(name, d))
            throw Error(f_.path_ + ": holds a Python object of type '" + name +
                        "', which is not a tensor, number, string, list, tuple or dict; save plain tensors");
        Object o;
        o.kind = Object::Kind::Global;
        o.text = name;
        push(add(std::move(o)));
    }
    void remember(std::uint64_t index) { memo_[index] = top(); }
    void recall(std::uint64_t index) {
        const auto it = memo_.find(index);
        if (it == memo_.end()) bad("memo entry " + std::to_string(index) + " is used before it is set");
        push(it->second);
    }

    // BINPERSID: ('storage', torch.<Type>Storage, key, location, numel) names record data/<key>.
    ObjectId storage(ObjectId pid) {
        const Object& t = obj(pid);
        if (t.kind != Object::Kind::Tuple || t.items.size() != 5)
            bad("a persistent id that is not torch.save's storage tuple");
        const Object &tag = obj(t.items[0]), &type = obj(t.items[1]), &key = obj(t.items[2]), &numel = obj(t.items[4]);
        Object s;
        s.kind = Object::Kind::Storage;
        if (tag.kind != Object::Kind::String || tag.text != "storage") bad("a persistent id that is not a storage");
        if (type.kind != Object::Kind::Global || !storage_dtype(type.text, s.dtype))
            bad("a storage of unknown type");
        if (key.kind != Object::Kind::String) bad("a storage whose key is not a string");
        if (numel.kind != Object::Kind::Int || numel.integer < 0) bad("a storage with a bad element count");
        s.record = "data/" + key.text;
        s.storage_numel = numel.integer;
        const auto it = f_.records_.find(s.record);
        if (it == f_.records_.end())
            throw Error(f_.path_ + ": truncated or corrupt: tensor data record '" + s.record + "' is missing");
        std::int64_t bytes = 0;
        if (!checked_mul(s.storage_numel, element_size(s.dtype), bytes) || bytes > it->second.size)
            throw Error(f_.path_ + ": truncated or corrupt: record '" + s.record + "' holds " +
                        std::to_string(it->second.size) + " bytes, its storage needs " + std::to_string(s.storage_numel) +
                        " " + dtype_name(s.dtype) + " values");
        return add(std::move(s));
    }

    std::vector<std::int64_t> int_tuple(ObjectId id, const char* what) {
        const Object& t = obj(id);
        if (t.kind != Object::Kind::Tuple) bad(std::string("a tensor's ") + what + " is a " + kind_name(t.kind));
        if (t.items.size() > kMaxDims) bad(std::string("a tensor with ") + std::to_string(t.items.size()) + " dimensions");
        std::vector<std::int64_t> v;
        for (auto i : t.items) {
            const Object& x = obj(i);
            if (x.kind != Object::Kind::Int || x.integer < 0 || x.integer > kMaxDim)
                bad(std::string("a tensor's ") + what + " holds a bad value");
            v.push_back(x.integer);
        }
        return v;
    }

    ObjectId tensor(const std::vector<ObjectId>& args) {
        if (args.size() < 4) bad("a tensor rebuilt from too few arguments");
        const Object& storage = obj(args[0]);
        if (storage.kind != Object::Kind::Storage) bad("a tensor whose storage is a " + std::string(kind_name(storage.kind)));
        const Object& offset = obj(args[1]);
        if (offset.kind != Object::Kind::Int || offset.integer < 0) bad("a tensor with a bad storage offset");
        Object t;
        t.kind = Object::Kind::Tensor;
        t.storage = args[0];
        t.offset = offset.integer;
        t.sizes = int_tuple(args[2], "size");
        t.strides = int_tuple(args[3], "stride");
        if (t.strides.size() != t.sizes.size()) bad("a tensor whose size and stride differ in length");
        std::int64_t numel = 1, last = t.offset;
        for (size_t d = 0; d < t.sizes.size(); ++d) {
            std::int64_t step = 0;
            if (!checked_mul(numel, t.sizes[d], numel) || numel > kMaxDim) bad("a tensor with too many elements");
            if (t.sizes[d] > 0 && (!checked_mul(t.sizes[d] - 1, t.strides[d], step) || !checked_add(last, step, last)))
                bad("a tensor whose strides overflow");
        }
        if (numel > 0 && last >= storage.storage_numel)
            throw Error(f_.path_ + ": corrupt tensor: a " + shape_text(t.sizes) + " view at offset " +
                        std::to_string(t.offset) + " reaches element " + std::to_string(last) + " of a storage of " +
                        std::to_string(storage.storage_numel));
        // A view that repeats elements (stride 0, from expand()) would be copied out at its full
        // size: a file of a few bytes could ask for terabytes. Real buffers and sets never do it.
        if (numel > storage.storage_numel)
            throw Error(f_.path_ + ": a " + shape_text(t.sizes) + " tensor repeats the " +
                        std::to_string(storage.storage_numel) +
                        " elements of its storage (an expand()ed view); save tensor.contiguous() instead");
        return add(std::move(t));
    }

    // Builds what calling `callable` with `args` would build, for the few callables allowed.
    ObjectId call(ObjectId callable, ObjectId args_id, int depth) {
        if (obj(callable).kind != Object::Kind::Global) bad("calls a " + std::string(kind_name(obj(callable).kind)));
        if (obj(args_id).kind != Object::Kind::Tuple) bad("calls with arguments that are not a tuple");
        const std::string name = obj(callable).text;
        const std::vector<ObjectId> args = obj(args_id).items;
        if (name == "collections.OrderedDict") return make(Object::Kind::Dict);
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") return tensor(args);
        if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
            if (args.empty() || obj(args[0]).kind != Object::Kind::Tensor) bad("a parameter without a tensor");
            return args[0];
        }
        if (name == "torch._tensor._rebuild_from_type_v2" && depth == 0) {
            // (func, type, args, state): a tensor subclass; its data is func(*args).
            if (args.size() < 3) bad("_rebuild_from_type_v2 with too few arguments");
            return call(args[0], args[2], depth + 1);
        }
        bad("calls " + name);
    }
};

PtFile PtFile::open(const std::string& path) {
    FileBytes file(path);
    PtFile f;
    f.path_ = path;
    f.records_ = read_zip_directory(file, path);
    if (const auto it = f.records_.find("byteorder"); it != f.records_.end()) {
        const auto order = file.read(it->second.offset, std::min<std::int64_t>(it->second.size, 16), "byteorder");
        if (std::string(order.begin(), order.end()) != "little")
            throw Error(path + ": written on a big-endian machine; only little-endian files are read");
    }
    const auto& pkl = f.records_.at("data.pkl");
    if (pkl.size > kMaxPickleBytes) throw Error(path + ": data.pkl is implausibly large");
    f.verify("data.pkl");
    const auto program = file.read(pkl.offset, pkl.size, "data.pkl");
    Unpickler u(f, program);
    f.root_ = u.run();
    return f;
}

const PtFile::Record& PtFile::record(const std::string& name) const {
    const auto it = records_.find(name);
    if (it == records_.end()) throw Error(path_ + ": record '" + name + "' is missing");
    return it->second;
}

// A corrupt byte in tensor data would otherwise arrive silently as a wrong number. Fuzzing
// builds skip the check so that mutated inputs reach the parser instead of stopping here.
void PtFile::verify(const std::string& name) const {
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (verified_.count(name)) return;
    const Record& r = record(name);
    std::ifstream in(path_, std::ios::binary);
    in.seekg(r.offset);
    std::vector<char> buf(1 << 20);
    uLong crc = crc32(0L, Z_NULL, 0);
    for (std::int64_t left = r.size; left > 0;) {
        const auto n = static_cast<std::streamsize>(std::min<std::int64_t>(left, static_cast<std::int64_t>(buf.size())));
        in.read(buf.data(), n);
        if (!in) throw Error(path_ + ": cannot read record '" + name + "'");
        crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(n));
        left -= n;
    }
    if (static_cast<std::uint32_t>(crc) != r.crc32)
        throw Error(path_ + ": corrupt: record '" + name + "' fails its CRC check");
    verified_[name] = true;
#else
    (void)name;
#endif
}

at::Tensor PtFile::tensor(const Object& t) const {
    if (t.kind != Object::Kind::Tensor) throw Error(path_ + ": a " + std::string(kind_name(t.kind)) + " is not a tensor");
    const Object& s = objects_.at(t.storage);
    const auto type = scalar_type(s.dtype);
    std::int64_t numel = 1, last = t.offset;
    for (size_t d = 0; d < t.sizes.size(); ++d) {
        numel *= t.sizes[d];
        if (t.sizes[d] > 0) last += (t.sizes[d] - 1) * t.strides[d];  // bounded when the tensor was read
    }
    if (numel == 0) return torch::empty(t.sizes, torch::TensorOptions().dtype(s.dtype == Dtype::Bool ? at::kBool : type));
    verify(s.record);
    const Record& r = record(s.record);
    const auto es = element_size(s.dtype);
    const std::int64_t span = last - t.offset + 1;
    auto raw = torch::empty({span}, torch::TensorOptions().dtype(type));
    std::ifstream in(path_, std::ios::binary);
    in.seekg(r.offset + t.offset * es);
    in.read(static_cast<char*>(raw.data_ptr()), static_cast<std::streamsize>(span * es));
    if (!in) throw Error(path_ + ": cannot read tensor data from record '" + s.record + "'");
    auto out = raw.as_strided(t.sizes, t.strides, 0).contiguous();
    return s.dtype == Dtype::Bool ? out.ne(0) : out;
}

}  // namespace distillery::pt
