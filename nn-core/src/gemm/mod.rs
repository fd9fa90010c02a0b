//! The fast matrix product `C = A·B`: the reference triple loop, rearranged so the CPU can run
//! it at close to its peak. Five ideas, each a few lines below (`docs/appendix-a-making-it-fast.md`):
//!
//! 1. **Register tiles.** `C` is computed one `MR x NR` tile at a time, the tile kept in
//!    registers for the whole sum over `k` ([`microkernel::tile`]).
//! 2. **Strides, not copies.** `A` is read through a row and a column stride, so `Aᵀ·B` is the
//!    same loop with the strides swapped. Only `A·Bᵀ` copies anything: `B` is transposed once so
//!    the kernel can load rows of it.
//! 3. **One kernel, compiled per CPU.** The same Rust is compiled with AVX-512, with AVX2 + FMA
//!    and for any CPU; the best one the CPU supports is chosen at run time.
//! 4. **Threads over rows of `C`.** Each thread computes whole tiles, and every element is
//!    summed in the same order whichever thread computes it, so the result does not depend on
//!    the thread count.
//! 5. **Long `k` cut in two.** When `k` is long next to the output (the first layer's forward
//!    pass), the two halves of the sum go to different threads, so each thread reads only the
//!    half of the weights that it also updates, and they stay in its cache. The cut depends
//!    on the shape alone: one thread sums the two halves the same way.
//!
//! Edges (when `m` or `n` is not a multiple of the tile) are computed by the same kernel on
//! zero-padded copies, so an edge element sees exactly the same arithmetic as any other.

pub(crate) mod microkernel;

use std::cell::RefCell;

use microkernel::{MulAdd, tile};

use crate::threads::{
    DisjointChunks, chunk_per_thread, current_threads, for_each_chunk_mut, for_each_chunk_pair_mut,
    for_each_index,
};

/// Which compiled version of the kernel runs. [`Kernel::detect`] picks the fastest one the
/// CPU supports; tests and benchmarks also run the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// 8 x 32 tiles in 512-bit registers (16 floats each), fused multiply-add; 8 x 16 when
    /// `C` has at most 16 columns.
    Avx512,
    /// 6 x 16 tiles in 256-bit registers (8 floats each), fused multiply-add.
    Avx2,
    /// 4 x 8 tiles that the compiler vectorises for whatever the target has (SSE2 on any
    /// x86-64, NEON on aarch64), separate multiply and add.
    Portable,
}

impl Kernel {
    const FASTEST_FIRST: [Kernel; 3] = [Kernel::Avx512, Kernel::Avx2, Kernel::Portable];

    /// The fastest kernel this CPU can run.
    pub fn detect() -> Kernel {
        let supported = Kernel::FASTEST_FIRST.into_iter().find(|k| k.is_supported());
        supported.unwrap_or(Kernel::Portable)
    }

