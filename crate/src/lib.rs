//! wasmgrad's compute kernels: pure functions over pointers into linear memory. No allocation, no
//! state between calls; TypeScript owns every buffer (the threads build's start-up stacks aside,
//! see thread_memory.rs). `abi.rs` is the only exported surface.
//!
//! The crate builds for wasm32 (simd128 or scalar, by wasm-pack) and for the host, where
//! `cargo test` checks the kernels against naive loops (`simd::scalar` is the host's `V`).

mod abi;
mod activation;
mod attention;
mod bias;
mod dropout;
mod embedding;
mod fill;
mod layernorm;
mod loss;
mod math;
mod matmul;
mod optim;
mod peak;
mod reduce;
mod share;
mod simd;
#[cfg(target_feature = "atomics")]
mod thread_memory;

#[cfg(test)]
mod tests;
