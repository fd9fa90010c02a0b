//! Where the random numbers of a run come from: ChaCha8, keyed by the run's seed.
//!
//! Each use of randomness gets its own generator, named by a purpose and a stream number: the
//! dropout masks of step 812 are `keyed(seed, b"dropout\0", 812)`, the distortion of training
//! example 7 in epoch 3 is `keyed(seed, b"augment\0", 3 << 32 | 7)`. Every draw is then a
//! function of the seed and its own coordinates alone: not of the order things ran in, the
//! number of threads, or whether the run was stopped and resumed in between. See
//! `docs/appendix-b-runs-and-checkpoints.md`.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// The generator for `purpose` and `stream`: ChaCha8 with the 32-byte key
/// `seed (8 bytes, little-endian) ‖ purpose (8 bytes) ‖ 16 zero bytes`, on stream `stream`.
/// Different purposes give unrelated sequences even for the same stream number.
pub fn keyed(seed: u64, purpose: &[u8; 8], stream: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(purpose);
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn first_word(seed: u64, purpose: &[u8; 8], stream: u64) -> u64 {
        keyed(seed, purpose, stream).next_u64()
    }

    #[test]
    fn seed_purpose_and_stream_each_change_the_sequence() {
        let base = first_word(42, b"dropout\0", 3);
        assert_eq!(base, first_word(42, b"dropout\0", 3));
        assert_ne!(base, first_word(43, b"dropout\0", 3));
        assert_ne!(base, first_word(42, b"augment\0", 3));
        assert_ne!(base, first_word(42, b"dropout\0", 4));
    }
}
