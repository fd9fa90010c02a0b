//! Register tiles straight on the operands: the path for products that fit in the caches (every
//! product of the reference recipe). Column panels of `B` outside, row tiles inside, so one
//! panel of `B` (`k x NR`) stays in cache while every row tile uses it.

use super::microkernel::{MulAdd, tile};
use super::{Operands, OutBlock, Strided};

/// Zero-padded copies of the partial tiles at the bottom and right edges, kept per thread so
/// that after the first product no call allocates. An edge element goes through the same
/// multiply-adds as any other; the padding only fills the rest of its tile.
#[derive(Default)]
pub(super) struct EdgePadding {
    /// `MR x k`, row-major: the last `m % MR` rows of `A`, then zero rows.
    a: Vec<f32>,
    /// `k x NR`, row-major: the last `n % NR` columns of `B`, then zero columns.
    b: Vec<f32>,
}

/// `c = A·B` with `MR x NR` tiles.
#[inline(always)]
pub(super) fn in_place<const MR: usize, const NR: usize, M: MulAdd>(
    ops: Operands,
    mut c: OutBlock,
    pad: &mut EdgePadding,
) {
    let Operands { m, n, k, a, b, ldb } = ops;
    let (full_m, full_n) = (m / MR * MR, n / NR * NR);
    if full_m < m {
        pad.a.clear();
        pad.a.resize(MR * k, 0.0);
        for r in 0..m - full_m {
            for kk in 0..k {
                pad.a[r * k + kk] = a.at(full_m + r, kk);
            }
        }
    }
    if full_n < n {
        pad.b.clear();
        pad.b.resize(k * NR, 0.0);
        for kk in 0..k {
            pad.b[kk * NR..kk * NR + n - full_n]
                .copy_from_slice(&b[kk * ldb + full_n..kk * ldb + n]);
        }
    }
    let edge_a = Strided::row_major(&pad.a, k);
    let edge_b = &pad.b[..];
    let zeros = [[0.0f32; NR]; MR];

    for j0 in (0..full_n).step_by(NR) {
        let panel = &b[j0..];
        for i0 in (0..full_m).step_by(MR) {
            let acc = tile::<MR, NR, M>(zeros, k, a.starting_at(i0, 0), panel, ldb);
            store(&acc, &mut c, (i0, j0), (MR, NR));
        }
        if full_m < m {
            let acc = tile::<MR, NR, M>(zeros, k, edge_a, panel, ldb);
            store(&acc, &mut c, (full_m, j0), (m - full_m, NR));
        }
    }
    if full_n < n {
        for i0 in (0..full_m).step_by(MR) {
            let acc = tile::<MR, NR, M>(zeros, k, a.starting_at(i0, 0), edge_b, NR);
            store(&acc, &mut c, (i0, full_n), (MR, n - full_n));
        }
        if full_m < m {
            let acc = tile::<MR, NR, M>(zeros, k, edge_a, edge_b, NR);
            store(&acc, &mut c, (full_m, full_n), (m - full_m, n - full_n));
        }
    }
}

/// Writes the top-left `rows x cols` of a tile into `c` at `(i0, j0)`.
#[inline(always)]
pub(super) fn store<const MR: usize, const NR: usize>(
    acc: &[[f32; NR]; MR],
    c: &mut OutBlock,
    (i0, j0): (usize, usize),
    (rows, cols): (usize, usize),
) {
    for (r, acc_row) in acc.iter().enumerate().take(rows) {
        c.row_mut(i0 + r)[j0..j0 + cols].copy_from_slice(&acc_row[..cols]);
    }
}

/// Reads the top-left `rows x cols` of a tile from `c` at `(i0, j0)`, zeros elsewhere: the
/// partial sums a tile continues.
#[inline(always)]
pub(super) fn load<const MR: usize, const NR: usize>(
    c: &mut OutBlock,
    (i0, j0): (usize, usize),
    (rows, cols): (usize, usize),
) -> [[f32; NR]; MR] {
    let mut acc = [[0.0f32; NR]; MR];
    for (r, acc_row) in acc.iter_mut().enumerate().take(rows) {
        acc_row[..cols].copy_from_slice(&c.row_mut(i0 + r)[j0..j0 + cols]);
    }
    acc
}
