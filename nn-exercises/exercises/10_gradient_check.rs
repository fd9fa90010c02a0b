//! # Exercise 10: the gradient check
//!
//! Read first: `docs/05-dense-and-relu.md`, "The gradient check".
//!
//! How do you know a backward pass is right? Measure each derivative from the function
//! itself: nudge one coordinate of `x` up by `h`, then down by `h`, and divide the change of
//! `f` by `2h`. Put the coordinate back before the next one. This central difference is off
//! by about `h²`; the one-sided `(f(x + h) - f(x)) / h` by about `h`.
//!
//! ```text
//! g_i = (f(x + h·e_i) - f(x - h·e_i)) / (2h)
//! ```
//!
//! Call `f` like a function: `f(&point)`, with `point` a `Vec<f64>` or a slice.
//!
//! Check it: `cargo run -p nn-exercises -- gradient_check`

/// The numerical gradient of `f` at `x`: one derivative per coordinate.
pub fn numerical_gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<f64> {
    todo!()
}
