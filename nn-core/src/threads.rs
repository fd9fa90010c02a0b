//! The threads the matrix products run on.
//!
//! A product of the reference recipe takes about 45 µs on two cores; waking a sleeping thread
//! (what rayon and most pools do between jobs) costs tens of microseconds on a virtual machine,
//! and a training step hands out two products. So the workers of this pool do not sleep
//! while there is work coming: they spin on an atomic counter, see a new job within a fraction
//! of a microsecond, and only park after a millisecond without one.
//!
//! The pool does not decide *what* each thread computes: callers split their output into
//! parts whose results do not depend on which thread runs them, so any number of threads gives
//! the same bits (`docs/appendix-a-making-it-fast.md`).
//!
//! ```
//! use nn_core::ThreadPool;
//! let pool = ThreadPool::new(2);
//! pool.install(|| {
//!     // Matrix products called here use both threads.
//! });
//! ```

use std::any::Any;
use std::cell::{RefCell, UnsafeCell};
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

/// How long an idle worker spins before it parks.
const SPIN_BEFORE_PARKING: Duration = Duration::from_millis(1);

/// A fixed set of threads for the products: the thread that calls [`ThreadPool::install`] plus
/// `threads - 1` workers.
pub struct ThreadPool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

/// One job: thread `i` of the pool calls `part(i)`. The closure lives on the stack of the
/// thread that dispatched it, which waits until every worker is done with it; the pointer's
/// lifetime is erased only for that span.
type Job = *const (dyn Fn(usize) + Sync + 'static);

struct Shared {
    threads: usize,
    /// Bumped once per job; a worker runs a job when it sees a number it has not seen.
    generation: AtomicUsize,
    /// The current job. Written only while no worker is running (`running == 0`), read only
    /// after a worker sees the new `generation`.
    job: UnsafeCell<Job>,
    /// Workers that have not finished the current job.
    running: AtomicUsize,
    /// Whether each worker is parked (or about to be), so dispatch knows whom to unpark.
    parked: Vec<AtomicBool>,
    worker_threads: OnceLock<Vec<Thread>>,
    /// The first panic of a worker in the current job, re-raised by the dispatching thread.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Held while a job runs: a second thread dispatching at the same time computes its job on
    /// its own instead (which gives the same results).
    dispatching: Mutex<()>,
    shutdown: AtomicBool,
}

// SAFETY: `job` is the only field that is not Sync on its own; it is written by one
// dispatching thread (holding `dispatching`) while no worker reads it, and read by workers only
// between the `generation` bump (Release/Acquire) and their `running` decrement.
unsafe impl Sync for Shared {}
unsafe impl Send for Shared {}

thread_local! {
    /// The pool the products use on this thread: the innermost `install`.
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

impl ThreadPool {
    /// A pool of `threads` threads in all (at least 1), counting the caller.
    pub fn new(threads: usize) -> ThreadPool {
        let threads = threads.max(1);
        let shared = Arc::new(Shared {
            threads,
            generation: AtomicUsize::new(0),
            job: UnsafeCell::new(&|_| {}),
            running: AtomicUsize::new(0),
            parked: (1..threads).map(|_| AtomicBool::new(false)).collect(),
            worker_threads: OnceLock::new(),
            panic: Mutex::new(None),
            dispatching: Mutex::new(()),
            shutdown: AtomicBool::new(false),
        });
        let workers: Vec<JoinHandle<()>> = (1..threads)
            .map(|index| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("nn-core worker {index}"))
                    .spawn(move || worker_loop(&shared, index))
                    .expect("the OS refused to start a worker thread")
            })
            .collect();
        let threads = workers.iter().map(|w| w.thread().clone()).collect();
        shared.worker_threads.set(threads).expect("set once, here");
        ThreadPool { shared, workers }
    }

    /// A pool with one thread per core the OS gives this process.
    pub fn with_available_cores() -> ThreadPool {
        ThreadPool::new(thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub fn threads(&self) -> usize {
        self.shared.threads
    }

    /// Runs `f` on the calling thread with this pool as the one its matrix products use.
    /// Outside any `install`, products run on the calling thread alone.
    pub fn install<R>(&self, f: impl FnOnce() -> R) -> R {
        let previous = CURRENT.replace(Some(Arc::clone(&self.shared)));
        let _restore = RestoreOnDrop(previous);
        f()
    }
}

struct RestoreOnDrop(Option<Arc<Shared>>);

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        CURRENT.set(self.0.take());
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        for worker in &self.workers {
            worker.thread().unpark();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// The number of threads the products on this thread may use.
pub(crate) fn current_threads() -> usize {
    CURRENT.with_borrow(|pool| pool.as_ref().map_or(1, |p| p.threads))
}

/// A chunk length that cuts `len` items into one chunk per thread of the current pool, but
/// keeps at least `min_chunk` items per chunk: below that, handing work to another thread costs
/// more than doing it.
pub(crate) fn chunk_per_thread(len: usize, min_chunk: usize) -> usize {
    len.div_ceil(current_threads()).max(min_chunk).max(1)
}

/// Calls `work(i)` once for every `i < count`, on the threads of the current pool: thread `t`
/// takes `t`, `t + threads`, ... Nothing may depend on which thread runs which index.
pub(crate) fn for_each_index(count: usize, work: impl Fn(usize) + Sync) {
    let pool = CURRENT
        .with_borrow(|pool| pool.clone())
        .filter(|p| p.threads > 1 && count > 1);
    // A pool that is already running a job (a nested call, or another thread's) is busy;
    // doing the work right here gives the same results.
    let dispatching = pool.as_ref().and_then(|p| p.dispatching.try_lock().ok());
    let (Some(pool), Some(_dispatching)) = (&pool, dispatching) else {
        (0..count).for_each(work);
        return;
    };
    pool.run(&|thread| (thread..count).step_by(pool.threads).for_each(&work));
}

/// Calls `work(t, chunk)` for every chunk of `chunk_len` items of `data` (the last may be
/// shorter), on the threads of the current pool.
pub(crate) fn for_each_chunk_mut<T: Send>(
    data: &mut [T],
    chunk_len: usize,
    work: impl Fn(usize, &mut [T]) + Sync,
) {
    let chunks = DisjointChunks::new(data, chunk_len);
    // SAFETY: `for_each_index` visits every index exactly once.
    for_each_index(chunks.count, |t| work(t, unsafe { chunks.get(t) }));
}

/// [`for_each_chunk_mut`] for two slices of the same length, cut at the same places.
pub(crate) fn for_each_chunk_pair_mut<A: Send, B: Send>(
    a: &mut [A],
    b: &mut [B],
    chunk_len: usize,
    work: impl Fn(usize, &mut [A], &mut [B]) + Sync,
) {
    assert_eq!(a.len(), b.len(), "paired slices must have the same length");
    let (a, b) = (
        DisjointChunks::new(a, chunk_len),
        DisjointChunks::new(b, chunk_len),
    );
    // SAFETY: `for_each_index` visits every index exactly once.
    for_each_index(a.count, |t| {
        work(t, unsafe { a.get(t) }, unsafe { b.get(t) })
    });
}

/// A slice cut into chunks that different threads may hold mutably at the same time, because
/// no two of them overlap.
pub(crate) struct DisjointChunks<'a, T> {
    ptr: *mut T,
    len: usize,
    chunk_len: usize,
    count: usize,
    _data: PhantomData<&'a mut [T]>,
}

// SAFETY: it only ever hands out disjoint `&mut [T]`, which may go to another thread if `T` may.
unsafe impl<T: Send> Sync for DisjointChunks<'_, T> {}

impl<'a, T> DisjointChunks<'a, T> {
    pub(crate) fn new(data: &'a mut [T], chunk_len: usize) -> Self {
        assert!(chunk_len > 0, "chunks must not be empty");
        DisjointChunks {
            ptr: data.as_mut_ptr(),
            len: data.len(),
            chunk_len,
            count: data.len().div_ceil(chunk_len),
            _data: PhantomData,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Chunk `t`, items `[t·chunk_len, (t+1)·chunk_len)`.
    ///
    /// # Safety
    /// No other reference to chunk `t` may be alive.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn get(&self, t: usize) -> &'a mut [T] {
        assert!(t < self.count, "chunk {t} of {}", self.count);
        let start = t * self.chunk_len;
        let end = (start + self.chunk_len).min(self.len);
        // SAFETY: [start, end) lies inside the borrowed slice; exclusivity is the caller's.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), end - start) }
    }
}

impl Shared {
    /// Runs `part(0)` here and `part(1..threads)` on the workers; returns when all are done.
    /// The caller holds `dispatching`.
    fn run(&self, part: &(dyn Fn(usize) + Sync)) {
        // SAFETY: no worker is running (the previous `run` waited for all of them), so nothing
        // reads `job` while it is written. The lifetime of `part` is erased here and the job is
        // finished before this function returns (also when `part` panics: `WaitForWorkers`).
        unsafe {
            *self.job.get() = std::mem::transmute::<&(dyn Fn(usize) + Sync), Job>(part);
        }
        self.running.store(self.threads - 1, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
        let workers = self.worker_threads.get().map_or(&[][..], Vec::as_slice);
        for (parked, thread) in self.parked.iter().zip(workers) {
            if parked.load(Ordering::SeqCst) {
                thread.unpark();
            }
        }

        let wait = WaitForWorkers(self);
        part(0);
        drop(wait);
        if let Some(payload) = self.panic.lock().unwrap().take() {
            panic::resume_unwind(payload);
        }
    }
}

/// Waits for every worker to finish the current job, even while the dispatching thread unwinds
/// from a panic: the job borrows its stack.
struct WaitForWorkers<'a>(&'a Shared);

impl Drop for WaitForWorkers<'_> {
    fn drop(&mut self) {
        let mut spins = 0u32;
        while self.0.running.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins < 1 << 16 {
                std::hint::spin_loop();
            } else {
                thread::yield_now(); // a worker was descheduled: let it run
            }
        }
    }
}

fn worker_loop(shared: &Shared, index: usize) {
    let mut seen = 0;
    loop {
        seen = wait_for_job(shared, index, seen);
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        // SAFETY: the dispatcher wrote `job` before bumping `generation` (Acquire above) and
        // does not touch it again until `running` reaches 0 (decremented below).
        // SAFETY (deref): the closure outlives the job (see `Shared::run`).
        let part = unsafe { &**shared.job.get() };
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| part(index))) {
            shared.panic.lock().unwrap().get_or_insert(payload);
        }
        shared.running.fetch_sub(1, Ordering::Release);
    }
}

