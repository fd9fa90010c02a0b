//! `cargo bench -p nn-core`: GFLOP/s of every matrix product of the reference recipe
//! (784-128-10, batch 64), and the time of one whole training step.
//!
//! Criterion's throughput is set to the product's floating-point operations (2·m·n·k), so the
//! "elem/s" it prints are FLOP/s: "45.1 Gelem/s" means 45.1 GFLOP/s.

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
const SHAPES: [(&str, &str, usize, usize, usize); 5] = [
    ("x·W1 64x784·784x128", "AB", 64, 128, 784),
    ("xᵀ·dh 784x64ᵀ·64x128", "AtB", 784, 128, 64),
    ("h·W2 64x128·128x10", "AB", 64, 10, 128),
    ("hᵀ·dz 128x64ᵀ·64x10", "AtB", 128, 10, 64),
    ("dz·W2ᵀ 64x10·(128x10)ᵀ", "ABt", 64, 128, 10),
];

fn products(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let kernels = Kernel::available();
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut group = c.benchmark_group(format!("gflops/{threads}-thread"));
        for &(name, product, m, n, k) in &SHAPES {
            let (a, b) = match product {
                "AB" => (random_matrix(m, k, &mut rng), random_matrix(k, n, &mut rng)),
                "AtB" => (random_matrix(k, m, &mut rng), random_matrix(k, n, &mut rng)),
                _ => (random_matrix(m, k, &mut rng), random_matrix(n, k, &mut rng)),
            };
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
                    pool.install(|| {
                        bench.iter(|| match product {
                            "AB" => kernel.matmul(black_box(&a), black_box(&b), &mut out),
                            "AtB" => kernel.matmul_at_b(black_box(&a), black_box(&b), &mut out),
                            _ => kernel.matmul_a_bt(black_box(&a), black_box(&b), &mut out),
                        })
                    })
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

/// One step of the reference recipe: forward, loss, backward, SGD update, batch 64.
/// An epoch is 938 of these.
fn training_step(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = Matrix::from_vec(
        64,
        784,
        (0..64 * 784).map(|_| rng.random_range(0.0..1.0)).collect(),
    );
    let labels: Vec<usize> = (0..64).map(|_| rng.random_range(0..10)).collect();
    let mut group = c.benchmark_group("training_step");
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut model = Mlp::new(&[784, 128, 10], 42);
        let (mut acts, mut grads, mut sgd) =
            (Activations::new(), model.zeros_like(), Sgd::new(0.01));
        group.bench_function(format!("784-128-10 batch 64/{threads}-thread"), |bench| {
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
    group.finish();
}

criterion_group!(benches, products, training_step);
criterion_main!(benches);
