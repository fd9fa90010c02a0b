//! A set of labelled images in memory, and the cuts training needs: a validation hold-out, a
//! quick-experiment limit, and batches turned into network input.

use std::fmt;

use nn_core::Matrix;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

use super::{CLASSES, DataError, IMAGE_PIXELS, IMAGE_SIDE};

/// MNIST as published: 60,000 training images and 10,000 test images.
///
/// The test set is only for the final report. Choosing anything (a learning rate, when to stop)
/// by looking at test accuracy tunes the model to the test set, and its score stops saying how
/// the model does on digits it has never seen. Hold out the end of the training set for those
/// choices instead (`docs/07-data-and-validation.md`):
///
/// ```no_run
/// # fn main() -> Result<(), datasets::mnist::DataError> {
/// let mut mnist = datasets::mnist::load("datasets/mnist".as_ref())?;
/// let validation = mnist.train.split_off_last(10_000)?; // the last 10,000 training images
/// let train = mnist.train.take_first(5_000); // `--train-limit 5000`, after the hold-out
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Mnist {
    pub train: Split,
    pub test: Split,
}

/// The three parts of the data a run uses.
pub struct Data {
    pub train: Split,
    /// May be empty (`--val-size 0`).
    pub validation: Split,
    pub test: Split,
}

impl Mnist {
    /// Holds out the last `val_size` training images for validation, then keeps the first
    /// `train_limit` of the rest. Why: `docs/07-data-and-validation.md`.
    pub fn split(self, val_size: usize, train_limit: Option<usize>) -> Result<Data, DataError> {
        let mut train = self.train;
        let validation = train.split_off_last(val_size)?;
        if let Some(limit) = train_limit {
            train = train.take_first(limit);
        }
        if train.is_empty() {
            return Err(DataError::NothingToTrainOn { val_size });
        }
        Ok(Data {
            train,
            validation,
            test: self.test,
        })
    }
}

/// The order of the training examples in `epoch` (counted from 1): a Fisher-Yates shuffle
/// driven by ChaCha8 seeded with the run's seed, on stream `epoch`. It depends on nothing
/// else, so a resumed run shuffles exactly as an uninterrupted one. (Stream 0 of the same seed
/// drew the initial weights.) See `docs/appendix-b-runs-and-checkpoints.md`.
pub fn shuffle_for_epoch(order: &mut Vec<usize>, len: usize, seed: u64, epoch: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(epoch as u64);
    order.clear();
    order.extend(0..len);
    order.shuffle(&mut rng);
}

/// Images and their labels. Image `i` is the `IMAGE_PIXELS` bytes starting at
/// `i * IMAGE_PIXELS`, row by row, 0 (background) to 255 (ink). The pixels stay `u8`: a quarter
/// of the memory of `f32`, and converted per batch by [`Split::gather_batch`].
#[derive(Clone, PartialEq, Eq)]
pub struct Split {
    images: Vec<u8>,
    labels: Vec<u8>,
}

impl Split {
    /// A split built from parts in memory: for tests and synthetic data (files on disk go
    /// through [`super::load`], which checks them and returns errors instead).
    ///
    /// Panics unless there are `IMAGE_PIXELS` pixels per label and every label is a digit.
    pub fn new(images: Vec<u8>, labels: Vec<u8>) -> Split {
        assert_eq!(
            images.len(),
            labels.len() * IMAGE_PIXELS,
            "Split::new: {} labels need {} pixels, got {}",
            labels.len(),
            labels.len() * IMAGE_PIXELS,
            images.len()
        );
        if let Some(bad) = labels.iter().find(|&&l| usize::from(l) >= CLASSES) {
            panic!("Split::new: label {bad} is not a digit 0 to 9");
        }
        Split { images, labels }
    }

