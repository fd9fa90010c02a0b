//! The three products against an independent f64 computation, on random shapes, for every
//! kernel this CPU can run, and bit for bit across thread counts.
//!
//! Tolerance: summing k products in f32 in any order is within `k·u·Σ|a||b|` of the exact
//! result, with `u = 2^-24` the unit roundoff (the classic bound for floating-point dot
//! products). Any real mistake (a wrong index, a missed edge row) is off by about `|a||b|`,
//! far outside it.

use nn_core::Matrix;
use nn_core::matmul::{Kernel, matmul, matmul_a_bt, matmul_at_b, reference};
use proptest::prelude::*;

/// Which product, and how `c[i][j]` reads its operands.
#[derive(Clone, Copy, Debug)]
enum Product {
    AB,
    AtB,
    ABt,
}

impl Product {
    /// Operand shapes for an m x n result with inner size k.
    fn shapes(self, m: usize, n: usize, k: usize) -> ((usize, usize), (usize, usize)) {
        match self {
            Product::AB => ((m, k), (k, n)),
            Product::AtB => ((k, m), (k, n)),
            Product::ABt => ((m, k), (n, k)),
        }
    }

    fn a(self, a: &Matrix, i: usize, k: usize) -> f64 {
        f64::from(match self {
            Product::AtB => a.get(k, i),
            _ => a.get(i, k),
        })
    }

    fn b(self, b: &Matrix, k: usize, j: usize) -> f64 {
        f64::from(match self {
            Product::ABt => b.get(j, k),
            _ => b.get(k, j),
        })
    }

    fn run(self, a: &Matrix, b: &Matrix, c: &mut Matrix) {
        match self {
            Product::AB => matmul(a, b, c),
            Product::AtB => matmul_at_b(a, b, c),
            Product::ABt => matmul_a_bt(a, b, c),
        }
    }

    fn run_with(self, kernel: Kernel, a: &Matrix, b: &Matrix, c: &mut Matrix) {
        match self {
            Product::AB => kernel.matmul(a, b, c),
            Product::AtB => kernel.matmul_at_b(a, b, c),
            Product::ABt => kernel.matmul_a_bt(a, b, c),
        }
    }

    fn run_reference(self, a: &Matrix, b: &Matrix, c: &mut Matrix) {
        match self {
            Product::AB => reference::matmul(a, b, c),
            Product::AtB => reference::matmul_at_b(a, b, c),
            Product::ABt => reference::matmul_a_bt(a, b, c),
        }
    }
}

const PRODUCTS: [Product; 3] = [Product::AB, Product::AtB, Product::ABt];

fn random_matrix(rows: usize, cols: usize, seed: u64) -> Matrix {
    // A small LCG is enough for test data and keeps the values reproducible.
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let data = (0..rows * cols)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect();
    Matrix::from_vec(rows, cols, data)
}

/// Checks `c` against the exact product computed in f64, within the rounding bound.
fn check(product: Product, a: &Matrix, b: &Matrix, c: &Matrix, m: usize, n: usize, k: usize) {
    assert_eq!(c.shape(), (m, n), "{product:?}: result shape");
    let u = f64::from(f32::EPSILON) / 2.0;
    for i in 0..m {
        for j in 0..n {
            let (mut exact, mut magnitude) = (0.0, 0.0);
            for kk in 0..k {
                let term = product.a(a, i, kk) * product.b(b, kk, j);
                exact += term;
                magnitude += term.abs();
            }
            let got = f64::from(c.get(i, j));
            let bound = (k as f64) * u * magnitude + 1e-30;
            assert!(
                (got - exact).abs() <= bound,
                "{product:?} {m}x{n} (k = {k}): c[{i}][{j}] = {got}, exact {exact}, bound {bound:e}"
            );
        }
    }
}

fn operands(product: Product, m: usize, n: usize, k: usize, seed: u64) -> (Matrix, Matrix) {
    let ((ar, ac), (br, bc)) = product.shapes(m, n, k);
    (random_matrix(ar, ac, seed), random_matrix(br, bc, seed + 1))
}

/// The default entry point, the reference loops, and every kernel this CPU runs.
fn check_product(product: Product, m: usize, n: usize, k: usize, seed: u64) {
    let (a, b) = operands(product, m, n, k, seed);
    let mut c = Matrix::default();
    product.run(&a, &b, &mut c);
    check(product, &a, &b, &c, m, n, k);
    product.run_reference(&a, &b, &mut c);
    check(product, &a, &b, &c, m, n, k);
    for kernel in Kernel::available() {
        let mut c = Matrix::from_vec(1, 1, vec![f32::NAN]); // stale contents must not leak
        product.run_with(kernel, &a, &b, &mut c);
        check(product, &a, &b, &c, m, n, k);
    }
}

