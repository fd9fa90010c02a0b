//! The micro-kernel: one `MR x NR` tile of `C`, held in registers for the whole sum over `k`.
//!
//! ```text
//! for k:                      acc[r][j] += A[r][k] · B[k][j]    for all r < MR, j < NR
//! ```
//!
//! `acc` is a fixed-size array, so the compiler keeps it in vector registers and turns the
//! `j` loop into `NR / lanes` vector fused multiply-adds, each reusing one broadcast value of
//! `A`. Per step of `k` the kernel loads `NR` values of `B` and `MR` of `A` and does `MR x NR`
//! multiply-adds: the larger the tile, the more arithmetic per byte loaded, up to the number
//! of registers (32 for AVX-512, 16 for AVX2 and SSE). See `docs/appendix-a-making-it-fast.md`.

use super::Strided;

/// How one multiply-add is rounded. Every element of `C` is computed with the same sequence
/// of these, in the same order of `k`, whichever tile, path or thread computes it: that is
/// what makes results independent of the thread count.
pub(crate) trait MulAdd {
    fn mul_add(a: f32, b: f32, acc: f32) -> f32;
}

/// `a·b + acc` rounded once: one FMA instruction where the CPU has FMA (the kernels that use
/// it are compiled with FMA enabled).
pub(crate) struct Fused;

impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, acc: f32) -> f32 {
        a.mul_add(b, acc)
    }
}

/// `a·b` rounded, then `+ acc` rounded: what every CPU can do. Rust never fuses the two
/// behind our back, so this is exact IEEE arithmetic everywhere.
pub(crate) struct Separate;

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, acc: f32) -> f32 {
        a * b + acc
    }
}

/// Continues the sums of the `MR x NR` tile `acc` over `k` more steps:
/// `acc[r][j] += Σ_k A[r][k]·B[k][j]` for the first `MR` rows of `a` and the first `NR`
/// columns of `b`, whose rows are `ldb` apart. Starting from zeros gives the product; starting
/// from an earlier partial sum continues the same chain of multiply-adds, bit for bit.
#[inline(always)]
pub(crate) fn tile<const MR: usize, const NR: usize, M: MulAdd>(
    mut acc: [[f32; NR]; MR],
    k: usize,
    a: Strided,
    b: &[f32],
    ldb: usize,
) -> [[f32; NR]; MR] {
    let Strided {
        data: a,
        row_stride: a_row_stride,
        col_stride: a_col_stride,
    } = a;
    if k == 0 {
        return acc;
    }
    // The largest index each loop below reads; checking it once here is what lets the loop
    // skip the per-element bounds checks, which would halve the speed.
    assert!(
        a.len() > (MR - 1) * a_row_stride + (k - 1) * a_col_stride,
        "A tile out of bounds"
    );
    assert!(b.len() >= (k - 1) * ldb + NR, "B panel out of bounds");
    // Plain index loops on purpose: written with iterators (`zip`), the compiler rebuilds the
    // B row from pieces at every step and the kernel runs 20% slower (measured).
    #[allow(clippy::needless_range_loop)]
    for kk in 0..k {
        // SAFETY: kk < k, so kk * ldb + NR <= (k - 1) * ldb + NR <= b.len() (checked above).
        let b_row = unsafe { b.get_unchecked(kk * ldb..kk * ldb + NR) };
        for r in 0..MR {
            // SAFETY: r < MR and kk < k, so the index is at most the one checked above.
            let a_rk = unsafe { *a.get_unchecked(r * a_row_stride + kk * a_col_stride) };
            for j in 0..NR {
                acc[r][j] = M::mul_add(a_rk, b_row[j], acc[r][j]);
            }
        }
    }
    acc
}
