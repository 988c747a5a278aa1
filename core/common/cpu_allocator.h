#pragma once
#include <cstdint>

namespace distillery {

// The process's CPU tensor allocator: LibTorch's own, wrapped to do two things.
//
// - It counts the bytes of live tensors and their running peak (MemoryProbe's CPU measurement).
// - It keeps freed large blocks (128 KiB and more) and hands them out again for a tensor of the
//   same page-rounded size. A training step frees and re-allocates the same shapes every time,
//   and memory fresh from the system costs a page fault per 4 KiB page on first touch: on our
//   2-core VM that is about 40 ms for one 13 MiB activation, against 0.2 ms to fill a reused
//   block, and it was most of the time of an elementwise operation (bench/ and
//   docs/benchmarks.md, 2026-11-30). Blocks of 2 MiB and more are also aligned and advised for
//   transparent huge pages, so what is first touched costs one fault per 2 MiB.
//
// Cached blocks count as free, not live. A block not handed out again between two calls of
// release_cached_cpu_blocks() is given back to the system by the second call, so the cache holds
// what a run keeps reusing and lets go of the rest (release_free_memory() calls it).
//
// Idempotent; blocks allocated before the first call keep their own deleter.
void install_cpu_allocator();

// Bytes of CPU tensor memory alive now (0 before install_cpu_allocator()).
std::int64_t cpu_tensor_bytes();

// The highest cpu_tensor_bytes() since the last reset_cpu_tensor_peak().
std::int64_t cpu_tensor_peak();
void reset_cpu_tensor_peak();

// Bytes held in freed blocks kept for reuse.
std::int64_t cpu_cached_bytes();

// Gives back the cached blocks nobody took since the previous call (all of them with `all`).
void release_cached_cpu_blocks(bool all = false);

}  // namespace distillery
