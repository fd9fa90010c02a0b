//! The fast matrix product `C = A·B`: the reference triple loop, rearranged so the CPU can run
//! it at close to its peak. The ideas, each a few lines below (`docs/appendix-a-making-it-fast.md`):
//!
//! 1. **Register tiles.** `C` is computed one `MR x NR` tile at a time, the tile kept in
//!    registers for the whole sum over `k` ([`microkernel::tile`]).
//! 2. **Strides, not copies.** `A` is read through a row and a column stride, so `Aᵀ·B` is the
//!    same loop with the strides swapped. `B` is read by rows, so `A·Bᵀ` copies one operand
//!    (`crate::matmul`).
//! 3. **One kernel, compiled per CPU.** The same Rust is compiled with AVX-512, with AVX2 + FMA
//!    and for any CPU; the best one the CPU supports is chosen at run time.
//! 4. **Cache blocks for large products.** Products too large for the caches are computed in
//!    blocks whose operands are packed into the order the micro-kernel reads them
//!    ([`packed`]), the BLIS way.
//! 5. **Threads over blocks of `C`.** Each thread computes whole tiles, and every element is
//!    summed in the same order whichever thread computes it, so the result does not depend on
//!    the thread count ([`split_output_between_threads`]).
//! 6. **Long `k` cut in two.** When `k` is long next to the output (the first layer's forward
//!    pass), the two halves of the sum go to different threads, so each thread reads only the
//!    half of the weights that it also updates, and they stay in its cache. The cut depends
//!    on the shape alone: one thread sums the two halves the same way
//!    ([`sum_two_halves_of_k`]).
//!
//! Every path computes each element of `C` as the same chain of multiply-adds,
//! `c = (((0 + a₀b₀) + a₁b₁) + ...)` in the order of `k` (two such chains added, for a cut
//! `k`), so which path, tile or thread computes an element never changes its bits. Tiny shapes
//! take the plainest path of all ([`dot_rows`]).

pub(crate) mod microkernel;
mod packed;
mod tiles;

use std::cell::RefCell;
use std::marker::PhantomData;

