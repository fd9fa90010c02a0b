//! What the command-line tests share.

use std::process::Command;

/// Runs `nn-train` with `args` (and whatever `setup` adds) to the end: its exit code (-1 if
/// a signal ended it), stdout and stderr.
pub fn nn_train_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nn-train"));
    command.args(args);
    setup(&mut command);
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
