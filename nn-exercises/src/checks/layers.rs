//! Exercises 6 to 9 (`docs/05-dense-and-relu.md`): ReLU forward and backward, the dense layer
//! forward and backward, against `nn_core::relu` and `nn_core::dense::Dense`.

use nn_core::Matrix;
use nn_core::dense::Dense;
use nn_core::relu::{relu_backward as reference_relu_backward, relu_forward as reference_relu};

use super::{random_matrix, rng, show_matrix};
use crate::DenseGradients;
use crate::grade::{Case, Tolerance, Verdict, compare_matrix, compare_values, grade};

/// A dense layer's sums. Inputs and weights lie in [-1, 1] and a sum has at most 8 terms, so
/// any order of summation is within 8 · 6e-8 · 8 ≈ 4e-6 of any other (the reference's
/// vectorised kernel may also use fused multiply-adds). A missing bias, a transpose or a
/// forgotten term is off by 0.01 or far more.
const SUMS: Tolerance = Tolerance {
    abs: 1e-4,
    rel: 1e-4,
};

/// Random pre-activations with exact zeros among them: ReLU's edge is `z = 0` (its output is
/// 0 and so is its derivative there, by convention).
fn pre_activations(seed: u64, rows: usize, cols: usize) -> Matrix {
    let mut z = random_matrix(&mut rng(seed), rows, cols, -1.0, 1.0);
    for (i, v) in z.as_mut_slice().iter_mut().enumerate() {
        if i % 5 == 2 {
            *v = 0.0;
        }
    }
    z
}

fn relu_of(z: &Matrix) -> Matrix {
    let mut a = z.clone();
    reference_relu(&mut a);
    a
}

/// Exercise 6: `relu_forward(z) -> a`, against [`nn_core::relu::relu_forward`]. Exact: a
/// ReLU copies or zeroes, it never rounds.
pub fn relu_forward(student: impl Fn(&Matrix) -> Matrix) -> Verdict {
    const MAX: &str = "a = max(z, 0) entry by entry: positive values pass unchanged, negative \
        ones and 0 become 0; a has the shape of z";
    let inputs = [
        pre_activations(6, 4, 6),
        Matrix::from_rows(&[[-3.0, 2.5, 0.0]]),
        Matrix::from_rows(&[[-1.0, -2.0], [-1e-30, -1e30]]),
        Matrix::from_rows(&[[1e-30], [1e30]]),
    ];
    let cases: Vec<Case<Matrix>> = inputs
        .into_iter()
        .map(|z| {
            let describe = format!("z: {}", show_matrix(&z));
            Case::new(z, describe, MAX)
        })
        .collect();
    grade(
        &cases,
        |z| student(z),
        relu_of,
        |got, expected| compare_matrix("a", got, expected, Tolerance::EXACT),
    )
}

/// Exercise 7: `relu_backward(a, da) -> dz`, against [`nn_core::relu::relu_backward`]. Exact,
/// as forward.
pub fn relu_backward(student: impl Fn(&Matrix, &Matrix) -> Matrix) -> Verdict {
    const MASK: &str = "dz = da where the unit was active (a > 0) and 0 where it was not \
        (a = 0): the mask comes from the forward output a, never from the sign of the \
        gradient da";
    let mut r = rng(7);
    let cases: Vec<Case<(Matrix, Matrix)>> = [
        (
            pre_activations(8, 4, 6),
            random_matrix(&mut r, 4, 6, -1.0, 1.0),
        ),
        (
            Matrix::from_rows(&[[0.0, 2.0, 0.0, 0.5]]),
            Matrix::from_rows(&[[0.3, -0.7, -0.2, 0.9]]),
        ),
        (
            Matrix::from_rows(&[[0.0], [0.0]]),
            Matrix::from_rows(&[[1.0], [-1.0]]),
        ),
    ]
    .into_iter()
    .map(|(z, da)| {
        let a = relu_of(&z);
        let describe = format!("a: {}, da: {}", show_matrix(&a), show_matrix(&da));
        Case::new((a, da), describe, MASK)
    })
    .collect();
    grade(
        &cases,
        |(a, da)| student(a, da),
        |(a, da)| {
            let mut dz = da.clone();
            reference_relu_backward(a, &mut dz);
            dz
        },
        |got, expected| compare_matrix("dz", got, expected, Tolerance::EXACT),
    )
}