use microkernel::MulAdd;

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

    /// Columns per tile: threads split `C` at multiples of this.
    fn tile_cols(self) -> usize {
        match self {
            Kernel::Avx512 => 32,
            Kernel::Avx2 => 16,
            Kernel::Portable => 8,
        }
    }

    /// `c = A·B` for one block of `C` that one thread owns.
    fn run(self, ops: Operands, c: OutBlock) {
        assert!(
            self.is_supported(),
            "the {self:?} kernel does not run on this CPU"
        );
        SCRATCH.with_borrow_mut(|scratch| match self {
            // SAFETY: the CPU supports the features these functions are compiled with
            // (asserted above).
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { x86::avx512(ops, c, scratch) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { x86::avx2(ops, c, scratch) },
            _ => block::<4, 8, microkernel::Separate>(ops, c, scratch),
        })
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The same `block` compiled twice more, with the instructions of newer CPUs enabled.
    //! Everything the hot loop calls must be inlined into these functions (hence
    //! `#[inline(always)]` and no closures below them): code outside them is compiled for the
    //! baseline x86-64, where `f32::mul_add` is a slow library call.

    use super::{Operands, OutBlock, Scratch, block, microkernel::Fused};

    #[target_feature(enable = "avx512f,fma")]
    pub(super) fn avx512(ops: Operands, c: OutBlock, scratch: &mut Scratch) {
        // A narrow C (the 10 logits) would waste most of a 32-wide tile: use 16-wide ones.
        // Each element sees the same arithmetic either way.
        if ops.n <= 16 {
            block::<8, 16, Fused>(ops, c, scratch);
        } else {
            block::<8, 32, Fused>(ops, c, scratch);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn avx2(ops: Operands, c: OutBlock, scratch: &mut Scratch) {
        block::<6, 16, Fused>(ops, c, scratch);
    }
}

/// A matrix operand read through strides: element `(i, k)` is `data[i * row_stride + k *
/// col_stride]`. A row-major `m x k` matrix has strides `(k, 1)`; its transpose, `(1, k)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Strided<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> Strided<'a> {
    /// A row-major matrix with rows `cols` apart.
    pub(crate) fn row_major(data: &'a [f32], cols: usize) -> Strided<'a> {
        Strided {
            data,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major matrix with rows `cols` apart: the same data.
    pub(crate) fn transposed(data: &'a [f32], cols: usize) -> Strided<'a> {
        Strided {
            data,
            row_stride: 1,
            col_stride: cols,
        }
    }

    /// Element `(i, j)`.
    #[inline(always)]
    fn at(self, i: usize, j: usize) -> f32 {
        self.data[i * self.row_stride + j * self.col_stride]
    }

    /// The same operand starting at row `i` and column `j`.
    fn starting_at(self, i: usize, j: usize) -> Strided<'a> {
        let offset = i * self.row_stride + j * self.col_stride;
        Strided {
            data: self.data.get(offset..).unwrap_or(&[]),
            ..self
        }
    }
}

/// The operands of `C = A·B`: `A` is `m x k`, read through strides; `B` is `k x n`, row-major
/// with rows `ldb` apart (`ldb = n` for a whole matrix).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operands<'a> {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a: Strided<'a>,
    pub b: &'a [f32],
    pub ldb: usize,
}

impl<'a> Operands<'a> {
    /// The product for rows `[i, i + rows)` of `C`.
    fn rows(self, i: usize, rows: usize) -> Operands<'a> {
        Operands {
            m: rows,
            a: self.a.starting_at(i, 0),
            ..self
        }
    }

    /// The product for columns `[j, j + cols)` of `C`.
    fn cols(self, j: usize, cols: usize) -> Operands<'a> {
        Operands {
            n: cols,
            b: self.b.get(j..).unwrap_or(&[]),
            ..self
        }
    }

    /// The part of the sum over `k` in `[from, from + len)`.
    fn k_range(self, from: usize, len: usize) -> Operands<'a> {
        Operands {
            k: len,
            a: self.a.starting_at(0, from),
            b: self.b.get(from * self.ldb..).unwrap_or(&[]),
            ..self
        }
    }

    fn multiply_adds(self) -> usize {
        self.m * self.n * self.k
    }
}

/// A block of `C` that one thread writes: `rows x cols` values, rows `stride` apart.
pub(crate) struct OutBlock<'a> {
    ptr: *mut f32,
    rows: usize,
    cols: usize,
    stride: usize,
    _c: PhantomData<&'a mut [f32]>,
}

impl<'a> OutBlock<'a> {
    /// All of a row-major matrix with `cols` columns.
    fn whole(c: &'a mut [f32], cols: usize) -> OutBlock<'a> {
        assert!(
            cols > 0 && c.len().is_multiple_of(cols),
            "not a {cols}-column matrix"
        );
        OutBlock {
            ptr: c.as_mut_ptr(),
            rows: c.len() / cols,
            cols,
            stride: cols,
            _c: PhantomData,
        }
    }

    /// Row `r` of the block.
    #[inline(always)]
    fn row_mut(&mut self, r: usize) -> &mut [f32] {
        assert!(r < self.rows, "row {r} of a {}-row block", self.rows);
        // SAFETY: every `OutBlock` is either all of a slice borrowed mutably (`whole`) or a
        // block of one that no other `OutBlock` overlaps (`ColumnBlocks::get`), and row `r`
        // of it lies inside that slice; `&mut self` makes the row borrow exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(r * self.stride), self.cols) }
    }
}

/// A row-major matrix cut into blocks of whole columns that different threads may write at the
/// same time, because no two of them overlap.
struct ColumnBlocks<'a> {
    ptr: *mut f32,
    rows: usize,
    cols: usize,
    block_cols: usize,
    count: usize,
    _c: PhantomData<&'a mut [f32]>,
}

