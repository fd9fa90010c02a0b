//! `cargo bench -p nn-core`: GFLOP/s of every matrix product of the reference recipe
//! (784-128-10, batch 64) and of a wide network (784-800-800-10), of square products from 128³
//! to 2048³, and the time of one whole training step of each network.
//!
//! Criterion's throughput is set to the product's floating-point operations (2·m·n·k), so the
//! "elem/s" it prints are FLOP/s: "45.1 Gelem/s" means 45.1 GFLOP/s. One group at a time:
//! `cargo bench -p nn-core -- square`, `-- wide`, `-- gflops`, `-- training_step`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nn_core::matmul::{Kernel, reference};
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp, ThreadPool};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

fn random_matrix(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Matrix {
    Matrix::from_vec(
        rows,
        cols,
        (0..rows * cols)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect(),
    )
}

fn pool(threads: usize) -> ThreadPool {
    ThreadPool::new(threads)
}

/// (name, product, m, n, k) for `c (m x n) = op(a)·op(b)` with inner size k.
type Shape = (&'static str, &'static str, usize, usize, usize);

/// The products of a training step of the reference recipe.
const SHAPES: [Shape; 5] = [
    ("x·W1 64x784·784x128", "AB", 64, 128, 784),
    ("xᵀ·dh 784x64ᵀ·64x128", "AtB", 784, 128, 64),
    ("h·W2 64x128·128x10", "AB", 64, 10, 128),
    ("hᵀ·dz 128x64ᵀ·64x10", "AtB", 128, 10, 64),
    ("dz·W2ᵀ 64x10·(128x10)ᵀ", "ABt", 64, 128, 10),
];

/// The products of a training step of 784-800-800-10, batch 64 (the three small ones of the
/// last layer are left out).
const WIDE_SHAPES: [Shape; 5] = [
    ("x·W1 64x784·784x800", "AB", 64, 800, 784),
    ("h1·W2 64x800·800x800", "AB", 64, 800, 800),
    ("h1ᵀ·dh2 800x64ᵀ·64x800", "AtB", 800, 800, 64),
    ("dh2·W2ᵀ 64x800·(800x800)ᵀ", "ABt", 64, 800, 800),
    ("xᵀ·dh1 784x64ᵀ·64x784", "AtB", 784, 800, 64),
];

fn operands(product: &str, m: usize, n: usize, k: usize, rng: &mut ChaCha8Rng) -> (Matrix, Matrix) {
    match product {
        "AB" => (random_matrix(m, k, rng), random_matrix(k, n, rng)),
        "AtB" => (random_matrix(k, m, rng), random_matrix(k, n, rng)),
        _ => (random_matrix(m, k, rng), random_matrix(n, k, rng)),
    }
}

fn run(kernel: Kernel, product: &str, a: &Matrix, b: &Matrix, out: &mut Matrix) {
    match product {
        "AB" => kernel.matmul(black_box(a), black_box(b), out),
        "AtB" => kernel.matmul_at_b(black_box(a), black_box(b), out),
        _ => kernel.matmul_a_bt(black_box(a), black_box(b), out),
    }
}

/// Square products on one thread and on two, with the fastest kernel: the cache blocking
/// should keep the rate of 1024³ and 2048³ near that of 256³.
fn square(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let kernel = Kernel::detect();
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut group = c.benchmark_group(format!("square/{threads}-thread"));
        group.sample_size(10);
        for size in [128, 256, 512, 1024, 2048] {
            let (a, b) = operands("AB", size, size, size, &mut rng);
            let mut out = Matrix::default();
            group.throughput(Throughput::Elements(2 * (size * size * size) as u64));
            group.bench_function(format!("{size}x{size}x{size}/{kernel:?}"), |bench| {
                pool.install(|| bench.iter(|| run(kernel, "AB", &a, &b, &mut out)))
            });
        }
        group.finish();
    }
}

/// The wide network's products, one and two threads, fastest kernel.
fn wide(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let kernel = Kernel::detect();
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut group = c.benchmark_group(format!("wide/{threads}-thread"));
        for &(name, product, m, n, k) in &WIDE_SHAPES {
            let (a, b) = operands(product, m, n, k, &mut rng);
            let mut out = Matrix::default();
            group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
            group.bench_function(format!("{name}/{kernel:?}"), |bench| {
                pool.install(|| bench.iter(|| run(kernel, product, &a, &b, &mut out)))
            });
        }
        group.finish();
    }
}

fn products(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let kernels = Kernel::available();
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut group = c.benchmark_group(format!("gflops/{threads}-thread"));
        for &(name, product, m, n, k) in &SHAPES {
            let (a, b) = operands(product, m, n, k, &mut rng);
            group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
            // Every kernel on one thread; the best one on two.
            let kernels = if threads == 1 {
                &kernels[..]
            } else {
                &kernels[..1]
            };
            for &kernel in kernels {
                let mut out = Matrix::default();
                group.bench_function(format!("{name}/{kernel:?}"), |bench| {
                    pool.install(|| bench.iter(|| run(kernel, product, &a, &b, &mut out)))
                });
            }
        }
        if threads == 1 {
            // Where the kernels started: the triple loop, on the largest product.
            let (_, _, m, n, k) = SHAPES[0];
            let (a, b) = (random_matrix(m, k, &mut rng), random_matrix(k, n, &mut rng));
            let mut out = Matrix::zeros(m, n);
            group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
            group.bench_function(format!("{}/reference triple loop", SHAPES[0].0), |bench| {
                bench.iter(|| reference::matmul(black_box(&a), black_box(&b), &mut out))
            });
        }
        group.finish();
    }
}

/// One step of training: forward, loss, backward, SGD update, batch 64. An epoch is 938 of
/// these. The reference recipe, and the wide network.
fn training_step(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = Matrix::from_vec(
        64,
        784,
        (0..64 * 784).map(|_| rng.random_range(0.0..1.0)).collect(),
    );
    let labels: Vec<usize> = (0..64).map(|_| rng.random_range(0..10)).collect();
    let mut group = c.benchmark_group("training_step");
    for sizes in [&[784, 128, 10][..], &[784, 800, 800, 10][..]] {
        let name = sizes
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("-");
        for threads in [1, 2] {
            let pool = pool(threads);
            let mut model = Mlp::new(sizes, 42);
            let (mut acts, mut grads, mut sgd) =
                (Activations::new(), model.zeros_like(), Sgd::new(0.01));
            group.bench_function(format!("{name} batch 64/{threads}-thread"), |bench| {
                pool.install(|| {
                    bench.iter(|| {
                        let loss = model.forward_loss(black_box(&x), &labels, &mut acts);
                        model.backward(&x, &labels, &mut acts, &mut grads);
                        sgd.step(&mut model, &grads);
                        loss
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, products, square, wide, training_step);
criterion_main!(benches);
