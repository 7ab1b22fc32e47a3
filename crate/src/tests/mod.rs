//! Native tests (`cargo test` on the host): each kernel against a naive float64 loop. On the host
//! `V` is `simd::scalar`, whose arithmetic is the simd128 build's operation for operation, so these
//! check the algorithms (packing, tiles, tails, range reductions) in seconds without a wasm engine;
//! test/kernels/ checks the wasm builds themselves.
mod attention;
mod elementwise;
mod layernorm;
mod math;
mod matmul;
mod share;

/// xorshift64*: deterministic test data without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * u
    }
    pub fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A buffer of `n` floats with a band of NaN sentinels on both sides, so a kernel that writes
/// outside its output (a ragged tile, a partial store) is caught.
pub struct Guarded {
    data: Vec<f32>,
    n: usize,
}

const GUARD: usize = 16;

impl Guarded {
    pub fn new(values: &[f32]) -> Guarded {
        let mut data = vec![f32::NAN; values.len() + 2 * GUARD];
        data[GUARD..GUARD + values.len()].copy_from_slice(values);
        Guarded { data, n: values.len() }
    }
    pub fn ptr(&mut self) -> *mut f32 {
        self.data[GUARD..].as_mut_ptr()
    }
    /// The values, after checking that every sentinel is still there.
    pub fn values(&self) -> &[f32] {
        let outside = self.data[..GUARD].iter().chain(&self.data[GUARD + self.n..]);
        assert!(outside.into_iter().all(|x| x.is_nan()), "a kernel wrote outside its output");
        &self.data[GUARD..GUARD + self.n]
    }
}

/// Fails with the first few mismatches, llm.c style, where |got - want| > tol(i).
pub fn assert_close(what: &str, got: &[f32], want: &[f64], tol: impl Fn(usize) -> f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let bad: Vec<String> = (0..got.len())
        .filter(|&i| {
            let err = (got[i] as f64 - want[i]).abs();
            err.is_nan() || err > tol(i) // NaN is a failure too
        })
        .take(5)
        .map(|i| format!("[{i}] got {} want {} (tol {:e})", got[i], want[i], tol(i)))
        .collect();
    assert!(bad.is_empty(), "{what}: {}", bad.join("; "));
}

/// Unit roundoff of f32.
pub const U: f64 = 1.0 / (1u64 << 24) as f64;
