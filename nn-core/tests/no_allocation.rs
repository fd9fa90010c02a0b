//! A training step allocates nothing once its buffers exist: every matrix is reshaped in place,
//! the kernels' scratch space is kept per thread, and the pool's threads are started once.
//!
//! This test counts every allocation in the process with its own global allocator, so it runs
//! without the test harness (`harness = false` in Cargo.toml): no other thread is there to
//! allocate while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use nn_core::dropout::Dropout;
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp, ThreadPool};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `alloc`'s contract, which is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` came from the system allocator, and the caller upholds `realloc`'s
        // contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn main() {
    let pool = ThreadPool::new(2);
    pool.install(|| {
        for sizes in [[784, 128, 10], [784, 256, 10]] {
            let mut model = Mlp::new(&sizes, 1);
            let (mut acts, mut grads) = (Activations::new(), model.zeros_like());
            let mut sgd = Sgd::new(0.1).with_momentum(0.9).with_weight_decay(1e-4);
            let full = Matrix::from_vec(
                64,
                784,
                (0..64 * 784).map(|i| (i % 255) as f32 / 255.0).collect(),
            );
            let partial = Matrix::from_vec(32, 784, full.as_slice()[..32 * 784].to_vec());
            let labels: Vec<usize> = (0..64).map(|i| i % 10).collect();
            let mut steps = 0;
            // Every other step with dropout: its masks are reused buffers too.
            let mut step = |x: &Matrix| {
                let labels = &labels[..x.rows()];
                steps += 1;
                if steps % 2 == 0 {
                    let mut rng = ChaCha8Rng::seed_from_u64(steps);
                    model.forward_loss_dropout(x, labels, Dropout::new(0.5), &mut rng, &mut acts);
                } else {
                    model.forward_loss(x, labels, &mut acts);
                }
                model.backward(x, labels, &mut acts, &mut grads);
                sgd.step(&mut model, &grads);
            };
            // The first steps size every buffer; the last, smaller batch of an epoch must then
            // fit in them. Which thread takes which chunk of a product changes from step to
            // step, and each thread sizes its own scratch space the first time it takes a kind
            // of chunk: the warm-up is long enough for every thread to have taken every kind.
            // Each batch size is stepped twice in a row, so both see dropout on and off.
            for _ in 0..13 {
                step(&full);
                step(&full);
                step(&partial);
                step(&partial);
            }
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            for _ in 0..5 {
                step(&full);
                step(&full);
                step(&partial);
                step(&partial);
            }
            let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
            assert_eq!(
                allocated, 0,
                "{sizes:?}: {allocated} allocations in 20 training steps"
            );
            println!("{sizes:?}: no allocation in 20 training steps");
        }
    });
}