/// A batch `x` and a layer's weights `W` and bias `b`, random in [-1, 1]:
/// `B x fan_in`, `fan_in x fan_out`.
fn layer(seed: u64, batch: usize, fan_in: usize, fan_out: usize) -> (Matrix, Dense) {
    let mut r = rng(seed);
    let x = random_matrix(&mut r, batch, fan_in, -1.0, 1.0);
    let weights = random_matrix(&mut r, fan_in, fan_out, -1.0, 1.0);
    let bias = super::random_values(&mut r, fan_out, -1.0, 1.0);
    (x, Dense { weights, bias })
}

/// The shapes both dense exercises try: a batch, a batch of one, a layer 1 unit wide, a layer
/// with 1 input, and inputs wider than outputs.
const SHAPES: [(usize, usize, usize); 5] = [(4, 3, 5), (1, 8, 2), (3, 4, 1), (2, 1, 3), (5, 8, 3)];

fn describe_layer(x: &Matrix, layer: &Dense) -> String {
    format!(
        "x {}x{}, W {}x{} (batch {}, {} inputs, {} outputs)",
        x.rows(),
        x.cols(),
        layer.fan_in(),
        layer.fan_out(),
        x.rows(),
        layer.fan_in(),
        layer.fan_out()
    )
}

/// Exercise 8: `dense_forward(x, w, b) -> y`, against [`Dense::forward`].
pub fn dense_forward(student: impl Fn(&Matrix, &Matrix, &[f32]) -> Matrix) -> Verdict {
    const FORWARD: &str = "y = x·W + b: y[r][j] = Σ_k x[r][k]·W[k][j] + b[j], the bias added to \
        every row; y is B x fan_out";
    let cases: Vec<Case<(Matrix, Dense)>> = SHAPES
        .iter()
        .enumerate()
        .map(|(i, &(batch, fan_in, fan_out))| {
            let (x, layer) = layer(80 + i as u64, batch, fan_in, fan_out);
            let describe = describe_layer(&x, &layer);
            Case::new((x, layer), describe, FORWARD)
        })
        .collect();
    grade(
        &cases,
        |(x, layer)| student(x, &layer.weights, &layer.bias),
        |(x, layer)| {
            let mut y = Matrix::default();
            layer.forward(x, &mut y);
            y
        },
        |got, expected| compare_matrix("y", got, expected, SUMS),
    )
}

