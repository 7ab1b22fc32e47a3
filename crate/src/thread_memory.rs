//! The threads build only: memory for the instances that share one linear memory. wasm-bindgen's
//! start function gives every instance after the first its own stack, and every instance its
//! thread-local block, through `__wbindgen_malloc`. Rust's default allocator would take that
//! memory with `memory.grow`, from under the arena that TypeScript keeps at the end of memory; this
//! allocator hands out pieces of a static region instead, so the module still never grows memory.
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Instances one memory can hold: the calling thread and up to 63 workers (`--threads` ≤ 64).
pub const MAX_THREADS: usize = 64;
/// Each worker's stack: the kernels keep little on it (a tile buffer, a few small arrays).
pub const THREAD_STACK_BYTES: usize = 64 * 1024;
/// Room for every stack and every thread-local block (a few hundred bytes each at most).
const REGION_BYTES: usize = MAX_THREADS * (THREAD_STACK_BYTES + 1024);

#[repr(C, align(16))]
struct Region(UnsafeCell<[u8; REGION_BYTES]>);

// Pieces are handed out once each, by an atomic bump below; nothing reads the region as a whole.
unsafe impl Sync for Region {}

static REGION: Region = Region(UnsafeCell::new([0; REGION_BYTES]));
static USED: AtomicUsize = AtomicUsize::new(0);

/// A bump allocator over REGION. Stacks and thread-local blocks live as long as the memory they
/// are in, so freeing is a no-op; when the region is used up, allocation fails (null), and the
/// instance that asked fails to start, which the worker pool reports.
struct StaticRegion;

unsafe impl GlobalAlloc for StaticRegion {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = REGION.0.get() as usize;
        let mut used = USED.load(Ordering::Relaxed);
        loop {
            let start = (base + used).next_multiple_of(layout.align()) - base;
            let end = start + layout.size();
            if end > REGION_BYTES {
                return core::ptr::null_mut();
            }
            match USED.compare_exchange_weak(used, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (base + start) as *mut u8,
                Err(now) => used = now,
            }
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOCATOR: StaticRegion = StaticRegion;