// SAFETY: it only hands out non-overlapping blocks of an `f32` matrix borrowed mutably.
unsafe impl Sync for ColumnBlocks<'_> {}

impl<'a> ColumnBlocks<'a> {
    fn new(c: &'a mut [f32], cols: usize, block_cols: usize) -> ColumnBlocks<'a> {
        assert!(block_cols > 0 && c.len().is_multiple_of(cols));
        ColumnBlocks {
            ptr: c.as_mut_ptr(),
            rows: c.len() / cols,
            cols,
            block_cols,
            count: cols.div_ceil(block_cols),
            _c: PhantomData,
        }
    }

    /// Block `t`: columns `[t·block_cols, (t+1)·block_cols)` of every row.
    ///
    /// # Safety
    /// No other `OutBlock` of block `t` may be alive.
    unsafe fn get(&self, t: usize) -> OutBlock<'a> {
        assert!(t < self.count, "column block {t} of {}", self.count);
        let first = t * self.block_cols;
        OutBlock {
            // SAFETY: `first < cols`, so the pointer stays inside the first row.
            ptr: unsafe { self.ptr.add(first) },
            rows: self.rows,
            cols: self.block_cols.min(self.cols - first),
            stride: self.cols,
            _c: PhantomData,
        }
    }
}

/// Below this many multiply-adds a product runs on one thread: handing work to another
/// thread costs a few microseconds, more than the work itself.
const PARALLEL_MIN_MULTIPLY_ADDS: usize = 256 * 1024;

/// From this many multiply-adds on, a product is cut into four blocks per thread instead of
/// one, so that a thread that is descheduled holds up only a small part of it (the others take
/// the rest). Smaller products keep one block per thread, which keeps each thread on the same
/// rows of the weights from step to step (see [`sum_two_halves_of_k`]).
const SMALL_BLOCKS_MIN_MULTIPLY_ADDS: usize = 16 * 1024 * 1024;

/// `c = A·B`, `c` row-major `m x n`, on the threads of the current [`crate::ThreadPool`].
pub(crate) fn gemm(kernel: Kernel, ops: Operands, c: &mut [f32]) {
    let Operands { m, n, k, .. } = ops;
    assert_eq!(c.len(), m * n, "C must have m·n elements");
    if m == 0 || n == 0 {
        return;
    }
    let threads = if ops.multiply_adds() < PARALLEL_MIN_MULTIPLY_ADDS {
        1
    } else {
        current_threads()
    };
    match k_cut(m, n, k) {
        Some(h) => sum_two_halves_of_k(kernel, ops, h, threads, c),
        None => split_output_between_threads(kernel, ops, threads, c),
    }
}

/// Cuts `C` into blocks of whole tiles along its longer side and hands them to the threads.
/// Cutting along the longer side means that each thread reads only its own part of the larger
/// operand: the first layer's weights (784 x 128) in `dW = xᵀ·dy`, split by rows, or the
/// 800 x 800 weights of a wide layer in `y = x·W` (64 x 800), split by columns.
fn split_output_between_threads(kernel: Kernel, ops: Operands, threads: usize, c: &mut [f32]) {
    let Operands { m, n, .. } = ops;
    let blocks = if ops.multiply_adds() >= SMALL_BLOCKS_MIN_MULTIPLY_ADDS {
        4 * threads
    } else {
        threads
    };
    if m >= n {
        let tile = kernel.tile_rows();
        let rows = m.div_ceil(tile).div_ceil(blocks) * tile;
        for_each_chunk_mut(c, rows * n, |t, c_rows| {
            let ops = ops.rows(t * rows, c_rows.len() / n);
            kernel.run(ops, OutBlock::whole(c_rows, n));
        });
    } else {
        let tile = kernel.tile_cols();
        let cols = n.div_ceil(tile).div_ceil(blocks) * tile;
        let column_blocks = ColumnBlocks::new(c, n, cols);
        for_each_index(column_blocks.count, |t| {
            // SAFETY: `for_each_index` visits every index exactly once.
            let block = unsafe { column_blocks.get(t) };
            kernel.run(ops.cols(t * cols, block.cols), block);
        });
    }
}

