//! Cache blocking and packing, the BLIS way, for products too large for the caches.
//!
//! Straight on the operands, a tile reads `MR` rows of `A` that lie a whole row apart (a new
//! page every few rows once rows are 4 KiB long) and a panel of `B` that no longer fits in the
//! level-1 cache. So the product is cut into blocks that do fit, and each block is copied
//! ("packed") once into exactly the order the micro-kernel reads it:
//!
//! ```text
//! for each block of NC columns of B and C                      (B's block in the L3 cache)
//!   for each block of KC steps of k: pack B[KC x NC] into panels KC x NR   (each in L1)
//!     for each block of MC rows of A: pack A[MC x KC] into slivers MR x KC   (all in L2)
//!       for each panel of B, for each sliver of A:
//!         the MR x NR tile of C continues its sums over these KC steps (the micro-kernel)
//! ```
//!
//! A tile's sums are carried through `C` from one block of `k` to the next: the first block
//! starts them at zero, the next ones load them back and go on, so every element is still the
//! one chain of multiply-adds in the order of `k`, bit for bit what [`super::tiles`] computes.

use super::microkernel::{MulAdd, tile};
use super::tiles::{load, store};
use super::{Operands, OutBlock, Strided};

/// Steps of `k` per block: a packed panel of `B` (`KC x NR`, 16 KiB at NR = 32) and a sliver
/// of `A` (`MR x KC`, 4 KiB) fit in the level-1 cache together (256 measured slower: the
/// panel alone filled the 32 KiB of this machine's L1).
const KC: usize = 128;
/// Rows of `A` per block (a multiple of every `MR`): `MC x KC` floats, 192 KiB, stay in L2.
const MC: usize = 384;
/// Columns of `B` per block (a multiple of every `NR`): `KC x NC` floats, 512 KiB, in L2 or L3.
const NC: usize = 1024;

/// The packed blocks of one thread, reused from call to call.
#[derive(Default)]
pub(super) struct Packed {
    /// `MC x KC` of `A` in slivers of `MR` rows: sliver `s` holds `A[s·MR + r][k]` at
    /// `(s·KC + k)·MR + r`, zero rows past the edge.
    a: Vec<f32>,
    /// `KC x NC` of `B` in panels of `NR` columns: panel `p` holds `B[k][p·NR + j]` at
    /// `(p·KC + k)·NR + j`, zero columns past the edge.
    b: Vec<f32>,
}

/// Whether a block of `C` is large enough for packing to pay for its copies: its part of `B`
/// has a million values or more (4 MiB, twice this machine's level-2 cache). Below that,
/// [`super::tiles`] finds its operands in the caches anyway and is faster (measured on one
/// thread: 1.27 times at 256³, the same at 1024³; at 2048³ packing is 1.75 times faster).
pub(super) fn pays_off(ops: Operands) -> bool {
    ops.k * ops.n >= 1024 * 1024
}

/// `c = A·B` in cache blocks of packed operands (see the module docs).
#[inline(always)]
pub(super) fn blocks<const MR: usize, const NR: usize, M: MulAdd>(
    ops: Operands,
    mut c: OutBlock,
    packed: &mut Packed,
) {
    let Operands { m, n, k, a, b, ldb } = ops;
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack_b::<NR>(&b[pc * ldb + jc..], ldb, kc, nc, &mut packed.b);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack_a::<MR>(a.starting_at(ic, pc), mc, kc, &mut packed.a);
                for (p, jr) in (0..nc).step_by(NR).enumerate() {
                    let panel = &packed.b[p * kc * NR..(p + 1) * kc * NR];
                    for (s, ir) in (0..mc).step_by(MR).enumerate() {
                        // `black_box`: told that the strides are the constants 1 and MR, the
                        // compiler vectorises the micro-kernel with gathers, 40 times slower
                        // (measured); as run-time values they give the usual broadcasts.
                        let sliver = Strided {
                            data: &packed.a[s * kc * MR..(s + 1) * kc * MR],
                            row_stride: std::hint::black_box(1),
                            col_stride: std::hint::black_box(MR),
                        };
                        let at = (ic + ir, jc + jr);
                        let size = (MR.min(mc - ir), NR.min(nc - jr));
                        let sums = if pc == 0 {
                            [[0.0; NR]; MR]
                        } else {
                            load::<MR, NR>(&mut c, at, size)
                        };
                        let sums = tile::<MR, NR, M>(sums, kc, sliver, panel, NR);
                        store(&sums, &mut c, at, size);
                    }
                }
            }
        }
    }
}