/// Spins until `generation` moves past `seen`, parking after [`SPIN_BEFORE_PARKING`].
fn wait_for_job(shared: &Shared, index: usize, seen: usize) -> usize {
    let parked = &shared.parked[index - 1];
    let started = Instant::now();
    let mut spins = 0u32;
    loop {
        let generation = shared.generation.load(Ordering::Acquire);
        if generation != seen {
            return generation;
        }
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(1024) || started.elapsed() < SPIN_BEFORE_PARKING {
            std::hint::spin_loop();
            continue;
        }
        // Announce the park, then look once more: a dispatcher either sees `parked` and
        // unparks us, or we see its new generation here (both use SeqCst).
        parked.store(true, Ordering::SeqCst);
        if shared.generation.load(Ordering::SeqCst) == seen {
            thread::park();
        }
        parked.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_runs_exactly_once() {
        for threads in [1, 2, 3, 5] {
            let pool = ThreadPool::new(threads);
            let hits: Vec<AtomicUsize> = (0..37).map(|_| AtomicUsize::new(0)).collect();
            pool.install(|| {
                for _ in 0..100 {
                    for_each_index(hits.len(), |i| {
                        hits[i].fetch_add(1, Ordering::Relaxed);
                    });
                }
            });
            assert!(
                hits.iter().all(|h| h.load(Ordering::Relaxed) == 100),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn chunks_cover_the_slice() {
        let pool = ThreadPool::new(3);
        let mut data = vec![0usize; 1000];
        let mut twin = vec![0usize; 1000];
        pool.install(|| {
            for_each_chunk_mut(&mut data, 64, |t, chunk| {
                chunk.iter_mut().for_each(|v| *v += t + 1)
            });
            for_each_chunk_pair_mut(&mut data, &mut twin, 64, |t, a, b| {
                for (a, b) in a.iter_mut().zip(b) {
                    *b = *a * 10 + t;
                }
            });
        });
        for (i, (&a, &b)) in data.iter().zip(&twin).enumerate() {
            assert_eq!(a, i / 64 + 1);
            assert_eq!(b, a * 10 + i / 64);
        }
    }

    #[test]
    fn a_panic_on_a_worker_reaches_the_caller() {
        let pool = ThreadPool::new(2);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| for_each_index(2, |i| assert!(i != 1, "index 1 fails")))
        }));
        let message = *result.unwrap_err().downcast::<&str>().unwrap();
        assert_eq!(message, "index 1 fails");
        // The pool still works afterwards.
        let count = AtomicUsize::new(0);
        pool.install(|| for_each_index(4, |_| _ = count.fetch_add(1, Ordering::Relaxed)));
        assert_eq!(count.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn nested_and_concurrent_use_fall_back_to_the_calling_thread() {
        let pool = ThreadPool::new(2);
        let count = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    pool.install(|| {
                        for_each_index(4, |_| {
                            for_each_index(3, |_| _ = count.fetch_add(1, Ordering::Relaxed));
                        })
                    })
                });
            }
        });
        assert_eq!(count.load(Ordering::Relaxed), 3 * 4 * 3);
    }

    #[test]
    fn outside_install_everything_runs_here() {
        assert_eq!(current_threads(), 1);
        let here = thread::current().id();
        for_each_index(3, |_| assert_eq!(thread::current().id(), here));
        let pool = ThreadPool::new(4);
        pool.install(|| assert_eq!(current_threads(), 4));
        assert_eq!(current_threads(), 1);
    }

    #[test]
    fn idle_workers_park_and_wake_up() {
        let pool = ThreadPool::new(2);
        let count = AtomicUsize::new(0);
        pool.install(|| for_each_index(2, |_| _ = count.fetch_add(1, Ordering::Relaxed)));
        let waited = Instant::now();
        while !pool.shared.parked[0].load(Ordering::SeqCst) {
            assert!(
                waited.elapsed() < Duration::from_secs(10),
                "the worker never parked"
            );
            thread::sleep(SPIN_BEFORE_PARKING);
        }
        pool.install(|| for_each_index(2, |_| _ = count.fetch_add(1, Ordering::Relaxed)));
        assert_eq!(count.load(Ordering::Relaxed), 4);
    }
}