/// The products of the reference recipe (784-128-10, batch 64) and of a deeper network.
const RECIPE_SHAPES: [(Product, usize, usize, usize); 8] = [
    (Product::AB, 64, 128, 784),  // hidden = x·W1
    (Product::AB, 64, 10, 128),   // logits = h·W2
    (Product::AtB, 128, 10, 64),  // dW2 = hᵀ·dz
    (Product::ABt, 64, 128, 10),  // dh = dz·W2ᵀ
    (Product::AtB, 784, 128, 64), // dW1 = xᵀ·dh
    (Product::AB, 32, 128, 784),  // the last, partial batch of an epoch (60000 = 937·64 + 32)
    (Product::AB, 64, 256, 784),  // 784-256-128-10
    (Product::ABt, 64, 256, 128),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn products_match_exact_arithmetic_on_random_shapes(
        m in 1usize..70, n in 1usize..70, k in 1usize..70, seed in any::<u64>(),
    ) {
        for product in PRODUCTS {
            check_product(product, m, n, k, seed);
        }
    }
}

#[test]
fn one_by_one_and_odd_sizes() {
    for product in PRODUCTS {
        for &(m, n, k) in &[(1, 1, 1), (1, 7, 3), (7, 1, 9), (9, 17, 1), (33, 15, 65)] {
            check_product(product, m, n, k, 3);
        }
        // Each odd size in each position, the others odd too: every edge case of the tiles.
        for s in [1, 7, 63, 65, 129, 785] {
            check_product(product, s, 65, 63, s as u64);
            check_product(product, 63, s, 65, s as u64);
            check_product(product, 65, 63, s, s as u64);
        }
    }
}

#[test]
fn the_recipe_shapes() {
    for (product, m, n, k) in RECIPE_SHAPES {
        check_product(product, m, n, k, 42);
    }
}

fn run_on_threads(threads: usize, work: impl FnOnce() -> Matrix) -> Matrix {
    let pool = nn_core::ThreadPool::new(threads);
    pool.install(work)
}

/// Threads split the rows of C in whole tiles and every element is summed in the same order,
/// so 1, 2 or 3 threads give the same bits, for every kernel.
#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let mut shapes = RECIPE_SHAPES.to_vec();
    shapes.extend([
        (Product::AB, 785, 129, 65),
        (Product::AtB, 129, 785, 63),
        (Product::ABt, 65, 63, 785),
    ]);
    for kernel in Kernel::available() {
        for &(product, m, n, k) in &shapes {
            let (a, b) = operands(product, m, n, k, 5);
            let compute = || {
                let mut c = Matrix::default();
                product.run_with(kernel, &a, &b, &mut c);
                c
            };
            let one = run_on_threads(1, compute);
            for threads in [2, 3] {
                let many = run_on_threads(threads, compute);
                let same_bits = one
                    .as_slice()
                    .iter()
                    .zip(many.as_slice())
                    .all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(
                    same_bits,
                    "{kernel:?} {product:?} {m}x{n}x{k}: {threads} threads differ from 1"
                );
            }
        }
    }
}

#[test]
fn every_cpu_has_the_portable_kernel() {
    assert!(Kernel::available().contains(&Kernel::Portable));
    assert_eq!(Kernel::detect(), Kernel::available()[0]);
}

#[test]
fn a_2x2_product_by_hand() {
    // [1 2] [5 6]   [1·5 + 2·7  1·6 + 2·8]   [19 22]
    // [3 4] [7 8] = [3·5 + 4·7  3·6 + 4·8] = [43 50]
    let a = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    let b = Matrix::from_rows(&[[5.0, 6.0], [7.0, 8.0]]);
    let mut c = Matrix::default();
    matmul(&a, &b, &mut c);
    assert_eq!(c, Matrix::from_rows(&[[19.0, 22.0], [43.0, 50.0]]));
    // Aᵀ·B = [1 3; 2 4]·B = [26 30; 38 44];  A·Bᵀ = A·[5 7; 6 8] = [17 23; 39 53]
    matmul_at_b(&a, &b, &mut c);
    assert_eq!(c, Matrix::from_rows(&[[26.0, 30.0], [38.0, 44.0]]));
    matmul_a_bt(&a, &b, &mut c);
    assert_eq!(c, Matrix::from_rows(&[[17.0, 23.0], [39.0, 53.0]]));
}

#[test]
#[should_panic(expected = "A is 2x3 but B is 4x5")]
fn mismatched_shapes_name_both() {
    matmul(
        &Matrix::zeros(2, 3),
        &Matrix::zeros(4, 5),
        &mut Matrix::default(),
    );
}

#[test]
#[should_panic(expected = "A is 3x2 but B is 4x5")]
fn mismatched_shapes_name_both_for_at_b() {
    matmul_at_b(
        &Matrix::zeros(3, 2),
        &Matrix::zeros(4, 5),
        &mut Matrix::default(),
    );
}

#[test]
#[should_panic(expected = "A is 2x3 but B is 5x4")]
fn mismatched_shapes_name_both_for_a_bt() {
    matmul_a_bt(
        &Matrix::zeros(2, 3),
        &Matrix::zeros(5, 4),
        &mut Matrix::default(),
    );
}
