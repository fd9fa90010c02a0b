//! The three products against an independent f64 computation, on random shapes, for every
//! kernel this CPU can run, and bit for bit across thread counts.
//!
//! The oracle is [`check`]: the exact product, summed in f64 here in the test, never the code
//! under test. The reference triple loops of `nn_core::matmul::reference` are checked against
//! it too, like any other implementation.
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

/// Checks each output against the exact product computed in f64, within the rounding bound.
fn check(product: Product, a: &Matrix, b: &Matrix, outputs: &[(String, Matrix)], (m, n, k): Shape) {
    for (name, c) in outputs {
        assert_eq!(c.shape(), (m, n), "{name} {product:?}: result shape");
    }
    let u = f64::from(f32::EPSILON) / 2.0;
    for i in 0..m {
        for j in 0..n {
            let (mut exact, mut magnitude) = (0.0, 0.0);
            for kk in 0..k {
                let term = product.a(a, i, kk) * product.b(b, kk, j);
                exact += term;
                magnitude += term.abs();
            }
            let bound = (k as f64) * u * magnitude + 1e-30;
            for (name, c) in outputs {
                let got = f64::from(c.get(i, j));
                assert!(
                    (got - exact).abs() <= bound,
                    "{name} {product:?} {m}x{n} (k = {k}): c[{i}][{j}] = {got}, exact {exact}, bound {bound:e}"
                );
            }
        }
    }
}

type Shape = (usize, usize, usize);

fn operands(product: Product, m: usize, n: usize, k: usize, seed: u64) -> (Matrix, Matrix) {
    let ((ar, ac), (br, bc)) = product.shapes(m, n, k);
    (random_matrix(ar, ac, seed), random_matrix(br, bc, seed + 1))
}

/// The default entry point, the reference loops, and every kernel this CPU runs, each into an
/// output of its own that starts as NaN: stale contents must not leak, and an element that is
/// never written fails the check.
fn check_product(product: Product, m: usize, n: usize, k: usize, seed: u64) {
    let (a, b) = operands(product, m, n, k, seed);
    let nan = || Matrix::from_vec(m, n, vec![f32::NAN; m * n]);
    let mut outputs = Vec::new();
    let mut c = nan();
    product.run(&a, &b, &mut c);
    outputs.push(("default".to_string(), c));
    let mut c = nan();
    product.run_reference(&a, &b, &mut c);
    outputs.push(("reference".to_string(), c));
    for kernel in Kernel::available() {
        let mut c = nan();
        product.run_with(kernel, &a, &b, &mut c);
        outputs.push((format!("{kernel:?}"), c));
    }
    check(product, &a, &b, &outputs, (m, n, k));
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
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Every size from 1 to 40 in each position crosses every tile edge (4, 6 and 8 rows; 8,
    /// 16 and 32 columns), the tiny shapes (below 8) and products like 1x4 · 4x1.
    #[test]
    fn products_match_exact_arithmetic_on_small_shapes(
        m in 1usize..=40, n in 1usize..=40, k in 1usize..=40, seed in any::<u64>(),
    ) {
        for product in PRODUCTS {
            check_product(product, m, n, k, seed);
        }
    }

    /// Each row of a product is what that row of `A` alone gives, bit for bit: an example's
    /// output does not depend on the batch it is in, though a batch of one takes the tiny
    /// path and a full batch the tiles. (Shapes with `k < 4·n`, where `k` is never cut.)
    #[test]
    fn a_row_alone_gives_the_same_bits_as_in_the_batch(
        m in 1usize..=70, n in 8usize..=70, k_per_n in 1usize..4, seed in any::<u64>(),
    ) {
        let k = k_per_n * n - 1;
        for kernel in Kernel::available() {
            let (a, b) = operands(Product::AB, m, n, k, seed);
            let mut batch = Matrix::default();
            kernel.matmul(&a, &b, &mut batch);
            let mut alone = Matrix::default();
            for i in 0..m {
                let row = Matrix::from_vec(1, k, a.row(i).to_vec());
                kernel.matmul(&row, &b, &mut alone);
                prop_assert!(same_bits(alone.as_slice(), batch.row(i)), "{kernel:?} row {i}");
            }
        }
    }
}

fn same_bits(x: &[f32], y: &[f32]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Products too large for the caches are computed in packed blocks (when a thread's part of
/// `B` has a million values or more): one such product, by every kernel. The block edges are
/// tested in `gemm/packed.rs`, against the tiles.
#[test]
fn a_product_in_packed_cache_blocks() {
    let (m, n, k) = (1030, 1025, 1031);
    let (a, b) = operands(Product::AB, m, n, k, 11);
    let outputs: Vec<(String, Matrix)> = Kernel::available()
        .into_iter()
        .map(|kernel| {
            let mut c = Matrix::from_vec(m, n, vec![f32::NAN; m * n]);
            kernel.matmul(&a, &b, &mut c);
            (format!("{kernel:?}"), c)
        })
        .collect();
    check(Product::AB, &a, &b, &outputs, (m, n, k));
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

/// Threads split C in blocks of whole tiles and every element is summed in the same order, so
/// any number of threads gives the same bits, for every kernel.
#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let mut shapes = RECIPE_SHAPES.to_vec();
    shapes.extend([
        (Product::AB, 785, 129, 65),
        (Product::AtB, 129, 785, 63),
        (Product::ABt, 65, 63, 785),
        // A wide layer: split by columns, in four blocks per thread.
        (Product::AB, 64, 800, 784),
        (Product::ABt, 64, 800, 800),
        (Product::AtB, 800, 800, 64),
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
            for threads in [2, 3, 4] {
                let many = run_on_threads(threads, compute);
                assert!(
                    same_bits(one.as_slice(), many.as_slice()),
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