/// `C = A[:, ..h]·B[..h, :] + A[:, h..]·B[h.., :]`: the two halves of the sum over `k` are
/// computed apart (the second into a buffer of its own) and added last. With two threads, each
/// takes one half and reads only its half of `B`: the rows of the weights whose gradient it
/// also computes and that it also updates, which therefore stay in its own cache.
fn sum_two_halves_of_k(kernel: Kernel, ops: Operands, h: usize, threads: usize, c: &mut [f32]) {
    let Operands { m, n, k, .. } = ops;
    SECOND_HALF.with_borrow_mut(|second| {
        second.resize(m * n, 0.0);
        let halves = [ops.k_range(0, h), ops.k_range(h, k - h)];
        // Part p computes row chunk p / 2 of half p % 2. Threads take parts in order, so with
        // two threads the caller usually takes half 0 and the worker half 1.
        let tile = kernel.tile_rows();
        let chunk_rows = m.div_ceil(tile).div_ceil(threads.div_ceil(2)) * tile;
        let outputs = [
            DisjointChunks::new(c, chunk_rows * n),
            DisjointChunks::new(second, chunk_rows * n),
        ];
        let part = |p: usize| {
            let (half, chunk) = (p % 2, p / 2);
            // SAFETY: each (half, chunk) pair is one index, and each index runs once.
            let out = unsafe { outputs[half].get(chunk) };
            let ops = halves[half].rows(chunk * chunk_rows, out.len() / n);
            kernel.run(ops, OutBlock::whole(out, n));
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
/// weights in both. Both halves are at least 8 long: tiny shapes are never cut.
fn k_cut(m: usize, n: usize, k: usize) -> Option<usize> {
    let h = (k / 2).next_multiple_of(8);
    (k >= 4 * m.max(n) && h + 8 <= k).then_some(h)
}

/// Shapes below this in `m`, `n` or `k` take [`dot_rows`]: a tile would be mostly padding.
const TINY: usize = 8;

/// Scratch space of one thread, kept from call to call so that after the first product no call
/// allocates.
#[derive(Default)]
pub(crate) struct Scratch {
    edges: tiles::EdgePadding,
    packed: packed::Packed,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// One thread's block of `C`, by the path that suits its shape: [`dot_rows`] for tiny shapes,
/// [`packed::blocks`] for products too large for the caches, [`tiles::in_place`] for the rest.
#[inline(always)]
fn block<const MR: usize, const NR: usize, M: MulAdd>(
    ops: Operands,
    c: OutBlock,
    scratch: &mut Scratch,
) {
    if ops.m.min(ops.n).min(ops.k) < TINY {
        dot_rows::<M>(ops, c);
    } else if packed::pays_off(ops) {
        packed::blocks::<MR, NR, M>(ops, c, &mut scratch.packed);
    } else {
        tiles::in_place::<MR, NR, M>(ops, c, &mut scratch.edges);
    }
}

/// The plainest product: each row of `C` accumulated in place over `k`,
/// `c[i][..] = Σ_k A[i][k]·B[k][..]`, one multiply-add per element per step of `k`: the same
/// chain the tiles compute, without their padding.
#[inline(always)]
fn dot_rows<M: MulAdd>(ops: Operands, mut c: OutBlock) {
    let Operands { m, n, k, a, b, ldb } = ops;
    for i in 0..m {
        let c_row = c.row_mut(i);
        c_row.fill(0.0);
        for kk in 0..k {
            let a_ik = a.at(i, kk);
            for (c_ij, &b_kj) in c_row.iter_mut().zip(&b[kk * ldb..kk * ldb + n]) {
                *c_ij = M::mul_add(a_ik, b_kj, *c_ij);
            }
        }
    }
}