/// Packs `kc x nc` of `b` (rows `ldb` apart) into panels of `NR` columns (see [`Packed::b`]).
#[inline(always)]
fn pack_b<const NR: usize>(b: &[f32], ldb: usize, kc: usize, nc: usize, out: &mut Vec<f32>) {
    let panels = nc.div_ceil(NR);
    out.resize(panels * kc * NR, 0.0);
    for (p, panel) in out.chunks_exact_mut(kc * NR).enumerate() {
        let cols = NR.min(nc - p * NR);
        for (kk, row) in panel.chunks_exact_mut(NR).enumerate() {
            let from = kk * ldb + p * NR;
            row[..cols].copy_from_slice(&b[from..from + cols]);
            row[cols..].fill(0.0);
        }
    }
}

/// Packs `mc x kc` of `a` into slivers of `MR` rows (see [`Packed::a`]).
#[inline(always)]
fn pack_a<const MR: usize>(a: Strided, mc: usize, kc: usize, out: &mut Vec<f32>) {
    let slivers = mc.div_ceil(MR);
    out.resize(slivers * kc * MR, 0.0);
    for (s, sliver) in out.chunks_exact_mut(kc * MR).enumerate() {
        let rows = MR.min(mc - s * MR);
        for (kk, column) in sliver.chunks_exact_mut(MR).enumerate() {
            for (r, v) in column[..rows].iter_mut().enumerate() {
                *v = a.at(s * MR + r, kk);
            }
            column[rows..].fill(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::microkernel::Separate;
    use crate::gemm::tiles::{self, EdgePadding};

    /// The packed blocks give the same bits as the tiles straight on the operands (which
    /// `tests/matmul.rs` checks against exact arithmetic), across every block edge: `k` over
    /// two blocks and a part, `n` over one block and a part, `m` over one block and a part,
    /// with partial tiles, for each tile size.
    #[test]
    fn packed_blocks_give_the_bits_of_the_tiles() {
        let (m, n, k) = (MC + 13, NC + 37, 2 * KC + 29);
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 7919) % 1013) as f32 / 1013.0 - 0.5)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 104729) % 997) as f32 / 997.0 - 0.5)
            .collect();
        let ops = Operands {
            m,
            n,
            k,
            a: Strided::row_major(&a, k),
            b: &b,
            ldb: n,
        };
        fn both<const MR: usize, const NR: usize>(ops: Operands) -> (Vec<f32>, Vec<f32>) {
            let (mut packed, mut tiled) = (vec![f32::NAN; ops.m * ops.n], vec![0.0; ops.m * ops.n]);
            blocks::<MR, NR, Separate>(
                ops,
                OutBlock::whole(&mut packed, ops.n),
                &mut Packed::default(),
            );
            let pad = &mut EdgePadding::default();
            tiles::in_place::<MR, NR, Separate>(ops, OutBlock::whole(&mut tiled, ops.n), pad);
            (packed, tiled)
        }
        for (packed, tiled) in [both::<8, 32>(ops), both::<6, 16>(ops), both::<4, 8>(ops)] {
            let same = packed
                .iter()
                .zip(&tiled)
                .all(|(p, t)| p.to_bits() == t.to_bits());
            assert!(same, "packed blocks differ from the tiles");
        }
    }
}
