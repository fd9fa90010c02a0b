//! Your own digits, prepared the way MNIST's were, so the network can read them.
//!
//! The network has only ever seen MNIST: white ink on black, the digit scaled so that its longer
//! side is 20 pixels, placed in a 28 x 28 field by its centre of mass. A photo of a digit on
//! paper is none of that (dark ink, light background, anywhere in the picture, any size), and
//! shown as it is, the network answers with confidence and at random. [`prepare`] repeats
//! MNIST's preparation on any picture; [`read_image`] and [`decode_image`] turn a PNG, JPEG, BMP
//! or PGM file (or bytes, as `nn-play` receives them) into a picture, with an [`ImageError`] that
//! names what is wrong otherwise.
//!
//! ```no_run
//! use datasets::handwriting::{prepare, read_image};
//!
//! # fn main() -> Result<(), datasets::handwriting::ImageError> {
//! let prepared = prepare(&read_image("my-seven.jpg".as_ref())?);
//! assert_eq!(prepared.input().len(), 784); // one row of network input, in [0, 1]
//! # Ok(()) }
//! ```
//!
//! Behind the `images` feature: only the crates that read pictures compile the codecs.
//! Why each step matters, with pictures: `docs/10-using-the-network.md`.

mod prepare;
mod read;

pub use prepare::{DIGIT_BOX, InkBox, MIN_CONTRAST, Prepared, WORKING_SIDE, prepare, squash};
pub use read::{ImageError, MAX_IMAGE_SIDE, decode_image, read_image};