    /// Every kernel this CPU can run, fastest first.
    pub fn available() -> Vec<Kernel> {
        Kernel::FASTEST_FIRST
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    pub fn is_supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            Kernel::Portable => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Rows per tile: threads split `C` at multiples of this.
    fn tile_rows(self) -> usize {
        match self {
            Kernel::Avx512 => 8,
            Kernel::Avx2 => 6,
            Kernel::Portable => 4,
        }
    }

    /// `c = A·b` for rows of `c` that one thread owns (see [`gemm`]).
    fn run(self, m: usize, n: usize, k: usize, a: Strided, b: &[f32], c: &mut [f32]) {
        assert!(
            self.is_supported(),
            "the {self:?} kernel does not run on this CPU"
        );
        EDGE_PADDING.with_borrow_mut(|pad| match self {
            // SAFETY: the CPU supports the features these functions are compiled with
            // (asserted above).
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { x86::avx512(m, n, k, a, b, c, pad) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { x86::avx2(m, n, k, a, b, c, pad) },
            _ => rows::<4, 8, microkernel::Separate>(m, n, k, a, b, c, pad),
        })
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The same `rows` compiled twice more, with the instructions of newer CPUs enabled.
    //! Everything the hot loop calls must be inlined into these functions (hence
    //! `#[inline(always)]` and no closures below them): code outside them is compiled for the
    //! baseline x86-64, where `f32::mul_add` is a slow library call.

    use super::{EdgePadding, Strided, microkernel::Fused, rows};

    #[target_feature(enable = "avx512f,fma")]
    pub(super) fn avx512(
        m: usize,
        n: usize,
        k: usize,
        a: Strided,
        b: &[f32],
        c: &mut [f32],
        pad: &mut EdgePadding,
    ) {
        // A narrow C (the 10 logits) would waste most of a 32-wide tile: use 16-wide ones.
        // Each element sees the same arithmetic either way.
        if n <= 16 {
            rows::<8, 16, Fused>(m, n, k, a, b, c, pad);
        } else {
            rows::<8, 32, Fused>(m, n, k, a, b, c, pad);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2(
        m: usize,
        n: usize,
        k: usize,
        a: Strided,
        b: &[f32],
        c: &mut [f32],
        pad: &mut EdgePadding,
    ) {
        rows::<6, 16, Fused>(m, n, k, a, b, c, pad);
    }
}

/// The left operand, read through strides: element `(i, k)` is `data[i * row_stride + k *
/// col_stride]`. A row-major `m x k` matrix has strides `(k, 1)`; its transpose, `(1, k)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Strided<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> Strided<'a> {
    /// The same operand starting at column `k`.
    fn starting_at_col(self, k: usize) -> Strided<'a> {
        Strided {
            data: &self.data[k * self.col_stride..],
            ..self
        }
    }

    /// The same operand starting at row `i`.
    fn starting_at_row(self, i: usize) -> Strided<'a> {
        Strided {
            data: &self.data[i * self.row_stride..],
            ..self
        }
    }
}

/// Below this many multiply-adds a product runs on one thread: handing work to another
/// thread costs a few microseconds, more than the work itself.
const PARALLEL_MIN_MULTIPLY_ADDS: usize = 256 * 1024;

/// `c = A·b`: `A` is `m x k` (strided), `b` is `k x n` row-major, `c` is `m x n` row-major.
///
/// The work is split between the threads of the current [`crate::ThreadPool`] in whole tiles
/// of rows of `c`. A product whose `k` is long next to its output (the first layer's forward
/// pass, 64 x 784 · 784 x 128) is also cut along `k`, into two halves summed apart and added
/// last: `C = A[:, ..h]·B[..h, :] + A[:, h..]·B[h.., :]`. The cut depends on the shape alone,
/// so every element is summed the same way whatever the thread count. With two threads, each
/// takes one half and reads only its half of `B`: the rows of the weights whose gradient it
/// also computes and that it also updates, which therefore stay in its own cache.
pub(crate) fn gemm(
    kernel: Kernel,
    m: usize,
    n: usize,
    k: usize,
    a: Strided,
    b: &[f32],
    c: &mut [f32],
) {
    if m == 0 || n == 0 {
        return;
    }
    let tile_rows = kernel.tile_rows();
    let threads = if m * n * k < PARALLEL_MIN_MULTIPLY_ADDS {
        1
    } else {
        current_threads()
    };
    let Some(h) = k_cut(m, n, k) else {
        let rows = m.div_ceil(tile_rows).div_ceil(threads) * tile_rows;
        for_each_chunk_mut(c, rows * n, |t, c_rows| {
            kernel.run(
                c_rows.len() / n,
                n,
                k,
                a.starting_at_row(t * rows),
                b,
                c_rows,
            );
        });
        return;
    };
    SECOND_HALF.with_borrow_mut(|second| {
        second.resize(m * n, 0.0);
        let halves = [(a, b, h), (a.starting_at_col(h), &b[h * n..], k - h)];
        // Part p computes row chunk p / 2 of half p % 2; thread t takes parts t, t + threads...
        // so with two threads, thread 0 does half 0 and thread 1 half 1.
        let chunks = m.div_ceil(tile_rows).div_ceil(threads.div_ceil(2)) * tile_rows;
        let outputs = [
            DisjointChunks::new(c, chunks * n),
            DisjointChunks::new(second, chunks * n),
        ];
        let part = |p: usize| {
            let (half, chunk) = (p % 2, p / 2);
            let (a, b, k) = halves[half];
            // SAFETY: each (half, chunk) pair is one index, and each index runs once.
            let out = unsafe { outputs[half].get(chunk) };
            kernel.run(
                out.len() / n,
                n,
                k,
                a.starting_at_row(chunk * chunks),
                b,
                out,
            );
        };
        let parts = 2 * outputs[0].count();
        if threads > 1 {
            for_each_index(parts, part);
        } else {
            (0..parts).for_each(part);
        }
        let sum_chunk = if threads > 1 {
            chunk_per_thread(m * n, 4096)
        } else {
            m * n
        };
        for_each_chunk_pair_mut(c, second, sum_chunk, |_, c, second| {
            c.iter_mut().zip(second.iter()).for_each(|(c, s)| *c += *s);
        });
    });
}

thread_local! {
    /// The second `k` half of a cut product, reused from call to call.
    static SECOND_HALF: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Where to cut `k` in two, for products whose `k` is long next to their output; `None` for
/// the others. A multiple of 8, like the row split of the products that compute the gradient
/// of `B` (`Aᵀ·dC`, rows of `B` in whole tiles), so one thread handles the same rows of the
/// weights in both.
fn k_cut(m: usize, n: usize, k: usize) -> Option<usize> {
    (k >= 4 * m.max(n)).then(|| (k / 2).next_multiple_of(8))
}

/// Zero-padded copies of the partial tiles at the bottom and right edges, kept per thread so
/// that after the first product no call allocates.
#[derive(Default)]
struct EdgePadding {
    /// `MR x k`, row-major: the last `m % MR` rows of `A`, then zero rows.
    a: Vec<f32>,
    /// `k x NR`, row-major: the last `n % NR` columns of `B`, then zero columns.
    b: Vec<f32>,
}

thread_local! {
    static EDGE_PADDING: RefCell<EdgePadding> = RefCell::default();
}

/// `c = A·b` with `MR x NR` tiles: column panels of `b` outside, row tiles inside, so one
/// panel of `b` (`k x NR`) stays in cache while every row tile uses it.
#[inline(always)]
fn rows<const MR: usize, const NR: usize, M: MulAdd>(
    m: usize,
    n: usize,
    k: usize,
    a: Strided,
    b: &[f32],
    c: &mut [f32],
    pad: &mut EdgePadding,
) {
    let (full_m, full_n) = (m / MR * MR, n / NR * NR);
    if full_m < m {
        pad.a.clear();
        pad.a.resize(MR * k, 0.0);
        for r in 0..m - full_m {
            for kk in 0..k {
                pad.a[r * k + kk] = a.data[(full_m + r) * a.row_stride + kk * a.col_stride];
            }
        }
    }
    if full_n < n {
        pad.b.clear();
        pad.b.resize(k * NR, 0.0);
        for kk in 0..k {
            pad.b[kk * NR..kk * NR + n - full_n].copy_from_slice(&b[kk * n + full_n..(kk + 1) * n]);
        }
    }
    let edge_a = Strided {
        data: &pad.a,
        row_stride: k,
        col_stride: 1,
    };
    let edge_b = &pad.b[..];

    for j0 in (0..full_n).step_by(NR) {
        let panel = &b[j0..];
        for i0 in (0..full_m).step_by(MR) {
            let acc = tile::<MR, NR, M>(k, a.starting_at_row(i0), panel, n);
            store(&acc, c, n, (i0, j0), (MR, NR));
        }
        if full_m < m {
            let acc = tile::<MR, NR, M>(k, edge_a, panel, n);
            store(&acc, c, n, (full_m, j0), (m - full_m, NR));
        }
    }
    if full_n < n {
        for i0 in (0..full_m).step_by(MR) {
            let acc = tile::<MR, NR, M>(k, a.starting_at_row(i0), edge_b, NR);
            store(&acc, c, n, (i0, full_n), (MR, n - full_n));
        }
        if full_m < m {
            let acc = tile::<MR, NR, M>(k, edge_a, edge_b, NR);
            store(&acc, c, n, (full_m, full_n), (m - full_m, n - full_n));
        }
    }
}

/// Writes the top-left `rows x cols` of a tile into `c` (row length `n`) at `(i0, j0)`.
#[inline(always)]
fn store<const MR: usize, const NR: usize>(
    acc: &[[f32; NR]; MR],
    c: &mut [f32],
    n: usize,
    (i0, j0): (usize, usize),
    (rows, cols): (usize, usize),
) {
    for (r, acc_row) in acc.iter().enumerate().take(rows) {
        c[(i0 + r) * n + j0..][..cols].copy_from_slice(&acc_row[..cols]);
    }
}