/// Exercise 9: `dense_backward(x, w, dy) -> DenseGradients { dw, db, dx }`, against
/// [`Dense::backward`]. Compared in that order.
pub fn dense_backward(student: impl Fn(&Matrix, &Matrix, &Matrix) -> DenseGradients) -> Verdict {
    const BACKWARD: &str = "dW = xᵀ·dy (fan_in x fan_out, like W), db = Σ over the batch's rows \
        of dy (one per output, summed, not averaged: dy already holds the 1/B), dx = dy·Wᵀ \
        (B x fan_in, like x)";
    let cases: Vec<Case<(Matrix, Dense, Matrix)>> = SHAPES
        .iter()
        .enumerate()
        .map(|(i, &(batch, fan_in, fan_out))| {
            let (x, layer) = layer(90 + i as u64, batch, fan_in, fan_out);
            let dy = random_matrix(&mut rng(95 + i as u64), batch, fan_out, -1.0, 1.0);
            let describe = format!("{}, dy {batch}x{fan_out}", describe_layer(&x, &layer));
            Case::new((x, layer, dy), describe, BACKWARD)
        })
        .collect();
    grade(
        &cases,
        |(x, layer, dy)| student(x, &layer.weights, dy),
        |(x, layer, dy)| {
            let mut grad = Dense::zeros(layer.fan_in(), layer.fan_out());
            let mut dx = Matrix::default();
            layer.backward(x, dy, &mut grad, Some(&mut dx));
            DenseGradients {
                dw: grad.weights,
                db: grad.bias,
                dx,
            }
        },
        |got, expected| {
            compare_matrix("dw", &got.dw, &expected.dw, SUMS)?;
            compare_values("db", &got.db, &expected.db, SUMS)?;
            compare_matrix("dx", &got.dx, &expected.dx, SUMS)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::expect;
    use crate::solutions;

    #[test]
    fn the_reference_solutions_pass() {
        expect::pass(relu_forward(solutions::relu_forward::relu_forward));
        expect::pass(relu_backward(solutions::relu_backward::relu_backward));
        expect::pass(dense_forward(solutions::dense_forward::dense_forward));
        expect::pass(dense_backward(solutions::dense_backward::dense_backward));
    }

    fn map(m: &Matrix, f: impl Fn(f32) -> f32) -> Matrix {
        Matrix::from_vec(
            m.rows(),
            m.cols(),
            m.as_slice().iter().map(|&v| f(v)).collect(),
        )
    }

    fn zip(a: &Matrix, b: &Matrix, f: impl Fn(f32, f32) -> f32) -> Matrix {
        let values = a.as_slice().iter().zip(b.as_slice());
        Matrix::from_vec(a.rows(), a.cols(), values.map(|(&a, &b)| f(a, b)).collect())
    }

    #[test]
    fn relu_mistakes_are_caught() {
        expect::wrong(
            relu_forward(|z| map(z, f32::abs)),
            &["a[0][0]", "max(z, 0)"],
        );
        expect::wrong(relu_forward(|z| z.clone()), &["a[0]"]);
        expect::wrong(
            relu_forward(|z| expect::transpose(&relu_of(z))),
            &["a is 6x4, expected 4x6"],
        );
    }

    #[test]
    fn relu_backward_mistakes_are_caught() {
        // The mask taken from the incoming gradient instead of the activation.
        let mask_on_gradient = |_: &Matrix, da: &Matrix| map(da, |g| if g > 0.0 { g } else { 0.0 });
        expect::wrong(
            relu_backward(mask_on_gradient),
            &[
                "dz[0][3] is 0, expected -0.66",
                "never from the sign of the gradient",
            ],
        );
        // a >= 0 holds everywhere after a ReLU: this mask lets everything through.
        let mask_at_zero_too =
            |a: &Matrix, da: &Matrix| zip(a, da, |a, g| if a >= 0.0 { g } else { 0.0 });
        expect::wrong(relu_backward(mask_at_zero_too), &["(a = 0)"]);
        // The activation itself passed on instead of masking the gradient.
        let passes_a = |a: &Matrix, _: &Matrix| a.clone();
        expect::wrong(relu_backward(passes_a), &["dz[0]"]);
    }

    #[test]
    fn dense_forward_mistakes_are_caught() {
        let without_bias = |x: &Matrix, w: &Matrix, b: &[f32]| {
            solutions::dense_forward::dense_forward(x, w, &vec![0.0; b.len()])
        };
        expect::wrong(
            dense_forward(without_bias),
            &["y[0][0]", "the bias added to every row"],
        );
        // Wᵀ·xᵀ has the right numbers in the wrong shape.
        let transposed_output = |x: &Matrix, w: &Matrix, b: &[f32]| {
            expect::transpose(&solutions::dense_forward::dense_forward(x, w, b))
        };
        expect::wrong(
            dense_forward(transposed_output),
            &["y is 5x4, expected 4x5"],
        );
        // The bias added once, to the first row only.
        let bias_on_row_0 = |x: &Matrix, w: &Matrix, b: &[f32]| {
            let mut y = solutions::dense_forward::dense_forward(x, w, &vec![0.0; b.len()]);
            for (j, b) in b.iter().enumerate() {
                y.set(0, j, y.get(0, j) + b);
            }
            y
        };
        expect::wrong(dense_forward(bias_on_row_0), &["y[1][0]"]);
    }

    #[test]
    fn dense_backward_mistakes_are_caught() {
        let correct = solutions::dense_backward::dense_backward;
        let db_averaged = |x: &Matrix, w: &Matrix, dy: &Matrix| {
            let mut g = correct(x, w, dy);
            g.db.iter_mut().for_each(|v| *v /= x.rows() as f32);
            g
        };
        expect::wrong(
            dense_backward(db_averaged),
            &["db[0]", "summed, not averaged"],
        );
        let dw_transposed = |x: &Matrix, w: &Matrix, dy: &Matrix| {
            let mut g = correct(x, w, dy);
            g.dw = expect::transpose(&g.dw);
            g
        };
        expect::wrong(dense_backward(dw_transposed), &["dw is 5x3, expected 3x5"]);
        let dx_with_w_not_transposed = |x: &Matrix, w: &Matrix, dy: &Matrix| {
            let mut g = correct(x, w, dy);
            g.dx = Matrix::zeros(dy.rows(), w.cols());
            g
        };
        expect::wrong(
            dense_backward(dx_with_w_not_transposed),
            &["dx is 4x5, expected 4x3"],
        );
        // dW from the wrong example: only the first row of x and dy.
        let one_example = |x: &Matrix, w: &Matrix, dy: &Matrix| {
            let mut g = correct(x, w, dy);
            for i in 0..x.cols() {
                for j in 0..dy.cols() {
                    g.dw.set(i, j, x.get(0, i) * dy.get(0, j));
                }
            }
            g
        };
        expect::wrong(dense_backward(one_example), &["dw[0][0]", "xᵀ·dy"]);
    }
}