    /// `len` made-up digits for tests and demos, the same for the same `seed`: digit `d` is a
    /// bright horizontal band at rows `2d + 4` to `2d + 7`, plus faint noise, so a network can
    /// learn them in a few steps. Labels cycle through 0 to 9.
    pub fn synthetic(len: usize, seed: u64) -> Split {
        let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 58) as u8 // 0..63
        };
        let side = IMAGE_SIDE as usize;
        let labels: Vec<u8> = (0..len).map(|i| (i % CLASSES) as u8).collect();
        let mut images = Vec::with_capacity(len * IMAGE_PIXELS);
        for &digit in &labels {
            let band = 2 * usize::from(digit) + 4..2 * usize::from(digit) + 8;
            images.extend((0..IMAGE_PIXELS).map(|p| {
                if band.contains(&(p / side)) {
                    255 - noise()
                } else {
                    noise()
                }
            }));
        }
        Split::new(images, labels)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `i`, row by row. Panics if `i` is out of range.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS]
    }

    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Keeps only the first `n` examples (all of them if there are fewer), for quick
    /// experiments (`--train-limit N`).
    pub fn take_first(mut self, n: usize) -> Split {
        let n = n.min(self.len());
        self.labels.truncate(n);
        self.images.truncate(n * IMAGE_PIXELS);
        self
    }

    /// Removes the last `n` examples and returns them: the validation set held out of the
    /// training set. `n = 0` returns an empty split. See
    /// `docs/07-data-and-validation.md`.
    pub fn split_off_last(&mut self, n: usize) -> Result<Split, DataError> {
        let keep = self
            .len()
            .checked_sub(n)
            .ok_or(DataError::ValidationTooLarge {
                requested: n,
                available: self.len(),
            })?;
        Ok(Split {
            images: self.images.split_off(keep * IMAGE_PIXELS),
            labels: self.labels.split_off(keep),
        })
    }

    /// How many examples of each digit there are.
    pub fn class_counts(&self) -> [usize; CLASSES] {
        let mut counts = [0; CLASSES];
        for &label in &self.labels {
            counts[usize::from(label)] += 1;
        }
        counts
    }

    /// Asks the CPU to start loading these images into cache now, so that gathering them
    /// later does not wait for memory: in shuffled order every image is a cache miss, and
    /// prefetching the next batch while the current one trains cut gathering from about 32 µs
    /// to 9 µs per batch of 64 here. A hint only: it changes no result.
    pub fn prefetch(&self, indices: &[usize]) {
        #[cfg(target_arch = "x86_64")]
        for &i in indices {
            for line in self.image(i).chunks(64) {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                // SAFETY: prefetching has no effect on memory; the address is inside the image.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = indices;
    }

    /// Puts the images at `indices` into `x`, one per row, as `f32` in [0, 1] (pixel / 255),
    /// and their labels into `labels`. Both are reused from batch to batch, so once `x` has
    /// held a full batch no call allocates. See `docs/07-data-and-validation.md`.
    ///
    /// Panics if an index is out of range.
    pub fn gather_batch(&self, indices: &[usize], x: &mut Matrix, labels: &mut Vec<usize>) {
        x.reshape(indices.len(), IMAGE_PIXELS);
        for (row, &i) in x.as_mut_slice().chunks_exact_mut(IMAGE_PIXELS).zip(indices) {
            pixels_to_input(self.image(i), row);
        }
        labels.clear();
        labels.extend(indices.iter().map(|&i| usize::from(self.labels[i])));
    }
}

/// One image's pixels as network input: `f32` in [0, 1], pixel / 255. The one conversion used
/// for MNIST in training and for your own digits (`handwriting`). See
/// `docs/07-data-and-validation.md`.
pub fn pixels_to_input(pixels: &[u8], row: &mut [f32]) {
    assert_eq!(pixels.len(), row.len(), "one input per pixel");
    // A plain element-wise loop over equal-length slices: the compiler vectorises it.
    for (out, &pixel) in row.iter_mut().zip(pixels) {
        *out = f32::from(pixel) / 255.0;
    }
}

/// A summary, not 47 million pixels.
impl fmt::Debug for Split {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Split")
            .field("len", &self.len())
            .field("class_counts", &self.class_counts())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` images, image `i` filled with the value `i` and labelled `i % 10`.
    fn numbered(n: usize) -> Split {
        let images = (0..n).flat_map(|i| [i as u8; IMAGE_PIXELS]).collect();
        let labels = (0..n).map(|i| (i % CLASSES) as u8).collect();
        Split::new(images, labels)
    }

    #[test]
    fn images_and_labels_are_indexed_together() {
        let split = numbered(3);
        assert_eq!(split.len(), 3);
        assert!(!split.is_empty());
        assert_eq!(split.image(2), &[2; IMAGE_PIXELS]);
        assert_eq!(split.label(2), 2);
        assert_eq!(split.labels(), &[0, 1, 2]);
    }

    #[test]
    #[should_panic(expected = "2 labels need 1568 pixels, got 784")]
    fn new_checks_there_is_an_image_per_label() {
        Split::new(vec![0; IMAGE_PIXELS], vec![1, 2]);
    }

    #[test]
    #[should_panic(expected = "label 12 is not a digit")]
    fn new_checks_labels_are_digits() {
        Split::new(vec![0; IMAGE_PIXELS], vec![12]);
    }

    #[test]
    fn take_first_keeps_the_start_and_tolerates_a_large_limit() {
        assert_eq!(numbered(5).take_first(2), numbered(2));
        assert_eq!(numbered(5).take_first(usize::MAX), numbered(5));
    }

    #[test]
    fn split_off_last_holds_out_the_end() {
        let mut train = numbered(5);
        let validation = train.split_off_last(2).unwrap();
        assert_eq!(train, numbered(3));
        assert_eq!(validation.labels(), &[3, 4]);
        assert_eq!(validation.image(0), &[3; IMAGE_PIXELS]);
    }

    #[test]
    fn split_off_last_accepts_zero_and_refuses_too_many() {
        let mut train = numbered(5);
        assert!(train.split_off_last(0).unwrap().is_empty());
        let err = train.split_off_last(6).unwrap_err().to_string();
        assert!(err.contains("cannot hold out 6 images"), "{err}");
        assert_eq!(train, numbered(5), "a refused split changes nothing");
    }

    #[test]
    fn class_counts_counts_each_digit() {
        assert_eq!(numbered(13).class_counts(), [2, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn gather_batch_scales_pixels_to_the_unit_interval() {
        let mut images = vec![0; 2 * IMAGE_PIXELS];
        images[IMAGE_PIXELS..IMAGE_PIXELS + 3].copy_from_slice(&[255, 51, 0]);
        let split = Split::new(images, vec![7, 3]);
        let (mut x, mut labels) = (Matrix::zeros(0, 0), vec![9, 9, 9]);

        split.gather_batch(&[1, 0, 1], &mut x, &mut labels);

        assert_eq!(x.shape(), (3, IMAGE_PIXELS));
        assert_eq!(&x.row(0)[..4], &[1.0, 0.2, 0.0, 0.0]);
        assert!(x.row(1).iter().all(|&v| v == 0.0));
        assert_eq!(x.row(2), x.row(0));
        assert_eq!(labels, [3, 7, 3]);
    }

    #[test]
    fn gather_batch_reuses_the_matrix() {
        let split = numbered(4);
        let (mut x, mut labels) = (Matrix::zeros(0, 0), Vec::new());
        split.gather_batch(&[0, 1, 2], &mut x, &mut labels);
        let ptr = x.as_slice().as_ptr();
        split.gather_batch(&[3, 2], &mut x, &mut labels);
        assert_eq!(x.as_slice().as_ptr(), ptr);
        assert_eq!(x.get(0, 0), 3.0 / 255.0);
        assert_eq!(labels, [3, 2]);
    }
}
