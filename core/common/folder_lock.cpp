#include "common/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "common/error.h"

namespace fs = std::filesystem;

namespace distillery {
namespace {

std::string system_error_text(int code) { return std::strerror(code); }

std::string now_text() {
    const std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    return text;
}

std::string host_name() {
    char name[256] = {};
    return gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("this machine");
}

std::string read_holder(int fd) {
    std::string text(512, '\0');
    const auto n = pread(fd, text.data(), text.size(), 0);
    text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    return text;
}

// A file created and removed again: the only sure test that new files (the temporary files that
// every output is written through) can be made here, whatever the permissions, mounts or quotas.
void check_files_can_be_created(const std::string& dir) {
    const auto probe = (fs::path(dir) / (".distillery-write-check-" + std::to_string(getpid()))).string();
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int code = errno;
        throw Error(dir + ": cannot write into this folder (" + system_error_text(code) +
                    "); choose another folder or make this one writable");
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace

FolderLock::FolderLock(const std::string& dir, const std::string& holder) : dir_(dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec))
        throw Error(dir + ": cannot create the folder" + (ec ? " (" + ec.message() + ")" : std::string()));
    check_files_can_be_created(dir);
    const auto path = (fs::path(dir) / kFolderLockName).string();
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        const int code = errno;
        throw Error(path + ": cannot open the folder's lock file (" + system_error_text(code) + ")");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int code = errno;
        const std::string other = code == EWOULDBLOCK ? read_holder(fd_) : "";
        ::close(fd_);
        fd_ = -1;
        if (code != EWOULDBLOCK) throw Error(path + ": cannot lock the folder (" + system_error_text(code) + ")");
        throw Error(dir + ": this folder is in use by another run (" + (other.empty() ? "a process still starting" : other) +
                    "); wait for it to finish, or choose another folder");
    }
    const std::string me = holder + ", process " + std::to_string(getpid()) + " on " + host_name() + ", since " + now_text();
    if (::ftruncate(fd_, 0) == 0) {
        const auto written = ::pwrite(fd_, me.data(), me.size(), 0);
        (void)written;  // the description is advice for a second run; the lock holds without it
    }
}

FolderLock::~FolderLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace distillery
