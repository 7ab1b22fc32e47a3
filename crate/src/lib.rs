//! wasmgrad's compute kernels: pure functions over pointers into linear memory. No allocator, no
//! state between calls; TypeScript owns every buffer. `abi.rs` is the only exported surface.
#![no_std]
// `f32::math::sqrt` for the scalar build (Adam): `core` has no stable scalar sqrt yet.
// scripts/build-wasm.mjs sets RUSTC_BOOTSTRAP=1, which it needs for -Zbuild-std anyway.
#![cfg_attr(not(target_feature = "simd128"), feature(core_float_math))]

mod abi;
mod activation;
mod bias;
mod embedding;
mod loss;
mod math;
mod matmul;
mod optim;
mod peak;
mod reduce;
mod simd;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
