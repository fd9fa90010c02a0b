//! A row-major `f32` matrix: the only data structure the network needs.
//!
//! A batch of 64 MNIST images is a 64 x 784 matrix (one image per row); a dense layer's weights
//! are a `fan_in x fan_out` matrix. Element `(r, c)` lives at `data[r * cols + c]`, so a row is
//! one contiguous slice. The shape of every matrix in a training step:
//! `docs/05-dense-and-relu.md`.

use serde::{Deserialize, Serialize};

/// `rows x cols` values of `f32`, stored row by row. Shapes are checked by every operation, and
/// a mismatch panics with both shapes. See `docs/05-dense-and-relu.md`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MatrixFields")]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

/// What is on disk; turned into a [`Matrix`] only if the shape and the data agree, so a
/// corrupt checkpoint is an error and never a matrix that reads out of bounds.
#[derive(Deserialize)]
struct MatrixFields {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl TryFrom<MatrixFields> for Matrix {
    type Error = String;

    fn try_from(m: MatrixFields) -> Result<Self, String> {
        match m.rows.checked_mul(m.cols) {
            Some(len) if len == m.data.len() => Ok(Matrix {
                rows: m.rows,
                cols: m.cols,
                data: m.data,
            }),
            _ => Err(format!(
                "matrix of shape {}x{} cannot hold {} values",
                m.rows,
                m.cols,
                m.data.len()
            )),
        }
    }
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Panics unless `data` has exactly `rows * cols` values.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Matrix {
        assert_eq!(
            data.len(),
            rows * cols,
            "Matrix::from_vec: {} values cannot fill a {rows}x{cols} matrix",
            data.len()
        );
        Matrix { rows, cols, data }
    }

    /// Builds a matrix from nested rows, for tests and worked examples: `from_rows(&[[1., 2.]])`.
    pub fn from_rows<const C: usize>(rows: &[[f32; C]]) -> Matrix {
        Matrix::from_vec(rows.len(), C, rows.concat())
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    pub fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn row_mut(&mut self, r: usize) -> &mut [f32] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn get(&self, r: usize, c: usize) -> f32 {
        assert!(
            r < self.rows && c < self.cols,
            "index ({r}, {c}) out of bounds for a {}x{} matrix",
            self.rows,
            self.cols
        );
        self.data[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, value: f32) {
        assert!(
            r < self.rows && c < self.cols,
            "index ({r}, {c}) out of bounds for a {}x{} matrix",
            self.rows,
            self.cols
        );
        self.data[r * self.cols + c] = value;
    }

    /// Gives the matrix a new shape, keeping its allocation when it is large enough.
    /// The training loop calls this once per batch (the last batch is smaller), so after the
    /// first batch no step allocates.
    pub fn reshape(&mut self, rows: usize, cols: usize) {
        self.rows = rows;
        self.cols = cols;
        self.data.resize(rows * cols, 0.0);
    }

    /// Panics with both shapes unless `self` is `rows x cols`; `what` names the operand.
    pub fn assert_shape(&self, rows: usize, cols: usize, what: &str) {
        assert!(
            self.rows == rows && self.cols == cols,
            "{what}: expected a {rows}x{cols} matrix, got {}x{}",
            self.rows,
            self.cols
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_contiguous_slices() {
        let m = Matrix::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        assert_eq!(m.shape(), (2, 3));
        assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
        assert_eq!(m.get(0, 2), 3.0);
    }

    #[test]
    #[should_panic(expected = "6 values cannot fill a 4x2 matrix")]
    fn from_vec_names_the_shape() {
        Matrix::from_vec(4, 2, vec![0.0; 6]);
    }

    #[test]
    #[should_panic(expected = "out of bounds for a 2x3 matrix")]
    fn get_checks_bounds() {
        Matrix::zeros(2, 3).get(0, 3);
    }

    #[test]
    fn reshape_keeps_the_allocation_when_shrinking() {
        let mut m = Matrix::zeros(64, 10);
        let ptr = m.as_slice().as_ptr();
        m.reshape(32, 10);
        assert_eq!(m.shape(), (32, 10));
        assert_eq!(m.as_slice().as_ptr(), ptr);
    }

    #[test]
    fn deserialising_an_inconsistent_shape_is_an_error() {
        let bad = MatrixFields {
            rows: 3,
            cols: 3,
            data: vec![0.0; 8],
        };
        let err = Matrix::try_from(bad).unwrap_err();
        assert!(err.contains("3x3"), "{err}");
    }
}
